/**
 * Property-style checks for the business calendar (split from
 * business-calendar.test.ts to keep files short): addBusinessMs must be the
 * exact inverse of businessMsBetween, and both must agree with a brute-force
 * reading of the definition (local wall time of each minute, straight from Intl).
 */
import assert from 'node:assert/strict';
import { BusinessCalendar, CalendarSpec, Weekday } from '../../workflows/sla/business-calendar';

const H = 3_600_000;
const M = 60_000;
const t = (iso: string): number => Date.parse(iso);

/** Tiny seeded LCG (Numerical Recipes constants) so failures replay exactly. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORK: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const weekly = (days: Weekday[], windows: Array<[string, string]>): CalendarSpec['weekly'] =>
  Object.fromEntries(days.map((d) => [d, windows]));

const SPECS: Record<string, CalendarSpec> = {
  'New York 9-17 with holidays': {
    timezone: 'America/New_York',
    weekly: weekly(WORK, [['09:00', '17:00']]),
    holidays: ['2025-12-25', '2026-01-01', '2026-05-25', '2026-07-03', '2026-12-25', '2027-01-01'],
  },
  'London split windows': { timezone: 'Europe/London', weekly: weekly(WORK, [['09:00', '12:00'], ['13:00', '17:30']]), holidays: ['2026-12-25'] },
  'Adelaide 24/7 with holidays': {
    timezone: 'Australia/Adelaide',
    weekly: weekly(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], [['00:00', '24:00']]),
    holidays: ['2026-01-26', '2026-10-04', '2027-04-04'],
  },
  'Kathmandu early hours': { timezone: 'Asia/Kathmandu', weekly: weekly(['sun', 'mon', 'tue', 'wed', 'thu'], [['10:00', '17:00']]), holidays: [] },
  'Sydney night shift around DST': { timezone: 'Australia/Sydney', weekly: weekly(['sat', 'sun'], [['01:30', '02:30'], ['02:45', '24:00']]), holidays: [] },
};

describe('BusinessCalendar properties', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(`addBusinessMs inverts businessMsBetween and is earliest: ${name}`, () => {
      const calendar = BusinessCalendar.from(spec);
      const random = lcg(0x5eed ^ name.length);
      const lo = t('2025-10-01T00:00:00Z');
      const span = t('2027-06-01T00:00:00Z') - lo;
      for (let i = 0; i < 400; i++) {
        const from = lo + Math.floor(random() * span);
        const amount = 1 + Math.floor(random() * 120 * H);
        const due = calendar.addBusinessMs(from, amount);
        assert.ok(due !== null && due >= from, `${name}: no due for ${new Date(from).toISOString()} + ${amount}`);
        const context = `${name}: ${new Date(from).toISOString()} + ${amount}ms -> ${new Date(due).toISOString()}`;
        assert.equal(calendar.businessMsBetween(from, due), amount, context);
        assert.ok(calendar.businessMsBetween(from, due - 1) < amount, `${context} is not the earliest`);
        assert.equal(calendar.isOpenAt(due - 1), true, `${context}: the last counted ms must be open`);
      }
    });
  }
});

/** The definition, read literally: is the wall time of instant `ms` inside a window of its wall date? */
function oracle(spec: CalendarSpec): (ms: number) => boolean {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: spec.timezone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
  const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  return (ms) => {
    const p = Object.fromEntries(format.formatToParts(ms).map((x) => [x.type, x.value]));
    if (spec.holidays.includes(`${p.year}-${p.month}-${p.day}`)) return false;
    const windows = spec.weekly[String(p.weekday).toLowerCase().slice(0, 3) as Weekday] ?? [];
    const now = Number(p.hour) * 60 + Number(p.minute);
    return windows.some(([s, e]) => minutes(s) <= now && now < minutes(e));
  };
}

describe('BusinessCalendar agrees with a minute-by-minute reading of the definition', () => {
  const cases: Array<{ name: string; spec: CalendarSpec; from: string; to: string }> = [
    {
      name: 'New York fall-back with windows around the repeated hour',
      spec: { timezone: 'America/New_York', weekly: weekly(['sat', 'sun'], [['00:30', '01:30'], ['01:45', '02:15'], ['23:00', '24:00']]), holidays: [] },
      from: '2026-10-30T00:00:00Z', to: '2026-11-03T00:00:00Z',
    },
    {
      name: 'Adelaide spring-forward inside a window',
      spec: { timezone: 'Australia/Adelaide', weekly: weekly(['sat', 'sun'], [['01:15', '02:15'], ['02:30', '03:30']]), holidays: ['2026-10-03'] },
      from: '2026-10-02T00:00:00Z', to: '2026-10-06T00:00:00Z',
    },
    {
      name: 'Santiago: clocks change at local midnight',
      spec: { timezone: 'America/Santiago', weekly: weekly(['fri', 'sat', 'sun', 'mon'], [['00:00', '00:45'], ['22:30', '24:00']]), holidays: [] },
      from: '2026-04-03T00:00:00Z', to: '2026-04-07T00:00:00Z',
    },
    {
      name: 'Kathmandu 1986: +5:30 to +5:45 at midnight',
      spec: { timezone: 'Asia/Kathmandu', weekly: weekly(['mon', 'tue', 'wed', 'thu'], [['00:00', '00:30'], ['23:40', '24:00']]), holidays: [] },
      from: '1985-12-30T00:00:00Z', to: '1986-01-03T00:00:00Z',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const calendar = BusinessCalendar.from(c.spec);
      const isOpen = oracle(c.spec);
      const from = t(c.from);
      let openMinutes = 0;
      for (let ms = from; ms < t(c.to); ms += M) {
        const expected = isOpen(ms);
        assert.equal(calendar.isOpenAt(ms), expected, `isOpenAt ${new Date(ms).toISOString()}`);
        if (!expected) continue;
        openMinutes++;
        // The calendar must reach k minutes exactly at the end of the k-th open minute.
        assert.equal(calendar.addBusinessMs(from, openMinutes * M), ms + M, `minute ${openMinutes} of open time`);
      }
      assert.ok(openMinutes > 0, 'case should contain open time');
      assert.equal(calendar.businessMsBetween(from, t(c.to)), openMinutes * M);
    });
  }
});
