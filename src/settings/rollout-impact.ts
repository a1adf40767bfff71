/**
 * What an edit would do before it is saved: for each affected open ticket, its live timing
 * inputs (the workflow's slaInputs query: exactly what the workflow would re-plan from,
 * including events no table holds in that form) planned under the current and the proposed
 * snapshot with the workflows' own planner. Read-only, bounded and paged (keyset on ticket id).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { TicketLifecycle } from '../tickets/ticket-lifecycle';
import { planSla, type PlannedClock } from '../../workflows/ticket/clock-plan';
import type { SlaInputs, SlaPolicySnapshot } from '../../workflows/ticket/contract';
import type { RolloutKind } from '../../workflows/rollout/contract';
import { affectedTicketPage, affectedTickets } from './rollouts';

const CONCURRENCY = 16;
const LARGEST = 10;

export interface ClockMove {
  ticketId: string;
  number: string;
  clock: string;
  fromDueAt: string | null;
  toDueAt: string | null;
  /** Positive: later. */
  deltaSeconds: number;
}

export interface ImpactReport {
  /** Open tickets the edit reaches (all pages). */
  affected: number;
  /** Evaluated in this page. */
  evaluated: number;
  moved: number;
  earlier: number;
  later: number;
  unchanged: number;
  largestMoves: ClockMove[];
  breachedAtOnce: Array<{ ticketId: string; number: string; clock: string; dueAt: string }>;
  atRiskAtOnce: Array<{ ticketId: string; number: string; clock: string; atRiskAt: string }>;
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export interface ImpactRequest {
  kind: Extract<RolloutKind, 'sla_policy' | 'calendar'>;
  targetId: string;
  /** The ticket's current snapshot with the edit applied, or null when the edit does not reach it. */
  propose: (current: SlaPolicySnapshot) => SlaPolicySnapshot | null;
  limit: number;
  cursor: string | null;
  now: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function previewImpact(db: Kysely<Database>, lifecycle: TicketLifecycle, req: ImpactRequest): Promise<ImpactReport> {
  const { n } = await affectedTickets(db, req.kind, req.targetId).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const ids = await affectedTicketPage(db, req.kind, req.targetId, req.cursor, req.limit);
  const numbers = new Map(ids.length ? (await db.selectFrom('tickets').select(['id', 'number']).where('id', 'in', ids).execute()).map((t) => [t.id, t.number]) : []);
  const inputs: Array<SlaInputs | null> = new Array(ids.length).fill(null);
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const i = next++;
      inputs[i] = await lifecycle.slaInputs(ids[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, lane));

  const report: ImpactReport = { affected: Number(n), evaluated: 0, moved: 0, earlier: 0, later: 0, unchanged: 0, largestMoves: [], breachedAtOnce: [], atRiskAtOnce: [], nextCursor: ids.length === req.limit ? ids[ids.length - 1]! : null };
  const moves: ClockMove[] = [];
  ids.forEach((ticketId, i) => {
    const live = inputs[i];
    if (!live?.policy) return;
    const proposed = req.propose(live.policy);
    if (!proposed) return;
    report.evaluated += 1;
    const number = numbers.get(ticketId) ?? '';
    const createdAt = Date.parse(live.createdAt);
    const before = planSla(live.policy, createdAt, live.events);
    const after = planSla(proposed, createdAt, live.events);
    let biggest: ClockMove | null = null;
    const pairs: Array<[PlannedClock | null, PlannedClock | null]> = [[before.firstResponse, after.firstResponse], [before.resolution, after.resolution]];
    for (const [was, will] of pairs) {
      if (!will || will.result.metAt !== null) continue;
      const fromDue = was?.result.dueAt ?? null;
      const toDue = will.result.dueAt;
      if (fromDue !== toDue && fromDue !== null && toDue !== null) {
        const move = { ticketId, number, clock: will.name, fromDueAt: iso(fromDue), toDueAt: iso(toDue), deltaSeconds: Math.round((toDue - fromDue) / 1000) };
        moves.push(move);
        if (!biggest || Math.abs(move.deltaSeconds) > Math.abs(biggest.deltaSeconds)) biggest = move;
      }
      const wasBreached = fromDue !== null && fromDue <= req.now;
      if (toDue !== null && toDue <= req.now && !wasBreached) report.breachedAtOnce.push({ ticketId, number, clock: will.name, dueAt: iso(toDue)! });
      const wasAtRisk = was?.atRiskAt !== null && was?.atRiskAt !== undefined && was.atRiskAt <= req.now;
      if (will.atRiskAt !== null && will.atRiskAt <= req.now && (toDue === null || toDue > req.now) && !wasAtRisk) {
        report.atRiskAtOnce.push({ ticketId, number, clock: will.name, atRiskAt: iso(will.atRiskAt)! });
      }
    }
    if (!biggest) report.unchanged += 1;
    else {
      report.moved += 1;
      if (biggest.deltaSeconds < 0) report.earlier += 1;
      else report.later += 1;
    }
  });
  report.largestMoves = moves.sort((a, b) => Math.abs(b.deltaSeconds) - Math.abs(a.deltaSeconds)).slice(0, LARGEST);
  return report;
}
