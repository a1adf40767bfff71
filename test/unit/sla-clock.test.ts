/**
 * SLA clock evaluation with hand-computed instants. Unless noted, the calendar
 * is New York 09:00-17:00 Mon-Fri and the clock starts Mon 2026-06-01 09:00 EDT
 * (13:00Z); EDT is UTC-4 all through June.
 */
import assert from 'node:assert/strict';
import { BusinessCalendar } from '../../workflows/sla/business-calendar';
import { ClockInput, elapsedBusinessMs, evaluateClock } from '../../workflows/sla/sla-clock';

const H = 3_600_000;
const M = 60_000;
const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const ny = BusinessCalendar.from({
  timezone: 'America/New_York',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  holidays: [],
});
const MON_0900 = t('2026-06-01T13:00:00Z');

function clock(over: Partial<ClockInput> = {}): ClockInput {
  return { calendar: ny, startedAt: MON_0900, targetMs: 8 * H, percents: [80, 100, 120], pauses: [], metAt: null, ...over };
}
function evaluate(over: Partial<ClockInput> = {}) {
  const r = evaluateClock(clock(over));
  return { ...r, dueAt: iso(r.dueAt), metAt: iso(r.metAt), pausedSince: iso(r.pausedSince), escalations: r.escalations.map((e) => ({ percent: e.percent, at: iso(e.at) })) };
}

describe('evaluateClock', () => {
  it('due and the 80/100/120 ladder on a running clock', () => {
    const r = evaluate({ percents: [80, 100, 120, 33.3333] });
    assert.equal(r.dueAt, '2026-06-01T21:00:00.000Z'); // 09:00 + 8h = 17:00 EDT
    assert.equal(r.breached, null);
    assert.equal(r.pausedSince, null);
    assert.deepEqual(r.escalations, [
      { percent: 80, at: '2026-06-01T19:24:00.000Z' }, // 6.4h = 6h24m -> 15:24 EDT
      { percent: 100, at: '2026-06-01T21:00:00.000Z' },
      { percent: 120, at: '2026-06-02T14:36:00.000Z' }, // 9.6h: 8h Mon + 1h36m Tue -> 10:36 EDT
      // 0.333333 * 28,800,000 = 9,599,990.4 -> rounds to 9,599,990 ms = 2:39:59.990 -> 11:39:59.990 EDT
      { percent: 33.3333, at: '2026-06-01T15:39:59.990Z' },
    ]);
  });

  it('rounds fractional thresholds to whole milliseconds', () => {
    // 50% of 1001 ms = 500.5 -> Math.round -> 501.
    const r = evaluateClock({ ...clock(), calendar: BusinessCalendar.ALWAYS_OPEN, targetMs: 1001, percents: [50] });
    assert.equal(r.escalations[0]!.at, MON_0900 + 501);
    assert.equal(r.dueAt, MON_0900 + 1001);
  });

  it('a clock started on a weekend begins counting at Monday 09:00', () => {
    // Sat 2026-06-06 10:00 EDT; 8h = all of Mon 2026-06-08 -> 17:00 EDT = 21:00Z.
    const r = evaluate({ startedAt: t('2026-06-06T14:00:00Z') });
    assert.equal(r.dueAt, '2026-06-08T21:00:00.000Z');
  });

  describe('met', () => {
    it('met exactly at due is not a breach', () => {
      assert.equal(evaluate({ metAt: t('2026-06-01T21:00:00Z') }).breached, false);
    });
    it('met one second after due is a breach', () => {
      assert.equal(evaluate({ metAt: t('2026-06-01T21:00:01Z') }).breached, true);
    });
    it('met early keeps due and ladder defined ("as if the clock ran on")', () => {
      const r = evaluate({ metAt: t('2026-06-01T14:00:00Z') });
      assert.equal(r.breached, false);
      assert.equal(r.metAt, '2026-06-01T14:00:00.000Z');
      assert.equal(r.dueAt, '2026-06-01T21:00:00.000Z');
      assert.equal(r.escalations[2]!.at, '2026-06-02T14:36:00.000Z');
    });
    it('pauses after the met instant are ignored, even an open one', () => {
      const r = evaluate({ metAt: t('2026-06-01T14:00:00Z'), pauses: [{ from: t('2026-06-01T15:00:00Z'), to: null }] });
      assert.equal(r.dueAt, '2026-06-01T21:00:00.000Z');
      assert.equal(r.pausedSince, null);
    });
    it('a pause is cut at the met instant: the clock runs on from there', () => {
      // Paused from 10:00 EDT with no end, met at 11:00: the pause counts as 10:00-11:00 only.
      // 1h (09-10) + 6h (11-17) = 7h on Monday, 1h Tuesday -> Tue 10:00 EDT = 14:00Z.
      const r = evaluate({ metAt: t('2026-06-01T15:00:00Z'), pauses: [{ from: t('2026-06-01T14:00:00Z'), to: null }] });
      assert.equal(r.dueAt, '2026-06-02T14:00:00.000Z');
      assert.equal(r.breached, false);
    });
  });

  describe('pauses', () => {
    it('pause and resume leave exactly the remaining time', () => {
      // 2h (09-11), paused 11:00-14:00, 3h (14-17), 3h Tue -> Tue 12:00 EDT = 16:00Z.
      const pauses = [{ from: t('2026-06-01T15:00:00Z'), to: t('2026-06-01T18:00:00Z') }];
      const r = evaluate({ pauses });
      assert.equal(r.dueAt, '2026-06-02T16:00:00.000Z');
      // 80% = 6.4h: 2h + 3h Mon + 1.4h (1h24m) Tue -> 10:24 EDT.
      assert.equal(r.escalations[0]!.at, '2026-06-02T14:24:00.000Z');
    });
    it('only business time inside a pause is excluded', () => {
      // Paused Mon 16:00 -> Tue 10:00 EDT: 7h Mon before it, then 1h from Tue 10:00 -> 11:00 EDT = 15:00Z.
      const r = evaluate({ pauses: [{ from: t('2026-06-01T20:00:00Z'), to: t('2026-06-02T14:00:00Z') }] });
      assert.equal(r.dueAt, '2026-06-02T15:00:00.000Z');
    });
    it('paused at the end: reached instants stay, unreached ones are null', () => {
      // 25% = 2h -> 11:00; 37.5% = 3h reached exactly as the pause starts at 12:00; 50% and due never come.
      const r = evaluate({ percents: [25, 37.5, 50, 100], pauses: [{ from: t('2026-06-01T16:00:00Z'), to: null }] });
      assert.equal(r.pausedSince, '2026-06-01T16:00:00.000Z');
      assert.equal(r.dueAt, null);
      assert.equal(r.breached, null);
      assert.deepEqual(r.escalations.map((e) => e.at), ['2026-06-01T15:00:00.000Z', '2026-06-01T16:00:00.000Z', null, null]);
    });
    it('a pause from the start with no end never reaches anything', () => {
      const r = evaluate({ pauses: [{ from: MON_0900, to: null }] });
      assert.equal(r.pausedSince, '2026-06-01T13:00:00.000Z');
      assert.deepEqual(r.escalations.map((e) => e.at), [null, null, null]);
    });
    it('normalizes unsorted, overlapping and pre-start pauses', () => {
      const messy = evaluate({
        pauses: [
          { from: t('2026-06-01T17:00:00Z'), to: t('2026-06-01T18:00:00Z') },
          { from: t('2026-06-01T15:00:00Z'), to: t('2026-06-01T17:30:00Z') },
          { from: t('2026-06-01T10:00:00Z'), to: t('2026-06-01T14:00:00Z') }, // 06:00-10:00 EDT, only 09-10 counts
        ],
      });
      const clean = evaluate({
        pauses: [
          { from: MON_0900, to: t('2026-06-01T14:00:00Z') },
          { from: t('2026-06-01T15:00:00Z'), to: t('2026-06-01T18:00:00Z') },
        ],
      });
      assert.deepEqual(messy, clean);
      // 1h (10-11) + 3h (14-17) Mon, 4h Tue -> 13:00 EDT = 17:00Z.
      assert.equal(clean.dueAt, '2026-06-02T17:00:00.000Z');
    });
    it('on a 24/7 calendar a 1h pause moves due by exactly 1h', () => {
      const r = evaluateClock({ ...clock(), calendar: BusinessCalendar.ALWAYS_OPEN, targetMs: 4 * H, pauses: [{ from: MON_0900 + 30 * M, to: MON_0900 + 90 * M }] });
      assert.equal(iso(r.dueAt), '2026-06-01T18:00:00.000Z');
    });
  });

  it('a calendar that never opens: nothing is due, and meeting it is no breach', () => {
    const never = BusinessCalendar.from({ timezone: 'UTC', weekly: {}, holidays: [] });
    const open = evaluateClock({ ...clock(), calendar: never });
    assert.equal(open.dueAt, null);
    assert.deepEqual(open.escalations.map((e) => e.at), [null, null, null]);
    assert.equal(evaluateClock({ ...clock(), calendar: never, metAt: MON_0900 + H }).breached, false);
  });
});

