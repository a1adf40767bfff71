/**
 * Turns a ticket's policy and clock history into its SLA plan: each clock's due instant,
 * met instant, pause, and the instants of its ladder steps. Pure and deterministic: the
 * workflow re-plans with it after every change, the API uses it for the first snapshot,
 * and it applies exactly the rules of the SLA preview (the same evaluator underneath).
 */
import { BusinessCalendar, type CalendarSpec } from '../sla/business-calendar';
import { evaluateClock, elapsedBusinessMs, type ClockInput, type ClockResult } from '../sla/sla-clock';
import { resolutionTimeline, REPLY_ENDING_STATUSES, type PreviewEvent } from '../sla/sla-preview';
import { cadenceCycles, nextReplyCycles, type Cycle, type ReplyEvent } from '../sla/reply-cycles';
import type { ClockEvent, ClockName, ClockState, LadderStep, SlaPolicySnapshot, ActionSpec, TicketStatus } from '../contract/ticket';
import type { CadenceEvent } from '../contract/sla';

/** The at-risk threshold: a clock is at risk from here until it breaches. */
export const AT_RISK_PERCENT = 80;
/** The breach is always a step, whether or not the policy's ladder lists 100%. */
export const BREACH_PERCENT = 100;

export interface PlannedStep {
  /** Stable across re-plans and continue-as-new: the key that makes a step fire once. */
  id: string;
  clock: ClockName;
  cycle: number;
  percent: number;
  at: number | null;
  actions: ActionSpec[];
}

export interface PlannedClock {
  name: ClockName;
  cycle: number;
  input: ClockInput;
  result: ClockResult;
  atRiskAt: number | null;
  steps: PlannedStep[];
  /** Why the clock is paused now (a status, or "incident"); null while it runs. */
  pauseReason: string | null;
}

export interface SlaPlan {
  firstResponse: PlannedClock | null;
  resolution: PlannedClock | null;
  /** Every next-reply cycle in order; only the last can still run. */
  nextReply: PlannedClock[];
  /** Every update-cadence cycle in order; only the last can still run. */
  update: PlannedClock[];
}

/** Statuses in which the team owes the customer updates (new is first response's; pending waits on the customer). */
export const UPDATE_OWING_STATUSES: readonly TicketStatus[] = ['open', 'on_hold'];

/** Default ladder of the update cadence: remind the assignee at 80%, escalate at 100%. */
export const DEFAULT_UPDATE_LADDER: LadderStep[] = [
  { percent: 80, actions: [{ type: 'notify', role: 'assignee' }] },
  { percent: 100, actions: [{ type: 'escalate', role: 'manager' }] },
];

export interface PlanOptions {
  /**
   * Plan the next-reply and update-cadence clocks when the policy asks for them. The workflow
   * passes its patch decision here, so a history recorded before these clocks replays as it ran.
   */
  repeatingClocks?: boolean;
}

/** The policy asks for a next-reply or update clock (snapshots older than those fields never do). */
export function hasRepeatingClocks(policy: SlaPolicySnapshot | null): boolean {
  return typeof policy?.nextReplyMinutes === 'number' || typeof policy?.updateEveryMinutes === 'number';
}

/** The clocks whose ladders can still fire: first response, resolution and the latest cycle of each repeating clock. */
export function liveClocks(plan: SlaPlan): PlannedClock[] {
  const last = (cycles: PlannedClock[]) => (cycles.length ? [cycles[cycles.length - 1]!] : []);
  return [plan.firstResponse, plan.resolution, ...last(plan.nextReply), ...last(plan.update)].filter((c): c is PlannedClock => c !== null);
}

/** The current clock a step belongs to, or null when its clock or cycle is gone (met cycles stay theirs). */
export function clockOfStep(plan: SlaPlan, step: Pick<PlannedStep, 'clock' | 'cycle'>): PlannedClock | null {
  if (step.clock === 'first_response') return plan.firstResponse;
  if (step.clock === 'resolution') return plan.resolution;
  const cycles = step.clock === 'next_reply' ? plan.nextReply : plan.update;
  return cycles.find((c) => c.cycle === step.cycle) ?? null;
}

/** The ticket's history as the next-reply clock sees it. */
export function ticketReplyEvents(events: readonly ClockEvent[]): ReplyEvent[] {
  const out: ReplyEvent[] = [];
  for (const e of events) {
    if (e.type === 'agent_reply') out.push({ at: e.at, type: 'first_response' });
    else if (e.type === 'public_reply') out.push({ at: e.at, type: e.by === 'agent' ? 'agent_reply' : 'customer_reply' });
    else if (e.type === 'status' && REPLY_ENDING_STATUSES.includes(e.status)) out.push({ at: e.at, type: 'end' });
  }
  return out;
}

