/** A ticket's event log and the webhook deliveries each event fans out to. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema';
import type { PendingDelivery, RunActionInput } from '../../../workflows/contract/records';
import { stepActionEventId, type ActionOutcomeData, type TicketEvent } from '../../../workflows/contract/events';
import { storableText } from '../../../workflows/contract/storable-text';
import { appendEvents, appendEventsOfMany } from './event-log';

type Db = Kysely<Database> | Transaction<Database>;

/** Appends a ticket's events (once each) and answers the webhook deliveries still owed for them (event-log.ts). */
export async function insertEvents(db: Db, ticketId: string, events: TicketEvent[]): Promise<PendingDelivery[]> {
  return appendEvents(db, 'ticket', ticketId, events);
}

/** insertEvents for the events of several tickets in one statement. */
export async function insertEventsOfTickets(db: Db, entries: Array<{ ticketId: string; event: TicketEvent }>): Promise<PendingDelivery[]> {
  return appendEventsOfMany(db, 'ticket', entries.map((e) => ({ ownerId: e.ticketId, event: e.event })));
}

/**
 * The outcome of an action an integration refused for good, under the action's own event id
 * (the same id a success would have), so the timeline shows one outcome per action.
 */
export async function recordActionFailure(db: Kysely<Database>, input: RunActionInput, detail: string, extra: Pick<ActionOutcomeData, 'failure' | 'errors' | 'error'>): Promise<void> {
  await insertEvents(db, input.ticketId, [
    {
      id: stepActionEventId(input.ticketId, input.stepId, input.actionIndex),
      type: 'action.failed',
      at: input.at,
      actor: 'system:ladder',
      visibility: 'internal',
      data: { step: input.stepId, clock: input.clock, percent: input.percent, action: input.action, detail: storableText(detail), ...extra },
    },
  ]);
}