describe('elapsedBusinessMs', () => {
  const pauses = [{ from: t('2026-06-01T15:00:00Z'), to: t('2026-06-01T18:00:00Z') }];
  it('counts open time outside pauses up to now', () => {
    assert.equal(elapsedBusinessMs(clock({ pauses }), t('2026-06-01T16:00:00Z')), 2 * H); // in the pause
    assert.equal(elapsedBusinessMs(clock({ pauses }), t('2026-06-01T19:00:00Z')), 3 * H); // 2h + 1h
    assert.equal(elapsedBusinessMs(clock({ pauses }), t('2026-06-02T16:00:00Z')), 8 * H); // at due
  });
  it('stops at metAt and is 0 before the start', () => {
    assert.equal(elapsedBusinessMs(clock({ metAt: t('2026-06-01T14:30:00Z') }), t('2026-06-09T00:00:00Z')), 1.5 * H);
    assert.equal(elapsedBusinessMs(clock(), MON_0900 - 1), 0);
  });
  it('stops counting while paused at the end', () => {
    const open = [{ from: t('2026-06-01T16:00:00Z'), to: null }];
    assert.equal(elapsedBusinessMs(clock({ pauses: open }), t('2026-06-05T00:00:00Z')), 3 * H);
  });
  it('matches the due instant: elapsed at dueAt equals the target', () => {
    const input = clock({ pauses });
    const due = evaluateClock(input).dueAt!;
    assert.equal(elapsedBusinessMs(input, due), 8 * H);
    assert.equal(elapsedBusinessMs(input, due - 1), 8 * H - 1);
  });
});