/** The ticket's history as the update cadence sees it. */
export function ticketCadenceEvents(events: readonly ClockEvent[]): CadenceEvent[] {
  const out: CadenceEvent[] = [];
  for (const e of events) {
    if (e.type === 'status') out.push({ at: e.at, type: UPDATE_OWING_STATUSES.includes(e.status) ? 'owing' : 'not_owing' });
    else if (e.type === 'public_reply' && e.by === 'agent') out.push({ at: e.at, type: 'update' });
  }
  return out;
}

function planCycles(name: ClockName, ladder: readonly LadderStep[], calendar: BusinessCalendar, targetMs: number, cycles: readonly Cycle[]): PlannedClock[] {
  return cycles.map((c, i) => planClock(name, i, ladder, { calendar, startedAt: c.startedAt, targetMs, percents: [], pauses: [], metAt: c.metAt }, null));
}

const calendarCache = new Map<string, BusinessCalendar>();

export function calendarFor(policy: SlaPolicySnapshot): BusinessCalendar {
  return calendarOf(policy.calendar);
}

/** One BusinessCalendar per distinct spec: building one precomputes zone offsets. */
export function calendarOf(spec: CalendarSpec): BusinessCalendar {
  const key = JSON.stringify(spec);
  let cal = calendarCache.get(key);
  if (!cal) {
    cal = BusinessCalendar.from(spec);
    if (calendarCache.size > 64) calendarCache.clear();
    calendarCache.set(key, cal);
  }
  return cal;
}

export function planSla(policy: SlaPolicySnapshot | null, createdAt: number, events: readonly ClockEvent[], options: PlanOptions = {}): SlaPlan {
  if (!policy) return { firstResponse: null, resolution: null, nextReply: [], update: [] };
  const calendar = calendarFor(policy);
  const waits = policy.pauseOnIncident === false ? { pauses: [], waiting: false } : incidentWaits(events);

  let firstResponse: PlannedClock | null = null;
  if (policy.firstResponseMinutes !== null) {
    const reply = events.find((e) => e.type === 'agent_reply');
    firstResponse = planClock('first_response', 0, policy.escalations, {
      calendar,
      startedAt: createdAt,
      targetMs: policy.firstResponseMinutes * 60_000,
      percents: [],
      pauses: waits.pauses,
      metAt: reply ? reply.at : null,
    }, waits.waiting ? 'incident' : null);
  }

  let resolution: PlannedClock | null = null;
  if (policy.resolutionMinutes !== null) {
    // A reopen starts a new resolution cycle with the full target from the reopen instant.
    let cycle = 0;
    let startedAt = createdAt;
    events.forEach((e) => {
      if (e.type === 'reopen') {
        cycle += 1;
        startedAt = e.at;
      }
    });
    const statusEvents: PreviewEvent[] = events
      .filter((e): e is Extract<ClockEvent, { type: 'status' }> => e.type === 'status' && e.at >= startedAt)
      .map((e) => ({ at: e.at, type: 'status', status: e.status }));
    const { pauses, metAt } = resolutionTimeline(startedAt, statusEvents, policy.pauseOn);
    const status = statusEvents.length ? (statusEvents[statusEvents.length - 1] as { status: string }).status : null;
    resolution = planClock('resolution', cycle, policy.escalations, {
      calendar,
      startedAt,
      targetMs: policy.resolutionMinutes * 60_000,
      percents: [],
      pauses: [...pauses, ...waits.pauses],
      metAt,
    }, waits.waiting ? 'incident' : status);
  }
  let nextReply: PlannedClock[] = [];
  let update: PlannedClock[] = [];
  if (options.repeatingClocks !== false) {
    // Not paused by statuses or incidents: the customer has just spoken, or the update is owed all the same.
    if (typeof policy.nextReplyMinutes === 'number') {
      nextReply = planCycles('next_reply', policy.nextReplyEscalations ?? policy.escalations, calendar, policy.nextReplyMinutes * 60_000, nextReplyCycles(ticketReplyEvents(events)));
    }
    if (typeof policy.updateEveryMinutes === 'number') {
      // A ticket starts as new (first response's); the cadence is owed from its first move to open.
      update = planCycles('update', policy.updateEscalations ?? DEFAULT_UPDATE_LADDER, calendar, policy.updateEveryMinutes * 60_000, cadenceCycles(ticketCadenceEvents(events), null));
    }
  }
  return { firstResponse, resolution, nextReply, update };
}

