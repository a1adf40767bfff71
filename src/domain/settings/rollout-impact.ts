/**
 * What an edit would do before it is saved: for each affected open ticket, its live timing
 * inputs (the workflow's slaInputs query: exactly what the workflow would re-plan from,
 * including events no table holds in that form) planned under the current and the proposed
 * snapshot with the workflows' own planner. Read-only, bounded and paged (keyset on ticket id).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { planSla, type PlannedClock } from '../../../workflows/ticket/clock-plan';
import type { LadderStep, SlaInputs, SlaPolicySnapshot, TicketStatus } from '../../../workflows/contract/ticket';
import type { CalendarSpec } from '../../../workflows/sla/business-calendar';
import { InvalidInput, NotFound } from '../../core/errors';
import type { CalendarInput, PolicyInput } from './sla-settings';
import type { RolloutKind } from '../../../workflows/contract/rollout';
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

/**
 * The running cycles of a repeating clock (next reply, update cadence) under both snapshots:
 * only the latest cycle can still move. Cycles come from the ticket's own events, so the same
 * cycle is the latest under both; one the current snapshot does not run (no target yet) is
 * compared with nothing, so it can only be breached or at risk at once.
 */
function runningPair(was: readonly PlannedClock[], will: readonly PlannedClock[]): [PlannedClock | null, PlannedClock | null] {
  const a = was[was.length - 1] ?? null;
  const b = will[will.length - 1] ?? null;
  return [a && b && a.cycle !== b.cycle ? null : a, b];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Where a ticket's live timing inputs come from (the workflow's query). */
export interface LiveInputs {
  slaInputs(ticketId: string): Promise<SlaInputs | null>;
}

export async function previewImpact(db: Kysely<Database>, lifecycle: LiveInputs, req: ImpactRequest): Promise<ImpactReport> {
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
    const pairs: Array<[PlannedClock | null, PlannedClock | null]> = [
      [before.firstResponse, after.firstResponse],
      [before.resolution, after.resolution],
      runningPair(before.nextReply, after.nextReply),
      runningPair(before.update, after.update),
    ];
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

export interface Page {
  limit: number;
  cursor: string | null;
}

/** The impact of replacing SLA policy `id` with `body`. */
export async function policyImpact(db: Kysely<Database>, live: LiveInputs, id: string, body: PolicyInput, page: Page): Promise<ImpactReport> {
  if (!(await db.selectFrom('sla_policies').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFound('SLA policy');
  const cal = await db.selectFrom('calendars').selectAll().where('id', '=', body.calendarId).executeTakeFirst();
  if (!cal) throw new InvalidInput('unknown calendar', [{ path: 'calendarId', message: 'must exist' }]);
  const calendar: CalendarSpec = { timezone: cal.timezone, weekly: cal.weekly as CalendarSpec['weekly'], holidays: cal.holidays };
  const propose = (current: SlaPolicySnapshot): SlaPolicySnapshot | null =>
    current.policyId !== id
      ? null
      : {
          ...current,
          name: body.name,
          calendar,
          firstResponseMinutes: body.firstResponseMinutes,
          resolutionMinutes: body.resolutionMinutes,
          pauseOn: body.pauseOn as TicketStatus[],
          escalations: body.escalations as LadderStep[],
          autoCloseDays: body.autoCloseDays,
          pauseOnIncident: body.pauseOnIncident,
          // Absent in the body: the policy keeps what it has (as the save does).
          ...(body.nextReplyMinutes !== undefined && { nextReplyMinutes: body.nextReplyMinutes }),
          ...(body.nextReplyEscalations !== undefined && { nextReplyEscalations: body.nextReplyEscalations }),
          ...(body.updateEveryMinutes !== undefined && { updateEveryMinutes: body.updateEveryMinutes }),
          ...(body.updateEscalations !== undefined && { updateEscalations: body.updateEscalations }),
        };
  return previewImpact(db, live, { kind: 'sla_policy', targetId: id, propose, ...page, now: Date.now() });
}

/** The impact of replacing calendar `id` with `body` (checked by the caller). */
export async function calendarImpact(db: Kysely<Database>, live: LiveInputs, id: string, body: CalendarInput, page: Page): Promise<ImpactReport> {
  if (!(await db.selectFrom('calendars').select('id').where('id', '=', id).executeTakeFirst())) throw new NotFound('calendar');
  const using = new Set((await db.selectFrom('sla_policies').select('id').where('calendar_id', '=', id).execute()).map((p) => p.id));
  const calendar: CalendarSpec = { timezone: body.timezone, weekly: body.weekly, holidays: body.holidays };
  const propose = (current: SlaPolicySnapshot): SlaPolicySnapshot | null => (current.policyId !== null && using.has(current.policyId) ? { ...current, calendar } : null);
  return previewImpact(db, live, { kind: 'calendar', targetId: id, propose, ...page, now: Date.now() });
}
