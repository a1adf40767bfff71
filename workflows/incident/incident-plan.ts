/**
 * An incident's two clocks and their ladders. Acknowledgement runs from detection until
 * someone acknowledges (or the incident is resolved first); resolution runs until it is
 * resolved. Both use the severity's calendar (around the clock unless a policy says
 * otherwise) and the same evaluator as ticket clocks. Pure and deterministic.
 */
import { calendarOf } from '../ticket/clock-plan';
import { evaluateClock, type ClockResult } from '../sla/sla-clock';
import type { ActionSpec, LadderStep } from '../contract/ticket';
import { cadenceCycles } from '../sla/reply-cycles';
import type { IncidentClockName, IncidentClockState, IncidentPolicySnapshot } from '../contract/incident';
import type { CadenceEvent } from '../contract/sla';

/** Default ladder of the update cadence: remind the commander at 80%, escalate to the incident manager at 100%. */
export const DEFAULT_INCIDENT_UPDATE_LADDER: LadderStep[] = [
  { percent: 80, actions: [{ type: 'notify', role: 'incident_commander' }] },
  { percent: 100, actions: [{ type: 'escalate', role: 'incident_manager' }] },
];

/** The policy asks for an update cadence (snapshots older than the field never do). */
export function hasUpdateCadence(policy: IncidentPolicySnapshot): boolean {
  return typeof policy.updateEveryMinutes === 'number';
}

const BREACH_PERCENT = 100;
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

export interface IncidentStep {
  /** `<clock>:<percent>`: stable across re-targeting, so a step fires once per incident. */
  id: string;
  clock: IncidentClockName;
  percent: number;
  at: number | null;
  actions: ActionSpec[];
}

export interface IncidentClockPlan {
  name: IncidentClockName;
  targetMs: number;
  result: ClockResult;
  steps: IncidentStep[];
  /** The cycle of a repeating clock (the update cadence); 0 for the others. */
  cycle: number;
  startedAt: number;
}

export interface IncidentPlan {
  acknowledgement: IncidentClockPlan;
  resolution: IncidentClockPlan;
  /** The update cadence's latest cycle, or null when none is owed or ever was. */
  update: IncidentClockPlan | null;
}

export interface IncidentTiming {
  createdAt: number;
  acknowledgedAt: number | null;
  /** The first resolution meets both clocks; a reopen does not restart them. */
  firstResolvedAt: number | null;
  /** The update cadence's history (absent: none); planned only when `repeatingClocks` is not false. */
  cadence?: readonly CadenceEvent[];
  repeatingClocks?: boolean;
}

export function planIncident(policy: IncidentPolicySnapshot, t: IncidentTiming): IncidentPlan {
  const ackMet = [t.acknowledgedAt, t.firstResolvedAt].filter((x): x is number => x !== null).sort((a, b) => a - b)[0] ?? null;
  return {
    acknowledgement: planClock('acknowledgement', policy, policy.acknowledgeMinutes, policy.acknowledgementEscalations, t.createdAt, ackMet),
    resolution: planClock('resolution', policy, policy.resolveMinutes, policy.resolutionEscalations, t.createdAt, t.firstResolvedAt),
    update: planUpdate(policy, t),
  };
}

function planUpdate(policy: IncidentPolicySnapshot, t: IncidentTiming): IncidentClockPlan | null {
  if (typeof policy.updateEveryMinutes !== 'number' || t.repeatingClocks === false) return null;
  // Active from detection: the first update is owed from the start.
  const cycles = cadenceCycles(t.cadence ?? [], { at: t.createdAt });
  const last = cycles[cycles.length - 1]!;
  return planClock('update', policy, policy.updateEveryMinutes, policy.updateEscalations ?? DEFAULT_INCIDENT_UPDATE_LADDER, last.startedAt, last.metAt, cycles.length - 1);
}

function planClock(name: IncidentClockName, policy: IncidentPolicySnapshot, minutes: number, ladder: LadderStep[], startedAt: number, metAt: number | null, cycle = 0): IncidentClockPlan {
  const percents = [...new Set([...ladder.map((s) => s.percent), BREACH_PERCENT])].sort((a, b) => a - b);
  const targetMs = minutes * 60_000;
  const result = evaluateClock({ calendar: calendarOf(policy.calendar), startedAt, targetMs, percents, pauses: [], metAt });
  const steps = percents.map((percent) => ({
    id: name === 'update' ? `update:${cycle}:${percent}` : `${name}:${percent}`,
    clock: name,
    percent,
    at: result.escalations.find((e) => e.percent === percent)?.at ?? null,
    actions: ladder.find((s) => s.percent === percent)?.actions ?? [],
  }));
  return { name, targetMs, result, steps, cycle, startedAt };
}

export function incidentClocks(plan: IncidentPlan): IncidentClockPlan[] {
  return plan.update ? [plan.acknowledgement, plan.resolution, plan.update] : [plan.acknowledgement, plan.resolution];
}

/** Steps whose instant has come, strictly before their clock was met, not yet fired; oldest first. */
export function dueIncidentSteps(plan: IncidentPlan, fired: ReadonlySet<string>, now: number): IncidentStep[] {
  const due: IncidentStep[] = [];
  for (const clock of incidentClocks(plan)) {
    const met = clock.result.metAt;
    for (const s of clock.steps) {
      if (fired.has(s.id) || s.at === null || s.at > now) continue;
      if (met === null || s.at < met) due.push(s);
    }
  }
  return due.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
}

export function nextIncidentStepAt(plan: IncidentPlan, fired: ReadonlySet<string>, now: number): number | null {
  let next: number | null = null;
  for (const clock of incidentClocks(plan)) {
    if (clock.result.metAt !== null) continue;
    for (const s of clock.steps) {
      if (fired.has(s.id) || s.at === null || s.at <= now) continue;
      if (next === null || s.at < next) next = s.at;
    }
  }
  return next;
}

/** The n-th post-mortem reminder (0-based): the policy's schedule after resolution, then weekly. */
export function postmortemReminderAt(policy: IncidentPolicySnapshot, resolvedAt: number, n: number): number {
  const hours = policy.postmortemReminderHours.length ? [...policy.postmortemReminderHours].sort((a, b) => a - b) : [24];
  if (n < hours.length) return resolvedAt + hours[n]! * HOUR_MS;
  return resolvedAt + hours[hours.length - 1]! * HOUR_MS + (n - hours.length + 1) * WEEK_MS;
}

export function describeIncidentClock(clock: IncidentClockPlan, fired: ReadonlySet<string>, now: number): IncidentClockState {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const { dueAt, metAt } = clock.result;
  return {
    name: clock.name,
    targetMinutes: clock.targetMs / 60_000,
    dueAt: iso(dueAt),
    metAt: iso(metAt),
    breached: metAt === null ? (dueAt !== null && dueAt <= now ? true : null) : clock.result.breached,
    escalations: clock.steps.map((s) => ({ percent: s.percent, at: iso(s.at), fired: fired.has(s.id) })),
  };
}
