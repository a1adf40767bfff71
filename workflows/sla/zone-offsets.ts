/**
 * UTC-offset lookups for IANA zones, built only on Intl.DateTimeFormat so that
 * workflow code stays deterministic (no I/O, no clock, no Node built-ins).
 *
 * The calendar needs, for one local date, the UTC stretches of constant offset
 * that can hold instants of that date. We get them by sampling offsets on a
 * fixed UTC grid and binary-searching (to the second) inside any grid cell
 * whose two ends disagree. The grid is aligned to UTC, so neighbouring days
 * share samples and the memo below makes walking day by day cheap.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** No zone in tzdata (LMT included) strays further than this from UTC. */
export const MAX_OFFSET_MS = 18 * HOUR_MS;
/** Grid step; no zone has two transitions this close together. */
const CELL_MS = 6 * HOUR_MS;

/** A stretch [start, end) of UTC instants that share one offset (local = utc + offset). */
export interface OffsetSegment {
  start: number;
  end: number;
  offset: number;
}

/** Small insertion-ordered cache: the oldest entry goes first when full. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly limit: number) {}
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  set(key: K, value: V): void {
    if (this.map.size >= this.limit && !this.map.has(key)) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }
}

interface ZoneState {
  format: Intl.DateTimeFormat;
  gridOffsets: BoundedMap<number, number>;
}

const zones = new Map<string, ZoneState>();

function zoneState(zone: string): ZoneState {
  let state = zones.get(zone);
  if (!state) {
    // Throws RangeError for an unknown zone; callers turn that into a validation error.
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      calendar: 'gregory',
      numberingSystem: 'latn',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    state = { format, gridOffsets: new BoundedMap(8192) };
    zones.set(zone, state);
  }
  return state;
}

/** True when Intl knows the zone. */
export function isKnownZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0) return false;
  try {
    zoneState(zone);
    return true;
  } catch {
    return false;
  }
}

/** Offset (ms) of `zone` at instant `ms`: local wall time minus UTC, to the second. */
export function offsetAt(zone: string, ms: number): number {
  const second = Math.floor(ms / 1000) * 1000;
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let sec = 0;
  let bc = false;
  for (const part of zoneState(zone).format.formatToParts(second)) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': sec = Number(part.value); break;
      case 'era': bc = part.value.startsWith('B'); break;
      default: break;
    }
  }
  // Date.UTC maps years 0..99 to 19xx, so set the full year explicitly.
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
  wall.setUTCHours(hour, minute, sec, 0);
  return wall.getTime() - second;
}

function gridOffset(zone: string, cell: number): number {
  const state = zoneState(zone);
  let offset = state.gridOffsets.get(cell);
  if (offset === undefined) {
    offset = offsetAt(zone, cell * CELL_MS);
    state.gridOffsets.set(cell, offset);
  }
  return offset;
}

/** Local calendar day number (days since 1970-01-01) that instant `ms` falls on in `zone`. */
export function localDayOf(zone: string, ms: number): number {
  return Math.floor((ms + offsetAt(zone, ms)) / DAY_MS);
}

/**
 * Constant-offset UTC segments covering every instant whose local date can be
 * `day`: [day start - MAX_OFFSET, day end + MAX_OFFSET). Adjacent segments with
 * the same offset are merged, so a day without transitions yields one segment.
 */
export function segmentsAroundDay(zone: string, day: number): OffsetSegment[] {
  const firstCell = Math.floor((day * DAY_MS - MAX_OFFSET_MS) / CELL_MS);
  const endCell = Math.ceil(((day + 1) * DAY_MS + MAX_OFFSET_MS) / CELL_MS);
  const segments: OffsetSegment[] = [];
  const push = (start: number, end: number, offset: number): void => {
    if (end <= start) return;
    const last = segments[segments.length - 1];
    if (last && last.offset === offset && last.end === start) last.end = end;
    else segments.push({ start, end, offset });
  };
  for (let cell = firstCell; cell < endCell; cell++) {
    const lo = cell * CELL_MS;
    const hi = lo + CELL_MS;
    const a = gridOffset(zone, cell);
    const b = gridOffset(zone, cell + 1);
    if (a === b) {
      push(lo, hi, a);
      continue;
    }
    // First whole second in (lo, hi] that already has offset b.
    let left = lo;
    let right = hi;
    while (right - left > 1000) {
      const mid = left + Math.floor((right - left) / 2000) * 1000;
      if (offsetAt(zone, mid) === a) left = mid;
      else right = mid;
    }
    push(lo, right, a);
    push(right, hi, b);
  }
  return segments;
}
