/**
 * The agents' queue: unsolved tickets ordered by SLA urgency — the time to the next unmet,
 * running deadline (a paused resolution clock has none), so breached tickets come first —
 * with the console's filters. Reads only; every change goes through the ticket's workflow.
 */
import { sql } from 'kysely';
import type { Db, TicketRow } from '../schema';
import { atRiskExpr, breachedExpr } from './tickets';

export const QUEUE_VIEWS = { action: ['new', 'open'], on_hold: ['on_hold'], pending: ['pending'], unsolved: ['new', 'open', 'pending', 'on_hold'] } as const;
export type QueueView = keyof typeof QUEUE_VIEWS;

export interface QueueFilter {
  view: QueueView;
  assignee?: { mine: string } | 'unassigned';
  priority?: string;
  tier?: string;
  flag?: 'breached' | 'atRisk';
  organizationId?: string;
  limit: number;
}

export type QueueRow = TicketRow & { organization_name: string; tier: string; next_due_at: Date | null };

export async function queueRows(db: Db, f: QueueFilter): Promise<{ rows: QueueRow[]; total: number }> {
  let q = db
    .selectFrom('tickets')
    .innerJoin('organizations as o', 'o.id', 'tickets.organization_id')
    .where('tickets.status', 'in', [...QUEUE_VIEWS[f.view]]);
  if (f.assignee === 'unassigned') q = q.where('tickets.assignee', 'is', null);
  else if (f.assignee) q = q.where('tickets.assignee', '=', f.assignee.mine);
  if (f.priority) q = q.where('tickets.priority', '=', f.priority);
  if (f.tier) q = q.where('o.tier', '=', f.tier);
  if (f.organizationId) q = q.where('tickets.organization_id', '=', f.organizationId);
  if (f.flag === 'breached') q = q.where((eb) => breachedExpr(eb as never));
  if (f.flag === 'atRisk') q = q.where((eb) => atRiskExpr(eb as never));
  const nextDue = sql<Date | null>`least(
    case when tickets.fr_met_at is null then tickets.fr_due_at end,
    case when tickets.res_met_at is null and tickets.res_paused_since is null then tickets.res_due_at end)`;
  const [rows, count] = await Promise.all([
    q
      .selectAll('tickets')
      .select(['o.name as organization_name', 'o.tier'])
      .select(nextDue.as('next_due_at'))
      .orderBy(sql`next_due_at asc nulls last`)
      .orderBy('tickets.created_at')
      .orderBy('tickets.id')
      .limit(f.limit)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as QueueRow[], total: Number(count.n) };
}
