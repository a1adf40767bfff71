/**
 * An agent's shift window (workflows/routing/shift-window.ts): their calendar less their days
 * off, in their own time zone; a night shift across midnight is one shift.
 */
import assert from 'node:assert/strict';
import { shiftWindow } from '../../workflows/routing/shift-window';
import type { CalendarSpec } from '../../workflows/contract/sla';

const NINE_TO_FIVE: CalendarSpec = { timezone: 'Europe/Berlin', weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] }, holidays: [] };
const NIGHTS: CalendarSpec = { timezone: 'UTC', weekly: { wed: [['22:00', '24:00']], thu: [['00:00', '06:00']] }, holidays: [] };
const at = (iso: string) => Date.parse(iso);

describe('shift window', () => {
  it('inside a shift: working, ending at the local end of the window', () => {
    // Thursday 3 December 2026, 10:00 UTC = 11:00 in Berlin.
    assert.deepEqual(shiftWindow(NINE_TO_FIVE, [], 'Europe/Berlin', at('2026-12-03T10:00:00Z')), { workingNow: true, shiftEndsAt: at('2026-12-03T16:00:00Z'), backAt: null });
  });

  it('after a shift: back at the next window, over the weekend', () => {
    assert.deepEqual(shiftWindow(NINE_TO_FIVE, [], 'Europe/Berlin', at('2026-12-04T17:00:00Z')), { workingNow: false, shiftEndsAt: null, backAt: at('2026-12-07T08:00:00Z') });
  });

  it('a day off in the agent\'s zone: not working, back on the next working day', () => {
    assert.deepEqual(shiftWindow(NINE_TO_FIVE, ['2026-12-03'], 'Europe/Berlin', at('2026-12-03T10:00:00Z')), { workingNow: false, shiftEndsAt: null, backAt: at('2026-12-04T08:00:00Z') });
  });

  it('the day before a day off: the shift ends as the calendar says', () => {
    assert.equal(shiftWindow(NINE_TO_FIVE, ['2026-12-04'], 'Europe/Berlin', at('2026-12-03T10:00:00Z')).shiftEndsAt, at('2026-12-03T16:00:00Z'));
  });

  it('a night shift across midnight is one shift', () => {
    assert.deepEqual(shiftWindow(NIGHTS, [], 'UTC', at('2026-12-02T23:00:00Z')), { workingNow: true, shiftEndsAt: at('2026-12-03T06:00:00Z'), backAt: null });
  });

  it('no calendar: always working, a shift that never ends, unless a day off cuts it', () => {
    assert.deepEqual(shiftWindow(null, [], 'UTC', at('2026-12-03T10:00:00Z')), { workingNow: true, shiftEndsAt: null, backAt: null });
    assert.deepEqual(shiftWindow(null, ['2026-12-05'], 'America/New_York', at('2026-12-03T10:00:00Z')), { workingNow: true, shiftEndsAt: at('2026-12-05T05:00:00Z'), backAt: null });
  });
});
