/** The event log read as a tail: where it ends now, and what was appended after a point (the console's live updates). */
import type { Db } from '../schema';

/** The highest event seq so far ('0' when there is none). */
export async function lastEventSeq(db: Db): Promise<string> {
  const row = await db.selectFrom('ticket_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return String(row?.seq ?? '0');
}

/** Up to `limit` events after `afterSeq`, in order, with the organization of their ticket. */
export const eventsAfter = (db: Db, afterSeq: string, limit: number) =>
  db
    .selectFrom('ticket_events as e')
    .innerJoin('tickets as t', 't.id', 'e.ticket_id')
    .select(['e.seq', 'e.ticket_id', 'e.visibility', 't.organization_id'])
    .where('e.seq', '>', afterSeq)
    .orderBy('e.seq')
    .limit(limit)
    .execute();
