/**
 * Business-calendar edge cases with hand-computed instants. Every expectation
 * is an ISO UTC string with the local arithmetic beside it, so a failure points
 * at the rule that broke (DST, holidays, window edges, odd offsets).
 */
import assert from 'node:assert/strict';
import { BusinessCalendar, CalendarError, CalendarSpec, Weekday } from '../../workflows/sla/business-calendar';

const H = 3_600_000;
const M = 60_000;
const t = (iso: string): number => {
  const ms = Date.parse(iso);
  assert.ok(Number.isFinite(ms), `bad test instant ${iso}`);
  return ms;
};
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const ALL_DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
function cal(timezone: string, days: Weekday[], windows: Array<[string, string]>, holidays: string[] = []): BusinessCalendar {
  const weekly: CalendarSpec['weekly'] = {};
  for (const d of days) weekly[d] = windows;
  return BusinessCalendar.from({ timezone, weekly, holidays });
}
const nineToFive = (zone: string, holidays: string[] = []): BusinessCalendar =>
  cal(zone, WEEKDAYS, [['09:00', '17:00']], holidays);

describe('BusinessCalendar', () => {
  describe('validation', () => {
    const base: CalendarSpec = { timezone: 'UTC', weekly: { mon: [['09:00', '17:00']] }, holidays: [] };
    const rejects = (spec: unknown, field: string): void => {
      assert.throws(
        () => BusinessCalendar.from(spec as CalendarSpec),
        (err: unknown) => err instanceof CalendarError && err instanceof Error && err.field === field && err.message.length > 0,
      );
    };

    it('rejects an unknown zone', () => rejects({ ...base, timezone: 'Mars/Olympus_Mons' }, 'timezone'));
    it('rejects malformed times with the window path', () => {
      rejects({ ...base, weekly: { mon: [['9:00', '17:00']] } }, 'weekly.mon[0]');
      rejects({ ...base, weekly: { tue: [['09:00', '17:00'], ['18:00', '25:00']] } }, 'weekly.tue[1]');
      rejects({ ...base, weekly: { wed: [['12:60', '13:00']] } }, 'weekly.wed[0]');
      rejects({ ...base, weekly: { thu: [['24:00', '24:00']] } }, 'weekly.thu[0]');
      rejects({ ...base, weekly: { fri: [['09:00']] } }, 'weekly.fri[0]');
    });
    it('rejects start >= end', () => {
      rejects({ ...base, weekly: { mon: [['17:00', '09:00']] } }, 'weekly.mon[0]');
      rejects({ ...base, weekly: { sat: [['10:00', '10:00']] } }, 'weekly.sat[0]');
    });
    it('rejects overlapping windows in a day but accepts abutting ones', () => {
      rejects({ ...base, weekly: { mon: [['09:00', '12:00'], ['11:59', '13:00']] } }, 'weekly.mon[1]');
      rejects({ ...base, weekly: { sun: [['13:00', '17:00'], ['09:00', '14:00']] } }, 'weekly.sun[1]');
      assert.doesNotThrow(() => BusinessCalendar.from({ ...base, weekly: { mon: [['09:00', '12:00'], ['12:00', '24:00']] } }));
    });
    it('rejects unknown weekdays and non-object weekly', () => {
      rejects({ ...base, weekly: { funday: [['09:00', '17:00']] } }, 'weekly.funday');
      rejects({ ...base, weekly: null }, 'weekly');
    });
    it('rejects impossible or malformed holidays', () => {
      rejects({ ...base, holidays: ['2026-12-25', '2026-02-30'] }, 'holidays[1]');
      rejects({ ...base, holidays: ['2026-1-01'] }, 'holidays[0]');
      rejects({ ...base, holidays: '2026-12-25' }, 'holidays');
    });
  });

  describe('24/7', () => {
    it('ALWAYS_OPEN counts wall-clock elapsed time', () => {
      const c = BusinessCalendar.ALWAYS_OPEN;
      assert.equal(c.businessMsBetween(t('2026-03-07T12:00:00Z'), t('2026-03-09T12:00:00Z')), 48 * H);
      assert.equal(c.businessMsBetween(t('2026-03-09T12:00:00Z'), t('2026-03-07T12:00:00Z')), 0);
      assert.equal(iso(c.addBusinessMs(t('2026-03-07T12:00:00Z'), 90 * M)), '2026-03-07T13:30:00.000Z');
      assert.equal(c.isOpenAt(t('2026-12-25T00:00:00Z')), true);
      assert.equal(iso(c.nextOpenAt(t('2026-12-25T03:04:05.678Z'))), '2026-12-25T03:04:05.678Z');
    });

    it('a local 24/7 calendar with a holiday walks days whose 24:00 ends abut the next 00:00', () => {
      const c = cal('America/New_York', ALL_DAYS, [['00:00', '24:00']], ['2026-03-10']);
      // Sat 2026-03-07 12:00 EST (17:00Z) + 24h: 12h to Sun 00:00 EST (05:00Z), then 12h of the 23h
      // spring-forward Sunday -> 17:00Z = Sun 13:00 EDT. Same as elapsed time: days abut seamlessly.
      assert.equal(iso(c.addBusinessMs(t('2026-03-07T17:00:00Z'), 24 * H)), '2026-03-08T17:00:00.000Z');
      // Mon 2026-03-09 12:00 EDT (16:00Z) + 24h: 12h to Tue 00:00, Tue is a holiday,
      // Wed 00:00 EDT (04:00Z) + 12h = Wed 12:00 EDT = 16:00Z.
      assert.equal(iso(c.addBusinessMs(t('2026-03-09T16:00:00Z'), 24 * H)), '2026-03-11T16:00:00.000Z');
      assert.equal(c.isOpenAt(t('2026-03-10T04:00:00Z')), false); // Tue 00:00 EDT
      assert.equal(c.isOpenAt(t('2026-03-10T03:59:59.999Z')), true); // Mon 23:59:59.999 EDT
    });
  });

  describe('window edges (America/New_York, 9-17 Mon-Fri)', () => {
    const ny = nineToFive('America/New_York');
    it('Friday 16:00 + 1h lands on Friday 17:00, not Monday', () => {
      // Fri 2026-03-06 16:00 EST = 21:00Z; 17:00 EST = 22:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-03-06T21:00:00Z'), H)), '2026-03-06T22:00:00.000Z');
    });
    it('Friday 16:00 + 8 business hours is Monday 16:00 (across spring-forward)', () => {
      // 1h Friday, weekend closed (DST starts Sun), Mon 2026-03-09 09:00 EDT + 7h = 16:00 EDT = 20:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-03-06T21:00:00Z'), 8 * H)), '2026-03-09T20:00:00.000Z');
    });
    it('Friday 16:00 + 8 business hours is Monday 16:00 (across fall-back)', () => {
      // Fri 2026-10-30 16:00 EDT = 20:00Z; Mon 2026-11-02 16:00 EST = 21:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-10-30T20:00:00Z'), 8 * H)), '2026-11-02T21:00:00.000Z');
    });
    it('creation exactly at open, exactly at close, before open, and inside', () => {
      // Mon 2026-06-01 09:00 EDT = 13:00Z; + 8h = 17:00 EDT = 21:00Z the same day.
      assert.equal(iso(ny.addBusinessMs(t('2026-06-01T13:00:00Z'), 8 * H)), '2026-06-01T21:00:00.000Z');
      // Fri 2026-06-05 17:00 EDT (21:00Z) is closed; + 1h = Mon 10:00 EDT = 14:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-06-05T21:00:00Z'), H)), '2026-06-08T14:00:00.000Z');
      // Mon 07:00 EDT (11:00Z) + 1h = 10:00 EDT = 14:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-06-01T11:00:00Z'), H)), '2026-06-01T14:00:00.000Z');
      // Mon 12:34:56.789 EDT + 30m.
      assert.equal(iso(ny.addBusinessMs(t('2026-06-01T16:34:56.789Z'), 30 * M)), '2026-06-01T17:04:56.789Z');
      assert.equal(ny.isOpenAt(t('2026-06-01T13:00:00Z')), true);
      assert.equal(ny.isOpenAt(t('2026-06-01T12:59:59.999Z')), false);
      assert.equal(ny.isOpenAt(t('2026-06-01T21:00:00Z')), false);
      assert.equal(iso(ny.nextOpenAt(t('2026-06-05T21:00:00Z'))), '2026-06-08T13:00:00.000Z');
      assert.equal(iso(ny.nextOpenAt(t('2026-06-01T15:00:00Z'))), '2026-06-01T15:00:00.000Z');
    });
    it('amounts <= 0 return the start unchanged, even when closed', () => {
      assert.equal(ny.addBusinessMs(t('2026-06-06T12:00:00Z'), 0), t('2026-06-06T12:00:00Z'));
      assert.equal(ny.addBusinessMs(t('2026-06-06T12:00:00Z'), -5), t('2026-06-06T12:00:00Z'));
    });
    it('businessMsBetween over a week and partial days', () => {
      assert.equal(ny.businessMsBetween(t('2026-06-01T00:00:00Z'), t('2026-06-08T00:00:00Z')), 40 * H);
      // Mon 10:30 EDT to Tue 09:15 EDT: 6.5h + 0.25h.
      assert.equal(ny.businessMsBetween(t('2026-06-01T14:30:00Z'), t('2026-06-02T13:15:00Z')), 6.75 * H);
    });
  });

  describe('multi-week targets', () => {
    const ny = nineToFive('America/New_York', ['2026-06-19']);
    it('14 business days from Monday 09:00 end at Thursday 17:00 of week three', () => {
      // Jun 1-5, 8-12, 15-18 = 14 days of 8h; ends Thu 2026-06-18 17:00 EDT = 21:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-06-01T13:00:00Z'), 14 * 8 * H)), '2026-06-18T21:00:00.000Z');
    });
    it('the 15th day skips the Friday holiday and the weekend', () => {
      // Fri 2026-06-19 is a holiday -> day 15 is Mon 2026-06-22, ends 17:00 EDT = 21:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-06-01T13:00:00Z'), 15 * 8 * H)), '2026-06-22T21:00:00.000Z');
    });
    it('10 business days across the fall-back weekend', () => {
      // Mon 2026-10-26 09:00 EDT (13:00Z) + 80h = end of Fri 2026-11-06 17:00 EST = 22:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-10-26T13:00:00Z'), 80 * H)), '2026-11-06T22:00:00.000Z');
    });
  });

  describe('DST: America/New_York', () => {
    it('the spring-forward Sunday is 23h long', () => {
      const c = cal('America/New_York', ['sun'], [['00:00', '24:00']]);
      // Sun 2026-03-08 00:00 EST = 05:00Z to Mon 00:00 EDT = 04:00Z.
      assert.equal(c.businessMsBetween(t('2026-03-07T00:00:00Z'), t('2026-03-10T00:00:00Z')), 23 * H);
    });
    it('a 02:30-04:00 window on the spring-forward day is 03:00-04:00 EDT only', () => {
      const c = cal('America/New_York', ['sun'], [['02:30', '04:00']]);
      assert.equal(c.businessMsBetween(t('2026-03-07T00:00:00Z'), t('2026-03-10T00:00:00Z')), H);
      // 01:00 EST (06:00Z) -> next open is 03:00 EDT = 07:00Z.
      assert.equal(iso(c.nextOpenAt(t('2026-03-08T06:00:00Z'))), '2026-03-08T07:00:00.000Z');
      assert.equal(c.isOpenAt(t('2026-03-08T06:59:59Z')), false);
      assert.equal(c.isOpenAt(t('2026-03-08T07:00:00Z')), true);
      assert.equal(c.isOpenAt(t('2026-03-08T08:00:00Z')), false);
      // A normal Sunday a week later: 02:30 EDT = 06:30Z, 1.5h long.
      assert.equal(iso(c.addBusinessMs(t('2026-03-08T08:00:00Z'), 1.5 * H)), '2026-03-15T08:00:00.000Z');
    });
    it('the fall-back Sunday is 25h long and 01:00-02:00 happens twice', () => {
      const day = cal('America/New_York', ['sun'], [['00:00', '24:00']]);
      // Sun 2026-11-01 00:00 EDT = 04:00Z to Mon 00:00 EST = 05:00Z.
      assert.equal(day.businessMsBetween(t('2026-10-31T00:00:00Z'), t('2026-11-03T00:00:00Z')), 25 * H);
      const c = cal('America/New_York', ['sun'], [['01:00', '02:00']]);
      // 01:00 EDT = 05:00Z .. 02:00 EST = 07:00Z.
      assert.equal(c.businessMsBetween(t('2026-10-31T00:00:00Z'), t('2026-11-03T00:00:00Z')), 2 * H);
      // 90 minutes in: 01:30 EST (the second 01:30) = 06:30Z.
      assert.equal(iso(c.addBusinessMs(t('2026-10-31T12:00:00Z'), 90 * M)), '2026-11-01T06:30:00.000Z');
      assert.equal(c.isOpenAt(t('2026-11-01T05:30:00Z')), true); // 01:30 EDT
      assert.equal(c.isOpenAt(t('2026-11-01T06:30:00Z')), true); // 01:30 EST
      assert.equal(c.isOpenAt(t('2026-11-01T07:00:00Z')), false); // 02:00 EST
    });
  });

  describe('DST: Europe/London', () => {
    it('spring-forward Sunday is 23h and a window inside the gap is empty', () => {
      const day = cal('Europe/London', ['sun'], [['00:00', '24:00']]);
      // Sun 2026-03-29 00:00 GMT = 00:00Z to Mon 00:00 BST = Sun 23:00Z.
      assert.equal(day.businessMsBetween(t('2026-03-28T00:00:00Z'), t('2026-03-31T00:00:00Z')), 23 * H);
      const gap = cal('Europe/London', ['sun'], [['01:00', '02:00']]);
      // 01:00-02:00 never exists on 2026-03-29; next is Sun 2026-04-05 01:00 BST = 00:00Z.
      assert.equal(gap.businessMsBetween(t('2026-03-28T00:00:00Z'), t('2026-03-31T00:00:00Z')), 0);
      assert.equal(iso(gap.nextOpenAt(t('2026-03-28T12:00:00Z'))), '2026-04-05T00:00:00.000Z');
    });
    it('fall-back Sunday is 25h', () => {
      const day = cal('Europe/London', ['sun'], [['00:00', '24:00']]);
      // Sun 2026-10-25 00:00 BST = Sat 23:00Z to Mon 00:00 GMT = 00:00Z.
      assert.equal(day.businessMsBetween(t('2026-10-24T00:00:00Z'), t('2026-10-27T00:00:00Z')), 25 * H);
    });
    it('Friday 16:00 GMT + 8h is Monday 16:00 BST', () => {
      // Fri 2026-03-27 16:00 GMT = 16:00Z; Mon 2026-03-30 16:00 BST = 15:00Z.
      assert.equal(iso(nineToFive('Europe/London').addBusinessMs(t('2026-03-27T16:00:00Z'), 8 * H)), '2026-03-30T15:00:00.000Z');
    });
  });

  describe('DST: southern hemisphere', () => {
    it('Australia/Sydney: DST ends in April (25h day, 02:00-03:00 twice)', () => {
      const day = cal('Australia/Sydney', ['sun'], [['00:00', '24:00']]);
      // Sun 2026-04-05 00:00 AEDT(+11) = Apr 4 13:00Z to Mon 00:00 AEST(+10) = Apr 5 14:00Z.
      assert.equal(day.businessMsBetween(t('2026-04-03T00:00:00Z'), t('2026-04-07T00:00:00Z')), 25 * H);
      const twice = cal('Australia/Sydney', ['sun'], [['02:00', '03:00']]);
      // 02:00 AEDT = 15:00Z .. 03:00 AEST = 17:00Z.
      assert.equal(iso(twice.nextOpenAt(t('2026-04-04T00:00:00Z'))), '2026-04-04T15:00:00.000Z');
      assert.equal(iso(twice.addBusinessMs(t('2026-04-04T00:00:00Z'), 2 * H)), '2026-04-04T17:00:00.000Z');
    });
    it('Australia/Sydney: DST starts in October (23h day)', () => {
      const day = cal('Australia/Sydney', ['sun'], [['00:00', '24:00']]);
      // Sun 2026-10-04 00:00 AEST = Oct 3 14:00Z to Mon 00:00 AEDT = Oct 4 13:00Z.
      assert.equal(day.businessMsBetween(t('2026-10-02T00:00:00Z'), t('2026-10-06T00:00:00Z')), 23 * H);
    });
    it('Australia/Sydney: Friday 16:00 AEDT + 8h is Monday 16:00 AEST', () => {
      // Fri 2026-04-03 16:00 AEDT = 05:00Z; Mon 2026-04-06 16:00 AEST = 06:00Z.
      assert.equal(iso(nineToFive('Australia/Sydney').addBusinessMs(t('2026-04-03T05:00:00Z'), 8 * H)), '2026-04-06T06:00:00.000Z');
    });
  });

  describe('half-hour and 45-minute offsets', () => {
    it('Australia/Adelaide (+9:30 / +10:30): Friday 16:00 + 8h across DST start', () => {
      // Fri 2026-10-02 16:00 ACST = 06:30Z; Mon 2026-10-05 16:00 ACDT = 05:30Z.
      assert.equal(iso(nineToFive('Australia/Adelaide').addBusinessMs(t('2026-10-02T06:30:00Z'), 8 * H)), '2026-10-05T05:30:00.000Z');
      const day = cal('Australia/Adelaide', ['sun'], [['00:00', '24:00']]);
      // Sun 2026-10-04 00:00 ACST = Oct 3 14:30Z to Mon 00:00 ACDT = Oct 4 13:30Z: 23h.
      assert.equal(day.businessMsBetween(t('2026-10-02T00:00:00Z'), t('2026-10-06T00:00:00Z')), 23 * H);
      assert.equal(iso(day.nextOpenAt(t('2026-10-01T00:00:00Z'))), '2026-10-03T14:30:00.000Z');
    });
    it('Asia/Kolkata (+5:30), 09:00-18:00', () => {
      const c = cal('Asia/Kolkata', WEEKDAYS, [['09:00', '18:00']]);
      // Wed 2026-06-03 17:00 IST = 11:30Z; 1h Wed + 3h Thu -> Thu 12:00 IST = 06:30Z.
      assert.equal(iso(c.addBusinessMs(t('2026-06-03T11:30:00Z'), 4 * H)), '2026-06-04T06:30:00.000Z');
      assert.equal(iso(c.nextOpenAt(t('2026-06-03T12:30:00Z'))), '2026-06-04T03:30:00.000Z');
    });
    it('Asia/Kathmandu (+5:45), 10:00-17:00', () => {
      const c = cal('Asia/Kathmandu', WEEKDAYS, [['10:00', '17:00']]);
      // Fri 2026-06-05 16:30 NPT = 10:45Z; 0.5h Fri + 1.5h Mon -> Mon 11:30 NPT = 05:45Z.
      assert.equal(iso(c.addBusinessMs(t('2026-06-05T10:45:00Z'), 2 * H)), '2026-06-08T05:45:00.000Z');
      assert.equal(c.isOpenAt(t('2026-06-08T04:15:00Z')), true); // Mon 10:00 NPT
      assert.equal(c.isOpenAt(t('2026-06-08T04:14:59.999Z')), false);
    });
  });

  describe('holidays', () => {
    const ny = nineToFive('America/New_York', ['2026-12-25', '2026-05-25']);
    it('a Friday holiday joins the weekend', () => {
      // Thu 2026-12-24 16:00 EST (21:00Z) + 2h: 1h Thu, Fri holiday, weekend, Mon 2026-12-28 10:00 EST = 15:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-12-24T21:00:00Z'), 2 * H)), '2026-12-28T15:00:00.000Z');
    });
    it('a Monday holiday after the weekend', () => {
      // Fri 2026-05-22 16:00 EDT (20:00Z) + 2h: 1h Fri, Mon May 25 holiday, Tue 10:00 EDT = 14:00Z.
      assert.equal(iso(ny.addBusinessMs(t('2026-05-22T20:00:00Z'), 2 * H)), '2026-05-26T14:00:00.000Z');
    });
    it('a ticket created on a holiday starts counting at the next opening', () => {
      // Fri 2026-12-25 10:00 EST = 15:00Z; next open Mon 09:00 EST = 14:00Z; + 1h = 15:00Z.
      assert.equal(ny.isOpenAt(t('2026-12-25T15:00:00Z')), false);
      assert.equal(iso(ny.nextOpenAt(t('2026-12-25T15:00:00Z'))), '2026-12-28T14:00:00.000Z');
      assert.equal(iso(ny.addBusinessMs(t('2026-12-25T15:00:00Z'), H)), '2026-12-28T15:00:00.000Z');
    });
    it('a holiday closes the local date, not the UTC date', () => {
      const syd = cal('Australia/Sydney', ALL_DAYS, [['00:00', '24:00']], ['2026-12-25']);
      // Dec 25 in Sydney (AEDT +11) is Dec 24 13:00Z .. Dec 25 13:00Z.
      assert.equal(syd.isOpenAt(t('2026-12-24T12:59:59Z')), true);
      assert.equal(syd.isOpenAt(t('2026-12-24T13:00:00Z')), false);
      // From Dec 24 12:00Z: 1h before the holiday, then 1h after it ends at 13:00Z Dec 25.
      assert.equal(iso(syd.addBusinessMs(t('2026-12-24T12:00:00Z'), 2 * H)), '2026-12-25T14:00:00.000Z');
    });
  });

  describe('split windows 09:00-12:00 + 13:00-17:00 (New York)', () => {
    const c = cal('America/New_York', WEEKDAYS, [['09:00', '12:00'], ['13:00', '17:00']]);
    it('skips lunch', () => {
      // Mon 2026-06-01 11:00 EDT (15:00Z) + 2h: 1h to 12:00, then 13:00 + 1h = 14:00 EDT = 18:00Z.
      assert.equal(iso(c.addBusinessMs(t('2026-06-01T15:00:00Z'), 2 * H)), '2026-06-01T18:00:00.000Z');
    });
    it('a target used up at 12:00 lands on 12:00, not 13:00', () => {
      assert.equal(iso(c.addBusinessMs(t('2026-06-01T15:00:00Z'), H)), '2026-06-01T16:00:00.000Z');
    });
    it('nextOpenAt during lunch and the day total', () => {
      assert.equal(iso(c.nextOpenAt(t('2026-06-01T16:30:00Z'))), '2026-06-01T17:00:00.000Z');
      assert.equal(c.businessMsBetween(t('2026-06-01T12:00:00Z'), t('2026-06-01T22:00:00Z')), 7 * H);
    });
  });

  describe('a calendar that never opens', () => {
    const never = BusinessCalendar.from({ timezone: 'Europe/Paris', weekly: {}, holidays: [] });
    it('has no business time and no reachable target', () => {
      assert.equal(never.addBusinessMs(t('2026-06-01T00:00:00Z'), 1), null);
      assert.equal(never.addBusinessMs(t('2026-06-01T00:00:00Z'), 0), t('2026-06-01T00:00:00Z'));
      assert.equal(never.nextOpenAt(t('2026-06-01T00:00:00Z')), null);
      assert.equal(never.businessMsBetween(t('2026-01-01T00:00:00Z'), t('2027-01-01T00:00:00Z')), 0);
      assert.equal(never.isOpenAt(t('2026-06-01T12:00:00Z')), false);
    });
    it('a holiday on the only open weekday pushes the target a week on', () => {
      // Mon 2026-06-01 is a holiday, so the next 09:00-10:00 is Mon 2026-06-08.
      const c = cal('UTC', ['mon'], [['09:00', '10:00']], ['2026-06-01']);
      assert.equal(iso(c.addBusinessMs(t('2026-05-31T00:00:00Z'), H)), '2026-06-08T10:00:00.000Z');
    });
  });
});
