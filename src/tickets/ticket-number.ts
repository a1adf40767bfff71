/** Ticket numbers TKT-YYYYMMDD-NNNN: a per-day counter, allocated atomically in PostgreSQL. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema';

export async function allocateTicketNumber(db: Kysely<Database> | Transaction<Database>, createdAt: Date): Promise<string> {
  const day = createdAt.toISOString().slice(0, 10).replace(/-/g, '');
  const row = await db
    .insertInto('ticket_number_counters')
    .values({ day, last: 1 })
    .onConflict((oc) => oc.column('day').doUpdateSet({ last: sql<number>`ticket_number_counters.last + 1` }))
    .returning('last')
    .executeTakeFirstOrThrow();
  return `TKT-${day}-${String(row.last).padStart(4, '0')}`;
}
