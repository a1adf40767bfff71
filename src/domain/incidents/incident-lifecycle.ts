/**
 * The only place the HTTP layer reaches an incident's workflow: start it, send it an action,
 * read its state. Workflow ids are business keys (the incident id).
 */
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Conflict } from '../../core/errors';
import {
  incidentActionSignal,
  incidentActionUpdate,
  incidentStateQuery,
  incidentWorkflowId,
  type IncidentAction,
  type IncidentView,
  type IncidentWorkflowInput,
} from '../../../workflows/contract/incident';
import { incidentStartAttributes } from '../../../workflows/contract/search-attributes';
import { findableStart } from '../tickets/findable-start';

export class IncidentLifecycle {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Starts the incident's workflow; one already running is success (a retried create). */
  async start(input: IncidentWorkflowInput): Promise<void> {
    try {
      await this.client.workflow.start('incidentWorkflow', { workflowId: incidentWorkflowId(input.incident.id), taskQueue: this.taskQueue, ...(await findableStart(this.client, input, incidentStartAttributes)) });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }

  /** Sends an action and waits until the workflow has applied and persisted it. */
  async act(incidentId: string, action: IncidentAction): Promise<IncidentView> {
    try {
      return await this.client.workflow.getHandle(incidentWorkflowId(incidentId)).executeUpdate(incidentActionUpdate, { args: [action] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) throw new Conflict(err.cause.type ?? 'conflict', err.cause.message);
      if (err instanceof WorkflowNotFoundError) throw new Conflict('incident_closed', 'the incident is closed and accepts no more changes');
      throw err;
    }
  }

  /** Sends an action without waiting (inbound webhooks answer within seconds); one that does not apply is ignored. */
  async signal(incidentId: string, action: IncidentAction): Promise<void> {
    await this.client.workflow.getHandle(incidentWorkflowId(incidentId)).signal(incidentActionSignal, action);
  }

  async state(incidentId: string): Promise<IncidentView | null> {
    try {
      return await this.client.workflow.getHandle(incidentWorkflowId(incidentId)).query(incidentStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }
}
