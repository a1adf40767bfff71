/**
 * The calendar's input shape and its validation. Kept apart from the interval
 * math so that a bad policy is rejected with a precise field path before any
 * clock is ever evaluated against it.
 */
import { DAY_MS, isKnownZone, MINUTE_MS } from './zone-offsets';
import type { Weekday, CalendarSpec } from '../contract/sla';

export class CalendarError extends Error {
  constructor(public readonly field: string, message: string) {
    // The field travels separately so the API can put it in its error shape without parsing.
    super(message);
    this.name = 'CalendarError';
  }
}

/** Indexed like Date#getUTCDay: 0 = Sunday. */
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A validated spec: per weekday (0 = Sunday) sorted [startMs, endMs) offsets from local midnight. */
export interface ParsedCalendar {
  timezone: string;
  windows: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  holidays: ReadonlySet<number>;
}

const TIME = /^(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = TIME.exec(value);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0) return DAY_MS;
  if (h > 23 || min > 59) return null;
  return (h * 60 + min) * MINUTE_MS;
}

/** Day number (days since 1970-01-01) of a real Gregorian date, or null. */
export function parseDate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = DATE.exec(value);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  // Rejects 2026-02-30 and friends, which Date would silently roll over.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return Math.round(date.getTime() / DAY_MS);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseCalendarSpec(spec: CalendarSpec): ParsedCalendar {
  if (!isRecord(spec)) throw new CalendarError('calendar', 'must be an object');
  const timezone = spec.timezone;
  if (typeof timezone !== 'string' || !isKnownZone(timezone)) {
    throw new CalendarError('timezone', `unknown IANA time zone ${JSON.stringify(timezone)}`);
  }

  const weekly: unknown = spec.weekly;
  if (!isRecord(weekly)) throw new CalendarError('weekly', 'must be an object keyed by weekday');
  const windows: Array<Array<readonly [number, number]>> = WEEKDAYS.map(() => []);
  for (const [key, list] of Object.entries(weekly)) {
    const dayIndex = WEEKDAYS.indexOf(key as Weekday);
    if (dayIndex < 0) throw new CalendarError(`weekly.${key}`, 'unknown weekday (use mon..sun)');
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new CalendarError(`weekly.${key}`, 'must be an array of [start, end] pairs');
    const seen: Array<{ start: number; end: number; index: number }> = [];
    list.forEach((pair: unknown, index) => {
      const field = `weekly.${key}[${index}]`;
      if (!Array.isArray(pair) || pair.length !== 2) throw new CalendarError(field, 'must be a [start, end] pair');
      const start = parseTime(pair[0]);
      const end = parseTime(pair[1]);
      if (start === null || start === DAY_MS) {
        throw new CalendarError(field, `bad start ${JSON.stringify(pair[0])} (want HH:MM, 00:00..23:59)`);
      }
      if (end === null) throw new CalendarError(field, `bad end ${JSON.stringify(pair[1])} (want HH:MM, 00:01..24:00)`);
      if (start >= end) throw new CalendarError(field, 'start must be before end');
      const clash = seen.find((w) => start < w.end && w.start < end);
      if (clash) throw new CalendarError(field, `overlaps weekly.${key}[${clash.index}]`);
      seen.push({ start, end, index });
    });
    windows[dayIndex] = seen.sort((a, b) => a.start - b.start).map((w) => [w.start, w.end] as const);
  }

  const holidayList: unknown = spec.holidays;
  if (!Array.isArray(holidayList)) throw new CalendarError('holidays', 'must be an array of YYYY-MM-DD dates');
  const holidays = new Set<number>();
  holidayList.forEach((value: unknown, index) => {
    const day = parseDate(value);
    if (day === null) throw new CalendarError(`holidays[${index}]`, `bad date ${JSON.stringify(value)} (want YYYY-MM-DD)`);
    holidays.add(day);
  });

  return { timezone, windows, holidays };
}
