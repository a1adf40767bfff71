/**
 * Sends one action to a ticket's workflow and says whether it applied. An update where the
 * server has them (the dev server, a cluster): its refusal comes back as the validator's code.
 * A server without updates (older time-skipping test servers, servers with updates off) gets the action as a signal,
 * and the ticket's timeline says whether it applied: the action's event id is known beforehand,
 * and the row shows a precondition that no longer holds (the row is written in the workflow's
 * order, so a refusal's cause is on it before a later write).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { actionEventId } from '../workflows/contract/events';
import { ticketActionSignal, ticketActionUpdate, ticketWorkflowId, type TicketAction } from '../workflows/contract/ticket';

type AssignAction = Extract<TicketAction, { kind: 'assign' }>;
export type SendOutcome = { applied: true } | { applied: false; refused: string };

/** gRPC's UNIMPLEMENTED status code. */
const UNIMPLEMENTED = 12;
/** How long an update may wait for the ticket's workflow before the activity is tried again. */
const UPDATE_WAIT_MS = 15_000;
/** How long the signal path waits for the ticket's timeline before the activity is tried again. */
const SIGNAL_WAIT_MS = 20_000;

export async function sendTicketAction(client: Client, db: Kysely<Database>, id: string, action: AssignAction): Promise<SendOutcome> {
  const handle = client.workflow.getHandle(ticketWorkflowId(id));
  try {
    // An update waits for the ticket's workflow task: bounded, so a worker shutting down (which stops taking tasks) is not held by its own activity; the retry sends the same action.
    const bounded = AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(UPDATE_WAIT_MS)]);
    await client.withAbortSignal(bounded, () => handle.executeUpdate(ticketActionUpdate, { args: [action] }));
    return { applied: true };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { applied: false, refused: 'ticket_closed' };
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return { applied: false, refused: err.cause.type ?? 'refused' };
    if (!unimplemented(err)) throw err;
  }
  try {
    await handle.signal(ticketActionSignal, action);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { applied: false, refused: 'ticket_closed' };
    throw err;
  }
  const eventId = actionEventId(id, action.actionId, 'assign');
  const deadline = Date.now() + SIGNAL_WAIT_MS;
  while (Date.now() < deadline) {
    if (await db.selectFrom('ticket_events').select('id').where('id', '=', eventId).executeTakeFirst()) return { applied: true };
    const row = await db.selectFrom('tickets').select(['assignee', 'status']).where('id', '=', id).executeTakeFirst();
    if (!row || ['closed', 'cancelled'].includes(row.status)) return { applied: false, refused: 'ticket_closed' };
    if (action.ifUnassigned === true && row.assignee !== null) return { applied: false, refused: 'already_assigned' };
    if (action.ifAssignee !== undefined && row.assignee !== action.ifAssignee) return { applied: false, refused: 'assignee_changed' };
    await delay(100);
  }
  throw new Error(`the ticket's workflow did not record action ${action.actionId} in time`);
}

function unimplemented(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === UNIMPLEMENTED) return true;
  }
  return false;
}
