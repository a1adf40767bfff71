/**
 * An agent's shift at an instant: working now, when the shift ends, when the next one starts.
 * A shift is the agent's calendar (the same calendars SLA policies use; none: always working)
 * less their days off (local dates in the agent's own time zone). Pure: the snapshot activity
 * computes it at the routing workflow's "now", with the SLA clocks' calendar math.
 */
import { BusinessCalendar, type CalendarSpec } from '../sla/business-calendar';
import { DAY_MS, localDayOf } from '../sla/zone-offsets';

/** A shift longer than this counts as never ending (a 24/7 calendar). */
const ENDLESS_MS = 8 * DAY_MS;
/** Steps of "next open on one calendar, is the other open then?" before giving up on a next shift. */
const MAX_STEPS = 400;

const ALL_DAY: Array<[string, string]> = [['00:00', '24:00']];

export interface ShiftWindow {
  workingNow: boolean;
  /** Working now: when the shift ends (null: not within 8 days, i.e. never). */
  shiftEndsAt: number | null;
  /** Not working now: when the next shift starts (null: none within the calendar's horizon). */
  backAt: number | null;
}

export function shiftWindow(calendar: CalendarSpec | null, daysOff: string[], timeZone: string, now: number): ShiftWindow {
  const calendars = [calendar ? BusinessCalendar.from(calendar) : BusinessCalendar.ALWAYS_OPEN];
  if (daysOff.length > 0) {
    calendars.push(BusinessCalendar.from({ timezone: timeZone, weekly: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY }, holidays: daysOff }));
  }
  const open = (t: number) => calendars.every((c) => c.isOpenAt(t));
  if (open(now)) {
    // The shift is the intersection: it ends when the first of the calendars closes.
    const ends = calendars.map((c) => runEnd(c, now, now + ENDLESS_MS));
    const end = ends.every((e) => e === null) ? null : Math.min(...ends.filter((e): e is number => e !== null));
    return { workingNow: true, shiftEndsAt: end, backAt: null };
  }
  let t = now;
  for (let step = 0; step < MAX_STEPS; step++) {
    let moved = false;
    for (const c of calendars) {
      const next = c.nextOpenAt(t);
      if (next === null) return { workingNow: false, shiftEndsAt: null, backAt: null };
      if (next > t) {
        t = next;
        moved = true;
      }
    }
    if (!moved || open(t)) return { workingNow: false, shiftEndsAt: null, backAt: t };
  }
  return { workingNow: false, shiftEndsAt: null, backAt: null };
}

/** The end of the open run of `calendar` that holds `t` (open intervals that abut are one run); null past `horizon`. */
function runEnd(calendar: BusinessCalendar, t: number, horizon: number): number | null {
  let at = t;
  while (at < horizon) {
    const iv = intervalAt(calendar, at);
    if (!iv) return at;
    at = iv[1];
  }
  return null;
}

function intervalAt(calendar: BusinessCalendar, t: number): [number, number] | null {
  const day = localDayOf(calendar.timezone, t);
  for (const d of [day - 1, day, day + 1]) {
    const iv = calendar.dayIntervals(d);
    for (let i = 0; i < iv.length; i += 2) if (iv[i]! <= t && t < iv[i + 1]!) return [iv[i]!, iv[i + 1]!];
  }
  return null;
}
