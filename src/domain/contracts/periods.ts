/**
 * A contract's periods: calendar months (or quarters) in the contract's zone, each from the
 * first instant of its first local day to the first instant of the next period's. DST moves
 * the instants, never the local dates: a November in New York is 30 days and one hour long.
 */
import { DAY_MS, segmentsAroundDay } from '../../../workflows/sla/zone-offsets';

export type PeriodKind = 'monthly' | 'quarterly';

export interface Period {
  /** "2026-11" (monthly) or "2026-Q4" (quarterly). */
  key: string;
  start: Date;
  end: Date;
}

/** The first instant whose local date in `zone` is `day` (days since 1970-01-01); a day starting in a DST gap starts at the gap's end. */
export function startOfLocalDay(zone: string, day: number): number {
  for (const seg of segmentsAroundDay(zone, day)) {
    const candidate = Math.max(seg.start, day * DAY_MS - seg.offset);
    if (candidate < seg.end && Math.floor((candidate + seg.offset) / DAY_MS) === day) return candidate;
  }
  throw new Error(`no instant of day ${day} in ${zone}`);
}

const monthsOf = (kind: PeriodKind) => (kind === 'monthly' ? 1 : 3);
/** Months since year 0 of a YYYY-MM-01 date. */
const monthIndexOf = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const dayOfMonthIndex = (m: number) => Math.floor(Date.UTC(Math.floor(m / 12), m % 12, 1) / DAY_MS);

function periodAt(kind: PeriodKind, zone: string, monthIndex: number): Period {
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  const key = kind === 'monthly' ? `${year}-${String(month).padStart(2, '0')}` : `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
  return {
    key,
    start: new Date(startOfLocalDay(zone, dayOfMonthIndex(monthIndex))),
    end: new Date(startOfLocalDay(zone, dayOfMonthIndex(monthIndex + monthsOf(kind)))),
  };
}

export interface PeriodTerms {
  period: PeriodKind;
  timezone: string;
  /** YYYY-MM-01: the first local date of the first period. */
  startsOn: string;
}

/** The n-th period of a contract (0 = the first). */
export const nthPeriod = (t: PeriodTerms, n: number): Period => periodAt(t.period, t.timezone, monthIndexOf(t.startsOn) + n * monthsOf(t.period));

/** The period holding `instant`, or null before the contract starts. */
export function periodContaining(t: PeriodTerms, instant: Date): Period | null {
  const first = nthPeriod(t, 0);
  if (instant < first.start) return null;
  // A local month is within a day of its UTC month, so the guess is off by at most one period.
  const approx = Math.floor((instant.getUTCFullYear() * 12 + instant.getUTCMonth() - monthIndexOf(t.startsOn)) / monthsOf(t.period));
  for (const n of [approx - 1, approx, approx + 1]) {
    if (n < 0) continue;
    const p = nthPeriod(t, n);
    if (p.start <= instant && instant < p.end) return p;
  }
  throw new Error(`no period holds ${instant.toISOString()}`);
}

/** The period named by `key` ("2026-11", "2026-Q4"), or null when the key is not one of this contract's. */
export function periodByKey(t: PeriodTerms, key: string): Period | null {
  const m = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/.exec(key);
  if (!m) return null;
  const monthIndex = Number(m[1]) * 12 + (m[2] !== undefined ? Number(m[2]) - 1 : (Number(m[3]) - 1) * 3);
  const offset = monthIndex - monthIndexOf(t.startsOn);
  if (offset < 0 || offset % monthsOf(t.period) !== 0 || (m[2] !== undefined) !== (t.period === 'monthly')) return null;
  return nthPeriod(t, offset / monthsOf(t.period));
}
