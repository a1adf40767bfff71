/**
 * The counts behind the ticket gauges of /metrics: open tickets by status and priority, and
 * how many of them are at risk or breached (the same rules as the SLA lists, tickets.ts).
 * One grouped statement over the open statuses (the tickets_status index), zero-filled for
 * every configured priority so a series drops to 0 instead of going stale.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema';
import { atRiskExpr, breachedExpr } from './tickets';

export const OPEN_STATUSES = ['new', 'open', 'pending', 'on_hold'] as const;

export interface TicketGaugeRow {
  status: string;
  priority: string;
  open: number;
  atRisk: number;
  breached: number;
}

export async function ticketGauges(db: Kysely<Database>): Promise<TicketGaugeRow[]> {
  const [rows, priorities] = await Promise.all([
    db
      .selectFrom('tickets')
      .select((eb) => [
        'status',
        'priority',
        eb.fn.countAll<string>().as('open'),
        eb.fn.countAll<string>().filterWhere(atRiskExpr(eb)).as('at_risk'),
        eb.fn.countAll<string>().filterWhere(breachedExpr(eb)).as('breached'),
      ])
      .where('status', 'in', OPEN_STATUSES)
      .groupBy(['status', 'priority'])
      .execute(),
    db.selectFrom('priorities').select('name').execute(),
  ]);
  const key = (status: string, priority: string) => `${status}\u0000${priority}`;
  const found = new Map(rows.map((r) => [key(r.status, r.priority), r]));
  const names = new Set([...priorities.map((p) => p.name), ...rows.map((r) => r.priority)]);
  return OPEN_STATUSES.flatMap((status) =>
    [...names].map((priority) => {
      const r = found.get(key(status, priority));
      return { status, priority, open: Number(r?.open ?? 0), atRisk: Number(r?.at_risk ?? 0), breached: Number(r?.breached ?? 0) };
    }),
  );
}
