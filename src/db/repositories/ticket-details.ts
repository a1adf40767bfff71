/** What a ticket's page shows besides the ticket row: its conversation, its event log and its links. */
import type { CommentRow, Db, TicketEventRow } from '../schema';
import { actionEventId, storedEvent, type EscalatedManuallyEvent } from '../../../workflows/contract/events';

/** Comments oldest first (ties by id, so the order is stable). */
export const listComments = (db: Db, ticketId: string): Promise<CommentRow[]> =>
  db.selectFrom('comments').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();

/** The ticket's events in the order they were recorded. */
export const listTicketEvents = (db: Db, ticketId: string): Promise<TicketEventRow[]> =>
  db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute();

/** What an "escalate now" action recorded (which step's actions it ran), or null when it left no event. */
export async function findManualEscalation(db: Db, ticketId: string, actionId: string): Promise<EscalatedManuallyEvent['data'] | null> {
  const row = await db.selectFrom('ticket_events').select(['type', 'data']).where('id', '=', actionEventId(ticketId, actionId, 'escalate')).executeTakeFirst();
  const event = row && storedEvent(row);
  return event?.type === 'sla.escalated_manually' ? event.data : null;
}

export const listTicketLinks = (db: Db, ticketId: string) =>
  db.selectFrom('ticket_links').select(['kind', 'external_key', 'url']).where('ticket_id', '=', ticketId).execute();

/** The external key of the ticket's link of that kind (its Jira issue), or null. */
export const linkedKey = async (db: Db, ticketId: string, kind: string): Promise<string | null> =>
  (await db.selectFrom('ticket_links').select('external_key').where('ticket_id', '=', ticketId).where('kind', '=', kind).executeTakeFirst())?.external_key ?? null;

/** The comments a customer sees (public ones), oldest first. */
export const listPublicComments = (db: Db, ticketId: string): Promise<CommentRow[]> =>
  db.selectFrom('comments').selectAll().where('ticket_id', '=', ticketId).where('public', '=', true).orderBy('created_at').orderBy('id').execute();

export const findComment = (db: Db, id: string): Promise<CommentRow | undefined> => db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();

/** A ticket's events in order; `publicOnly` leaves out the internal ones (what a customer may see). */
export async function listVisibleTicketEvents(db: Db, ticketId: string, publicOnly: boolean): Promise<TicketEventRow[]> {
  let q = db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId);
  if (publicOnly) q = q.where('visibility', '=', 'public');
  return q.orderBy('seq').execute();
}
