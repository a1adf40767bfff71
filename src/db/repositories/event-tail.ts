/**
 * The event log read as a tail (the console's live updates), by commit visibility rather than
 * by `seq`: a bigserial is taken when a row is inserted, not when its transaction commits, so a
 * transaction holding seq 41 can commit after one holding seq 42 has been read — a tail that
 * remembers "up to 42" never sees 41. Instead the tail remembers the snapshot it last read in
 * (PostgreSQL's pg_snapshot: xmin, xmax and the transactions still in progress) and next reads
 * exactly the events that snapshot could not see but the new one can (each row carries the
 * transaction that wrote it, `txid`). Nothing is skipped and nothing is read twice, however
 * commits interleave; a transaction that stays open only delays its own events.
 */
import { sql } from 'kysely';
import type { Db } from '../schema';

/** Where the tail starts: everything committed now counts as already seen. */
export async function currentSnapshot(db: Db): Promise<string> {
  const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(db);
  return rows[0]!.snapshot;
}

export interface TailedChange {
  ticketId: string;
  organizationId: string;
  visibility: string;
}

/**
 * The changes committed since `snapshot` was taken (one per ticket and visibility), and the
 * snapshot they were read in — the next call's starting point. One statement, so the rows and
 * the snapshot it reports are the same view of the log.
 */
export async function changesSince(db: Db, snapshot: string): Promise<{ snapshot: string; changes: TailedChange[] }> {
  const { rows } = await sql<{ snapshot: string; ticket_id: string | null; organization_id: string | null; visibility: string | null }>`
    select pg_current_snapshot()::text as snapshot, c.ticket_id, c.organization_id, c.visibility
    from (select 1) as one
    left join lateral (
      select distinct e.ticket_id, t.organization_id, e.visibility
      from ticket_events e
      join tickets t on t.id = e.ticket_id
      -- Invisible to the last snapshot: in progress then, or begun after it (the xmin bound lets the index narrow it).
      where e.txid >= pg_snapshot_xmin(${snapshot}::pg_snapshot) and not pg_visible_in_snapshot(e.txid, ${snapshot}::pg_snapshot)
    ) as c on true`.execute(db);
  const changes = rows.flatMap((r) => (r.ticket_id === null ? [] : [{ ticketId: r.ticket_id, organizationId: r.organization_id!, visibility: r.visibility! }]));
  return { snapshot: rows[0]!.snapshot, changes };
}
