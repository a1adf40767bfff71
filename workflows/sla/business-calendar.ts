/**
 * Business-calendar math for SLA clocks: which instants are "open", how much
 * open time lies between two instants, and when a given amount of open time
 * has elapsed. Imported by workflow code, so it is pure and deterministic:
 * epoch milliseconds in, epoch milliseconds out, zone offsets from Intl only.
 *
 * A window [s, e) on local date D is exactly the set of instants whose local
 * wall-clock time on D lies in [s, e). We split the day into constant-offset
 * segments and map each window back per segment, which gives DST days their
 * real length (23h / 25h) and makes skipped or repeated wall times come out
 * right without special cases.
 */
import { CalendarError, parseCalendarSpec, ParsedCalendar } from './calendar-spec';
import { BoundedMap, DAY_MS, localDayOf, MAX_OFFSET_MS, segmentsAroundDay } from './zone-offsets';
import { CalendarSpec, Weekday } from '../contract/sla';

export { CalendarError };
export type { CalendarSpec, Weekday };

/** How far addBusinessMs / nextOpenAt look before deciding the calendar never opens. */
const HORIZON_DAYS = 3660;

/** Open UTC intervals of one local day, sorted and merged: [s0, e0, s1, e1, ...]. */
type DayIntervals = readonly number[];

const NO_INTERVALS: DayIntervals = [];

export class BusinessCalendar {
  static readonly ALWAYS_OPEN: BusinessCalendar = BusinessCalendar.from({
    timezone: 'UTC',
    weekly: {
      mon: [['00:00', '24:00']],
      tue: [['00:00', '24:00']],
      wed: [['00:00', '24:00']],
      thu: [['00:00', '24:00']],
      fri: [['00:00', '24:00']],
      sat: [['00:00', '24:00']],
      sun: [['00:00', '24:00']],
    },
    holidays: [],
  });

  readonly timezone: string;
  /** Every local day fully open and no holidays: the zone cannot matter, so skip the walk. */
  private readonly alwaysOpen: boolean;
  /** No window on any weekday: nothing can ever be open. */
  private readonly neverOpen: boolean;
  private readonly days = new BoundedMap<number, DayIntervals>(4096);

  private constructor(private readonly parsed: ParsedCalendar) {
    this.timezone = parsed.timezone;
    this.neverOpen = parsed.windows.every((w) => w.length === 0);
    this.alwaysOpen = parsed.holidays.size === 0 && parsed.windows.every(coversWholeDay);
  }

  /** Validates the spec; throws CalendarError naming the offending field (e.g. "weekly.mon[0]"). */
  static from(spec: CalendarSpec): BusinessCalendar {
    return new BusinessCalendar(parseCalendarSpec(spec));
  }

  /** Open time in [fromMs, toMs); 0 when toMs <= fromMs. */
  businessMsBetween(fromMs: number, toMs: number): number {
    if (!(toMs > fromMs)) return 0;
    if (this.alwaysOpen) return toMs - fromMs;
    if (this.neverOpen) return 0;
    // Local days are disjoint sets of instants, so summing per day needs no ordering.
    const firstDay = Math.floor((fromMs - MAX_OFFSET_MS) / DAY_MS);
    const lastDay = Math.floor((toMs + MAX_OFFSET_MS) / DAY_MS);
    let total = 0;
    for (let day = firstDay; day <= lastDay; day++) {
      const iv = this.dayIntervals(day);
      for (let i = 0; i < iv.length; i += 2) {
        const s = Math.max(iv[i]!, fromMs);
        const e = Math.min(iv[i + 1]!, toMs);
        if (e > s) total += e - s;
      }
    }
    return total;
  }

  /**
   * Earliest t >= fromMs with businessMsBetween(fromMs, t) >= amountMs. A target
   * that is used up exactly at a window's end lands on that end, not on the next
   * opening. Null when nothing is open within the search horizon.
   */
  addBusinessMs(fromMs: number, amountMs: number): number | null {
    if (!(amountMs > 0)) return fromMs;
    if (this.alwaysOpen) return fromMs + amountMs;
    if (this.neverOpen) return null;
    const cursor = new OpenIntervalCursor(this, fromMs);
    let remaining = amountMs;
    for (let iv = cursor.next(); iv; iv = cursor.next()) {
      const start = Math.max(iv[0], fromMs);
      if (iv[1] <= start) continue;
      const length = iv[1] - start;
      if (length >= remaining) return start + remaining;
      remaining -= length;
    }
    return null;
  }

