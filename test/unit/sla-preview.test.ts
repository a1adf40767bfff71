/**
 * The preview contract end to end: policy + creation instant + event history
 * in, ISO instants out. Calendar: New York 09:00-17:00 Mon-Fri; ticket created
 * Mon 2026-06-01 09:00 EDT (13:00Z); first response 60 min, resolution 480 min
 * (8 business hours); pending and on_hold pause resolution.
 */
import assert from 'node:assert/strict';
import { CalendarError } from '../../workflows/sla/business-calendar';
import { PreviewEvent, PreviewPolicy, previewSla, resolutionTimeline } from '../../workflows/sla/sla-preview';

const t = (iso: string): number => Date.parse(iso);
const H = 3_600_000;

const policy: PreviewPolicy = {
  calendar: {
    timezone: 'America/New_York',
    weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
    holidays: [],
  },
  firstResponseMinutes: 60,
  resolutionMinutes: 480,
  pauseOn: ['pending', 'on_hold'],
  escalations: [{ percent: 80 }, { percent: 100 }, { percent: 120 }],
};
const CREATED = t('2026-06-01T13:00:00Z');
const status = (iso: string, s: string): PreviewEvent => ({ at: t(iso), type: 'status', status: s });
const reply = (iso: string): PreviewEvent => ({ at: t(iso), type: 'agent_reply' });

describe('previewSla', () => {
  it('no events: both clocks running, ladders from the targets', () => {
    const r = previewSla(policy, CREATED, []);
    assert.deepEqual(r.firstResponse, {
      dueAt: '2026-06-01T14:00:00.000Z', // 09:00 + 1h
      metAt: null,
      breached: null,
      escalations: [
        { percent: 80, at: '2026-06-01T13:48:00.000Z' }, // 48 min
        { percent: 100, at: '2026-06-01T14:00:00.000Z' },
        { percent: 120, at: '2026-06-01T14:12:00.000Z' }, // 72 min
      ],
    });
    assert.deepEqual(r.resolution, {
      dueAt: '2026-06-01T21:00:00.000Z', // 17:00 EDT
      metAt: null,
      breached: null,
      escalations: [
        { percent: 80, at: '2026-06-01T19:24:00.000Z' }, // 6h24m -> 15:24 EDT
        { percent: 100, at: '2026-06-01T21:00:00.000Z' },
        { percent: 120, at: '2026-06-02T14:36:00.000Z' }, // 8h Mon + 1h36m Tue -> 10:36 EDT
      ],
    });
  });

  describe('first response', () => {
    it('an agent reply exactly at due is met, not breached', () => {
      const r = previewSla(policy, CREATED, [reply('2026-06-01T14:00:00Z')]).firstResponse;
      assert.equal(r.metAt, '2026-06-01T14:00:00.000Z');
      assert.equal(r.breached, false);
    });
    it('one second late is a breach', () => {
      assert.equal(previewSla(policy, CREATED, [reply('2026-06-01T14:00:01Z')]).firstResponse.breached, true);
    });
    it('customer replies and internal notes do not count; the earliest agent reply does, whatever the input order', () => {
      const events: PreviewEvent[] = [
        reply('2026-06-01T15:00:00Z'),
        { at: t('2026-06-01T13:10:00Z'), type: 'customer_reply' },
        { at: t('2026-06-01T13:20:00Z'), type: 'internal_note' },
        reply('2026-06-01T13:45:00Z'),
      ];
      const r = previewSla(policy, CREATED, events).firstResponse;
      assert.equal(r.metAt, '2026-06-01T13:45:00.000Z');
      assert.equal(r.breached, false);
    });
    it('is never paused by a pauseOn status', () => {
      const r = previewSla(policy, CREATED, [status('2026-06-01T13:30:00Z', 'pending'), reply('2026-06-01T14:30:00Z')]).firstResponse;
      assert.equal(r.dueAt, '2026-06-01T14:00:00.000Z');
      assert.equal(r.breached, true);
    });
  });

  describe('resolution', () => {
    // 2h (09-11), pending 11:00-14:00, 3h (14-17), 3h Tue -> due Tue 12:00 EDT = 16:00Z.
    const pendingThenOpen = [status('2026-06-01T15:00:00Z', 'pending'), status('2026-06-01T18:00:00Z', 'open')];

    it('pause and resume, solved exactly at the shifted due', () => {
      const r = previewSla(policy, CREATED, [...pendingThenOpen, status('2026-06-02T16:00:00Z', 'solved')]).resolution;
      assert.equal(r.dueAt, '2026-06-02T16:00:00.000Z');
      assert.equal(r.metAt, '2026-06-02T16:00:00.000Z');
      assert.equal(r.breached, false);
    });
    it('solved one second after the shifted due is a breach', () => {
      const r = previewSla(policy, CREATED, [...pendingThenOpen, status('2026-06-02T16:00:01Z', 'solved')]).resolution;
      assert.equal(r.breached, true);
    });
    it('moving between pauseOn statuses keeps one pause going', () => {
      const events = [status('2026-06-01T15:00:00Z', 'pending'), status('2026-06-01T16:00:00Z', 'on_hold'), status('2026-06-01T18:00:00Z', 'open')];
      assert.equal(previewSla(policy, CREATED, events).resolution.dueAt, '2026-06-02T16:00:00.000Z');
    });
    it('paused at the end: due and unreached steps are null', () => {
      // Only 2h accumulated before 11:00 EDT; 80% (6.4h) is not reached.
      const r = previewSla(policy, CREATED, [status('2026-06-01T15:00:00Z', 'pending')]);
      assert.equal(r.resolution.dueAt, null);
      assert.equal(r.resolution.breached, null);
      assert.deepEqual(r.resolution.escalations.map((e) => e.at), [null, null, null]);
      assert.equal(r.firstResponse.dueAt, '2026-06-01T14:00:00.000Z');
    });
    it('events after the solved instant do not affect the clock', () => {
      const events = [status('2026-06-01T20:00:00Z', 'solved'), status('2026-06-01T20:30:00Z', 'pending'), status('2026-06-03T13:00:00Z', 'solved')];
      const r = previewSla(policy, CREATED, events).resolution;
      assert.equal(r.metAt, '2026-06-01T20:00:00.000Z');
      assert.equal(r.dueAt, '2026-06-01T21:00:00.000Z');
      assert.equal(r.breached, false);
    });
  });

  it('rejects an invalid calendar with a CalendarError', () => {
    const bad = { ...policy, calendar: { ...policy.calendar, weekly: { mon: [['17:00', '09:00']] as Array<[string, string]> } } };
    assert.throws(() => previewSla(bad, CREATED, []), (e: unknown) => e instanceof CalendarError && e.field === 'weekly.mon[0]');
  });
});

