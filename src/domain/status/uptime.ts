/**
 * Uptime of one component over the last N UTC days (90 on the status page), from the
 * stretches incidents held it at an impact. Down time is the union of the stretches at
 * partial_outage or major_outage (overlapping incidents count once; degraded counts as up),
 * clipped to each day, to the moment the component was created and to now. A day the
 * component did not exist in at all has no data (null), not 100%. Pure and exact: times are
 * whole milliseconds and percentages are floored, so any down time at all shows below 100.
 */
import { isDowntime } from './component-status';

export const DAY_MS = 86_400_000;

export interface ImpactStretch {
  impact: string;
  startedAt: Date;
  /** Null while the impact lasts. */
  endedAt: Date | null;
}

export interface DayUptime {
  /** The UTC date, YYYY-MM-DD. */
  date: string;
  /** Floored to two decimals; null when the component did not exist on that day (no data). */
  uptimePercent: number | null;
  downtimeMs: number;
  /** How much of the day was observed: the part after creation and before now. */
  observedMs: number;
}

export interface UptimeReport {
  days: DayUptime[];
  /** Over every observed moment of the window; null when nothing was observed. */
  uptimePercent: number | null;
  downtimeMs: number;
  observedMs: number;
}

type Interval = [start: number, end: number];

/** Start of the UTC day holding `t`. */
export function utcDayStart(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** The disjoint, sorted union of the down-time stretches, open ones running to `now`. */
export function downtimeIntervals(stretches: Iterable<ImpactStretch>, now: number): Interval[] {
  const raw: Interval[] = [];
  for (const s of stretches) {
    if (!isDowntime(s.impact)) continue;
    const start = s.startedAt.getTime();
    const end = Math.min(s.endedAt === null ? now : s.endedAt.getTime(), now);
    if (end > start) raw.push([start, end]);
  }
  raw.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Interval[] = [];
  for (const [start, end] of raw) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Length of the part of the disjoint sorted `intervals` inside [from, to). */
function overlap(intervals: Interval[], from: number, to: number): number {
  let total = 0;
  for (const [start, end] of intervals) {
    if (start >= to) break;
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    if (e > s) total += e - s;
  }
  return total;
}

/** Up time as a percentage of observed time, floored to two decimals; below 100 whenever there was any down time. */
export function uptimePercent(observedMs: number, downtimeMs: number): number | null {
  if (observedMs <= 0) return null;
  const basisPoints = Math.floor(((observedMs - downtimeMs) * 10_000) / observedMs);
  return (downtimeMs > 0 ? Math.min(basisPoints, 9_999) : basisPoints) / 100;
}

export function componentUptime(input: { createdAt: Date; stretches: Iterable<ImpactStretch>; now: Date; days?: number }): UptimeReport {
  const now = input.now.getTime();
  const createdAt = input.createdAt.getTime();
  const dayCount = input.days ?? 90;
  const down = downtimeIntervals(input.stretches, now);
  const today = utcDayStart(now);
  const days: DayUptime[] = [];
  let observedTotal = 0;
  let downTotal = 0;
  for (let i = dayCount - 1; i >= 0; i--) {
    const dayStart = today - i * DAY_MS;
    const from = Math.max(dayStart, createdAt);
    const to = Math.min(dayStart + DAY_MS, now);
    const observedMs = Math.max(0, to - from);
    const downtimeMs = observedMs > 0 ? overlap(down, from, to) : 0;
    observedTotal += observedMs;
    downTotal += downtimeMs;
    days.push({ date: new Date(dayStart).toISOString().slice(0, 10), uptimePercent: uptimePercent(observedMs, downtimeMs), downtimeMs, observedMs });
  }
  return { days, uptimePercent: uptimePercent(observedTotal, downTotal), downtimeMs: downTotal, observedMs: observedTotal };
}
