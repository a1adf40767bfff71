/**
 * SLA clock evaluation: a clock accumulates time that is open on its calendar
 * and outside its pauses. Pure, so the ticket workflow (for its timers), the
 * query handler and the preview endpoint all derive the same instants from
 * the same inputs.
 */
import { BusinessCalendar } from './business-calendar';

export interface ClockInput {
  calendar: BusinessCalendar;
  startedAt: number;
  targetMs: number;
  percents: number[];
  pauses: Array<{ from: number; to: number | null }>;
  metAt: number | null;
}

export interface ClockResult {
  dueAt: number | null;
  metAt: number | null;
  /** null while unmet; met exactly at dueAt is not a breach. */
  breached: boolean | null;
  pausedSince: number | null;
  escalations: Array<{ percent: number; at: number | null }>;
}

/** A stretch of wall time during which the clock runs: [from, to), `to` Infinity for "runs on". */
interface RunningSpan {
  from: number;
  to: number;
}

/**
 * Pauses clipped to the clock's life and merged. After metAt pauses no longer
 * count (the clock "runs on" so due and ladder instants stay defined), so they
 * are cut at metAt. An open pause becomes [from, Infinity).
 */
function effectivePauses(input: ClockInput): RunningSpan[] {
  const cut = input.metAt ?? Infinity;
  const spans = input.pauses
    .map((p) => ({ from: Math.max(p.from, input.startedAt), to: Math.min(p.to ?? Infinity, cut) }))
    .filter((p) => p.to > p.from)
    .sort((a, b) => a.from - b.from);
  const merged: RunningSpan[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.from <= last.to) last.to = Math.max(last.to, span.to);
    else merged.push({ ...span });
  }
  return merged;
}

/** The complement of the pauses from startedAt on. */
function runningSpans(input: ClockInput, pauses: RunningSpan[]): RunningSpan[] {
  const spans: RunningSpan[] = [];
  let cursor = input.startedAt;
  for (const p of pauses) {
    if (p.from > cursor) spans.push({ from: cursor, to: p.from });
    cursor = p.to;
  }
  if (cursor < Infinity) spans.push({ from: cursor, to: Infinity });
  return spans;
}

/** Earliest instant at which the running spans hold `amountMs` of open time, or null. */
function reach(calendar: BusinessCalendar, spans: RunningSpan[], open: number[], amountMs: number): number | null {
  let remaining = amountMs;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const available = open[i]!;
    if (available >= remaining) return calendar.addBusinessMs(span.from, remaining);
    remaining -= available;
  }
  return null;
}

export function evaluateClock(input: ClockInput): ClockResult {
  const { calendar, metAt } = input;
  const pauses = effectivePauses(input);
  const spans = runningSpans(input, pauses);
  // The open time of each bounded span is needed by every threshold; compute it once.
  const open = spans.map((s) => (s.to === Infinity ? Infinity : calendar.businessMsBetween(s.from, s.to)));
  const at = (percent: number): number | null => {
    const threshold = Math.round((percent / 100) * input.targetMs);
    if (threshold <= 0) return input.startedAt;
    return reach(calendar, spans, open, threshold);
  };

  const dueAt = at(100);
  const lastPause = pauses[pauses.length - 1];
  const pausedSince = metAt === null && lastPause && lastPause.to === Infinity ? lastPause.from : null;
  let breached: boolean | null = null;
  // A due that can never come (calendar never opens) cannot have been missed.
  if (metAt !== null) breached = dueAt !== null && metAt > dueAt;

  return {
    dueAt,
    metAt,
    breached,
    pausedSince,
    escalations: input.percents.map((percent) => ({ percent, at: at(percent) })),
  };
}

/** Clock time accumulated from startedAt to min(now, metAt), pauses excluded. */
export function elapsedBusinessMs(input: ClockInput, nowMs: number): number {
  const end = Math.min(nowMs, input.metAt ?? Infinity);
  if (!(end > input.startedAt)) return 0;
  let total = 0;
  for (const span of runningSpans(input, effectivePauses(input))) {
    if (span.from >= end) break;
    total += input.calendar.businessMsBetween(span.from, Math.min(span.to, end));
  }
  return total;
}

/** The earliest due instant among clocks still running (unmet, not paused): what a workflow is sorted by in Temporal's visibility; null when none runs. */
export function nextDeadline(clocks: ReadonlyArray<ClockResult | null | undefined>): number | null {
  let next: number | null = null;
  for (const c of clocks) {
    if (!c || c.metAt !== null || c.pausedSince !== null || c.dueAt === null) continue;
    if (next === null || c.dueAt < next) next = c.dueAt;
  }
  return next;
}
