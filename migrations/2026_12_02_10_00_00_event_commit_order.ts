/**
 * The transaction that wrote each ticket event (`txid`, xid8), so the console's live feed can
 * tail the log by commit visibility instead of by `seq`: a transaction that took a lower seq
 * but commits after a higher one is still reported (src/db/repositories/event-tail.ts).
 * Rows written before this get 0, visible in every snapshot: the tail never reports them again.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A constant default first (no table rewrite), then the per-transaction default for new rows.
  await sql`alter table ticket_events add column txid xid8 not null default '0'`.execute(db);
  await sql`alter table ticket_events alter column txid set default pg_current_xact_id()`.execute(db);
  await sql`create index ticket_events_txid on ticket_events (txid)`.execute(db);
}