describe('resolutionTimeline', () => {
  const start = CREATED;
  const at = (h: number): number => start + h * H;
  const ev = (h: number, s: string): PreviewEvent => ({ at: at(h), type: 'status', status: s });

  it('collects pauses and the first solved', () => {
    const r = resolutionTimeline(start, [ev(2, 'pending'), ev(3, 'on_hold'), ev(5, 'open'), ev(6, 'pending'), ev(7, 'solved'), ev(8, 'open'), ev(9, 'solved')], ['pending', 'on_hold']);
    assert.deepEqual(r, { pauses: [{ from: at(2), to: at(5) }, { from: at(6), to: at(7) }], metAt: at(7) });
  });
  it('keeps the given order for events at the same instant', () => {
    const pauseOn = ['pending'];
    assert.deepEqual(resolutionTimeline(start, [ev(1, 'pending'), ev(1, 'open')], pauseOn), { pauses: [], metAt: null });
    assert.deepEqual(resolutionTimeline(start, [ev(1, 'open'), ev(1, 'pending')], pauseOn), { pauses: [{ from: at(1), to: null }], metAt: null });
  });
  it('sorts by time and ignores non-status events', () => {
    const events: PreviewEvent[] = [ev(4, 'open'), { at: at(1), type: 'customer_reply' }, ev(2, 'pending'), { at: at(3), type: 'agent_reply' }];
    assert.deepEqual(resolutionTimeline(start, events, ['pending']), { pauses: [{ from: at(2), to: at(4) }], metAt: null });
  });
  it('clips a pause that began before the clock started', () => {
    assert.deepEqual(resolutionTimeline(start, [ev(-1, 'pending'), ev(1, 'open')], ['pending']), { pauses: [{ from: start, to: at(1) }], metAt: null });
    assert.deepEqual(resolutionTimeline(start, [ev(-2, 'pending'), ev(-1, 'open')], ['pending']), { pauses: [], metAt: null });
  });
});