  isOpenAt(ms: number): boolean {
    if (this.alwaysOpen) return true;
    if (this.neverOpen || !Number.isFinite(ms)) return false;
    // By definition only the instant's own local date can make it open.
    const iv = this.dayIntervals(localDayOf(this.timezone, ms));
    for (let i = 0; i < iv.length; i += 2) {
      if (iv[i]! <= ms && ms < iv[i + 1]!) return true;
    }
    return false;
  }

  /** `ms` itself when open, else the start of the next open interval; null if none within the horizon. */
  nextOpenAt(ms: number): number | null {
    if (!Number.isFinite(ms) || this.neverOpen) return null;
    if (this.alwaysOpen) return ms;
    const cursor = new OpenIntervalCursor(this, ms);
    for (let iv = cursor.next(); iv; iv = cursor.next()) {
      if (iv[1] > ms) return Math.max(iv[0], ms);
    }
    return null;
  }

  /** @internal Open UTC intervals of local day number `day` (days since 1970-01-01). */
  dayIntervals(day: number): DayIntervals {
    const cached = this.days.get(day);
    if (cached) return cached;
    const result = this.computeDay(day);
    this.days.set(day, result);
    return result;
  }

  private computeDay(day: number): DayIntervals {
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    const windows = this.parsed.windows[weekday] ?? [];
    if (windows.length === 0 || this.parsed.holidays.has(day)) return NO_INTERVALS;
    const midnight = day * DAY_MS; // local wall midnight, expressed on the UTC axis
    const pieces: Array<[number, number]> = [];
    for (const seg of segmentsAroundDay(this.timezone, day)) {
      const wallStart = seg.start + seg.offset;
      const wallEnd = seg.end + seg.offset;
      for (const [ws, we] of windows) {
        const lo = Math.max(wallStart, midnight + ws);
        const hi = Math.min(wallEnd, midnight + we);
        if (lo < hi) pieces.push([lo - seg.offset, hi - seg.offset]);
      }
    }
    pieces.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [s, e] of pieces) {
      if (out.length > 0 && s <= out[out.length - 1]!) out[out.length - 1] = Math.max(out[out.length - 1]!, e);
      else out.push(s, e);
    }
    return out;
  }
}

function coversWholeDay(windows: ReadonlyArray<readonly [number, number]>): boolean {
  let reached = 0;
  for (const [s, e] of windows) {
    if (s > reached) return false;
    reached = Math.max(reached, e);
  }
  return reached >= DAY_MS;
}

/**
 * Walks open intervals in UTC order, day by day. Abutting intervals (a 24:00
 * end meeting the next day's 00:00) are not merged: callers only sum or look
 * for the first interval ending after an instant, and merging would make a
 * 24/7-with-holidays calendar scan to the horizon. Days are loaded a little
 * ahead because, around offset changes, one local day's instants can sit later
 * on the UTC axis than the start of the next day's.
 */
class OpenIntervalCursor {
  private buffer: Array<[number, number]> = [];
  private head = 0;
  private nextDay: number;
  private readonly lastDay: number;

  constructor(private readonly calendar: BusinessCalendar, fromMs: number) {
    this.nextDay = Math.floor((fromMs - MAX_OFFSET_MS) / DAY_MS) - 1;
    this.lastDay = Math.floor(fromMs / DAY_MS) + HORIZON_DAYS;
  }

  /** The earliest interval not yet returned, or null past the horizon. */
  next(): readonly [number, number] | null {
    // Any not-yet-loaded day only holds instants >= its midnight - MAX_OFFSET,
    // so the buffered head is the earliest once it starts before that bound.
    while (this.nextDay <= this.lastDay) {
      const top = this.buffer[this.head];
      if (top && top[0] < this.nextDay * DAY_MS - MAX_OFFSET_MS) break;
      this.load(this.nextDay++);
    }
    const top = this.buffer[this.head];
    if (!top) return null;
    this.head++;
    return top;
  }

  private load(day: number): void {
    const iv = this.calendar.dayIntervals(day);
    if (iv.length === 0) return;
    if (this.head > 64) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    const before = this.buffer.length;
    for (let i = 0; i < iv.length; i += 2) this.buffer.push([iv[i]!, iv[i + 1]!]);
    const prev = this.buffer[before - 1];
    if (prev && before > this.head && prev[0] > iv[0]!) {
      const live = this.buffer.slice(this.head).sort((a, b) => a[0] - b[0]);
      this.buffer = live;
      this.head = 0;
    }
  }
}