/**
 * The stretches during which the ticket waited on at least one linked, active incident, and
 * whether it still does. Overlapping incidents make one pause.
 */
export function incidentWaits(events: readonly ClockEvent[]): { pauses: Array<{ from: number; to: number | null }>; waiting: boolean } {
  const waitingOn = new Set<string>();
  const pauses: Array<{ from: number; to: number | null }> = [];
  let from: number | null = null;
  for (const e of events) {
    if (e.type !== 'incident_wait') continue;
    if (e.waiting) waitingOn.add(e.incidentId);
    else waitingOn.delete(e.incidentId);
    if (waitingOn.size > 0 && from === null) from = e.at;
    if (waitingOn.size === 0 && from !== null) {
      pauses.push({ from, to: e.at });
      from = null;
    }
  }
  if (from !== null) pauses.push({ from, to: null });
  return { pauses, waiting: from !== null };
}

function planClock(name: ClockName, cycle: number, ladder: readonly LadderStep[], base: ClockInput, pauseReason: string | null): PlannedClock {
  const ladderPercents = ladder.map((s) => s.percent);
  const percents = [...new Set([...ladderPercents, BREACH_PERCENT, AT_RISK_PERCENT])].sort((a, b) => a - b);
  const input = { ...base, percents };
  const result = evaluateClock(input);
  const atOf = (p: number) => result.escalations.find((e) => e.percent === p)?.at ?? null;
  const stepPercents = [...new Set([...ladderPercents, BREACH_PERCENT])].sort((a, b) => a - b);
  const steps = stepPercents.map((percent) => ({
    id: `${name}:${cycle}:${percent}`,
    clock: name,
    cycle,
    percent,
    at: atOf(percent),
    actions: ladder.find((s) => s.percent === percent)?.actions ?? [],
  }));
  return { name, cycle, input, result, atRiskAt: atOf(AT_RISK_PERCENT), steps, pauseReason: result.pausedSince === null ? null : pauseReason };
}

/** A step is due once its instant has come, strictly before the clock was met. */
export function isStepDue(step: PlannedStep, clock: PlannedClock, now: number): boolean {
  if (step.at === null || step.at > now) return false;
  return clock.result.metAt === null || step.at < clock.result.metAt;
}

/** The next instant something on the ladder must happen, or null when nothing is scheduled. */
export function nextStepAt(plan: SlaPlan, fired: ReadonlySet<string>, now: number): number | null {
  let next: number | null = null;
  for (const clock of liveClocks(plan)) {
    if (clock.result.metAt !== null) continue;
    for (const step of clock.steps) {
      if (step.at === null || fired.has(step.id) || step.at <= now) continue;
      if (next === null || step.at < next) next = step.at;
    }
  }
  return next;
}

export function dueSteps(plan: SlaPlan, fired: ReadonlySet<string>, now: number): Array<{ step: PlannedStep; clock: PlannedClock }> {
  const due: Array<{ step: PlannedStep; clock: PlannedClock }> = [];
  for (const clock of liveClocks(plan)) {
    for (const step of clock.steps) {
      if (!fired.has(step.id) && isStepDue(step, clock, now)) due.push({ step, clock });
    }
  }
  return due.sort((a, b) => (a.step.at ?? 0) - (b.step.at ?? 0));
}

export function describeClock(clock: PlannedClock, fired: ReadonlySet<string>, now: number): ClockState {
  const elapsed = elapsedBusinessMs(clock.input, now);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    name: clock.name,
    targetMinutes: clock.input.targetMs / 60_000,
    startedAt: new Date(clock.input.startedAt).toISOString(),
    dueAt: iso(clock.result.dueAt),
    metAt: iso(clock.result.metAt),
    breached: clock.result.metAt === null ? (clock.result.dueAt !== null && clock.result.dueAt <= now ? true : null) : clock.result.breached,
    pausedSince: iso(clock.result.pausedSince),
    pauseReason: clock.pauseReason,
    elapsedSeconds: Math.floor(elapsed / 1000),
    percentElapsed: clock.input.targetMs > 0 ? Math.round((elapsed / clock.input.targetMs) * 1000) / 10 : 100,
    escalations: clock.steps.map((s) => ({ percent: s.percent, at: iso(s.at), fired: fired.has(s.id) })),
  };
}
