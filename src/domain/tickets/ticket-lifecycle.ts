/**
 * The only place the HTTP layer reaches a ticket's workflow: start it, send it an action,
 * read its timing inputs. Workflow ids are business keys (the ticket id).
 */
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { slaInputsQuery, ticketActionSignal, ticketActionUpdate, ticketWorkflowId, type SlaInputs, type TicketAction, type TicketWorkflowInput } from '../../../workflows/contract/ticket';
import { Conflict } from '../../core/errors';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { RolloutService } from '../settings/rollouts';
import { ticketStartAttributes } from '../../../workflows/contract/search-attributes';
import { findableStart } from './findable-start';

export class TicketLifecycle {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Starts the ticket's workflow; starting one that already runs is success (a retried create). */
  async start(input: TicketWorkflowInput): Promise<void> {
    try {
      await this.client.workflow.start('ticketWorkflow', {
        workflowId: ticketWorkflowId(input.ticket.id),
        taskQueue: this.taskQueue,
        // Findable in Temporal's CLI and web UI from the start (workflows/contract/search-attributes.ts).
        ...(await findableStart(this.client, input, ticketStartAttributes)),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }

  /** Sends an action and waits until the workflow has applied and persisted it. */
  async act(ticketId: string, action: TicketAction): Promise<SlaInputs> {
    try {
      return await this.client.workflow.getHandle(ticketWorkflowId(ticketId)).executeUpdate(ticketActionUpdate, { args: [action] });
    } catch (err) {
      throw toPacerError(err);
    }
  }

  /**
   * Sends an action without waiting for it to apply: for inbound webhooks that must answer
   * within seconds (PagerDuty, Slack). The workflow ignores an action that does not apply.
   */
  async signal(ticketId: string, action: TicketAction): Promise<void> {
    await this.client.workflow.getHandle(ticketWorkflowId(ticketId)).signal(ticketActionSignal, action);
  }

  /** Rollouts run on the same client and task queue as the tickets they re-target. */
  rollouts(db: Kysely<Database>): RolloutService {
    return new RolloutService(db, this.client, this.taskQueue);
  }

  async slaInputs(ticketId: string): Promise<SlaInputs | null> {
    try {
      return await this.client.workflow.getHandle(ticketWorkflowId(ticketId)).query(slaInputsQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }
}

function toPacerError(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    return new Conflict(err.cause.type ?? 'conflict', err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) return new Conflict('ticket_closed', 'the ticket no longer accepts changes');
  return err;
}
