/**
 * POST /api/v1/sla/preview through HTTP, exactly as issue 2's contract says: request and
 * response shape, ISO 8601 UTC instants exact to the second, met/breached rules, nulls while
 * paused at the end, 400 for events before createdAt, 403 for customer keys. Every expected
 * instant is computed by hand in the comments (EDT = UTC-4 until 2026-11-01 02:00, EST = UTC-5 after).
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, createOrg, detailPaths, ticketCount, instantMs } from './api-helpers';
import { slaPreviewResponse } from '../../src/http/api/openapi/responses';

const NY_9_TO_5 = {
  timezone: 'America/New_York',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
  holidays: ['2026-12-25'],
};
const LADDER = [{ percent: 80 }, { percent: 100 }, { percent: 120 }];
const POLICY = { calendar: NY_9_TO_5, firstResponseMinutes: 480, resolutionMinutes: 4800, pauseOn: ['pending'], escalations: LADDER };
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

type Clock = { dueAt: string | null; metAt: string | null; breached: boolean | null; escalations: Array<{ percent: number; at: string | null }> };

/** Compares instants exactly (to the millisecond), and checks every non-null one is ISO 8601 UTC. */
function assertClock(actual: Clock, expected: { dueAt: string | null; metAt: string | null; breached: boolean | null; at: Array<string | null> }, label: string) {
  assert.deepEqual(Object.keys(actual).sort(), ['breached', 'dueAt', 'escalations', 'metAt'], `${label}: response keys`);
  const ms = (s: string | null) => (s === null ? null : Date.parse(s));
  for (const v of [actual.dueAt, actual.metAt, ...actual.escalations.map((e) => e.at)]) if (v !== null) assert.match(v, ISO_UTC, `${label}: ${v} is not ISO UTC`);
  const show = (c: { dueAt: string | null; metAt: string | null; breached: boolean | null; at: Array<string | null> }) => JSON.stringify(c);
  const got = { dueAt: actual.dueAt, metAt: actual.metAt, breached: actual.breached, at: actual.escalations.map((e) => e.at) };
  const same =
    ms(got.dueAt) === ms(expected.dueAt) && ms(got.metAt) === ms(expected.metAt) && got.breached === expected.breached &&
    got.at.length === expected.at.length && got.at.every((a, i) => ms(a) === ms(expected.at[i]!));
  assert.ok(same, `${label}:\n  got      ${show(got)}\n  expected ${show(expected)}`);
  assert.deepEqual(actual.escalations.map((e) => e.percent), [80, 100, 120], `${label}: one entry per ladder step, in order`);
}

describe('API: POST /api/v1/sla/preview', function () {
  this.timeout(30_000);
  let h: PacerHarness;
  let agentKey: string;
  let customerKey: string;
  const preview = (body: unknown, key?: string) => h.api('/api/v1/sla/preview', { body, key: key ?? agentKey });

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    agentKey = (await createKey(h, 'agent')).key;
    customerKey = (await createKey(h, 'customer', (await createOrg(h, 'enterprise')).id)).key;
  });
  after(async () => h?.close());

  it('Friday 16:00 EST + 8 business hours is Monday 16:00 EST; unmet clocks have breached null', async () => {
    const before = await ticketCount(h);
    const res = await preview({ policy: POLICY, createdAt: '2026-11-20T21:00:00Z', events: [] });
    const resBody = bodyOf(res, slaPreviewResponse);
    assert.deepEqual(Object.keys(resBody).sort(), ['firstResponse', 'nextReply', 'resolution']);
    assert.deepEqual(resBody.nextReply, [], 'no nextReplyMinutes: no next-reply cycles');
    // First response, 480 min from Fri 2026-11-20 16:00 EST: Fri 16–17 gives 60.
    //   80% = 384: Mon 09:00 + 324 min = 14:24 EST = 19:24Z
    //  100% = 480: Mon 09:00 + 420 min = 16:00 EST = 21:00Z
    //  120% = 576: 60 + 480 (all Mon) = 540, Tue 09:00 + 36 = 09:36 EST = 14:36Z
    assertClock(resBody.firstResponse, { dueAt: '2026-11-23T21:00:00Z', metAt: null, breached: null, at: ['2026-11-23T19:24:00Z', '2026-11-23T21:00:00Z', '2026-11-24T14:36:00Z'] }, 'firstResponse');
    // Resolution, 4800 min = 80 h (no Thanksgiving in this calendar): Fri 1 h; week of 11-23 40 h (41);
    //   80% = 64 h: Mon 11-30 (49), Tue 12-01 (57), Wed 12-02 + 7 h = 16:00 EST = 21:00Z
    //  100% = 80 h: Mon–Thu 11-30..12-03 (73), Fri 12-04 + 7 h = 16:00 EST = 21:00Z
    //  120% = 96 h: Fri 12-04 to 17:00 (81), Mon 12-07 (89), Tue 12-08 + 7 h = 16:00 EST = 21:00Z
    assertClock(resBody.resolution, { dueAt: '2026-12-04T21:00:00Z', metAt: null, breached: null, at: ['2026-12-02T21:00:00Z', '2026-12-04T21:00:00Z', '2026-12-08T21:00:00Z'] }, 'resolution');
    assert.equal(await ticketCount(h), before, 'a preview creates nothing');
  });

  it('met clocks keep their due and ladder instants; breached only when met after due', async () => {
    const res = await preview({
      policy: POLICY,
      // The same instant as before, given with an offset: answers are still UTC.
      createdAt: '2026-11-20T16:00:00-05:00',
      events: [
        { at: '2026-11-23T15:00:00Z', type: 'agent_reply' }, // Mon 10:00 EST, before the 21:00Z due
        { at: '2026-11-23T15:00:00Z', type: 'status', status: 'open' },
        { at: '2026-12-07T15:00:00Z', type: 'status', status: 'solved' }, // Mon 12-07 10:00 EST, after the 12-04 due
        { at: '2026-12-08T15:00:00Z', type: 'agent_reply' }, // a later reply changes nothing
      ],
    });
    const resBody = bodyOf(res, slaPreviewResponse);
    assertClock(resBody.firstResponse, { dueAt: '2026-11-23T21:00:00Z', metAt: '2026-11-23T15:00:00Z', breached: false, at: ['2026-11-23T19:24:00Z', '2026-11-23T21:00:00Z', '2026-11-24T14:36:00Z'] }, 'firstResponse');
    assertClock(resBody.resolution, { dueAt: '2026-12-04T21:00:00Z', metAt: '2026-12-07T15:00:00Z', breached: true, at: ['2026-12-02T21:00:00Z', '2026-12-04T21:00:00Z', '2026-12-08T21:00:00Z'] }, 'resolution');
  });

  it('across the 2026-11-01 fall-back: Fri 16:00 EDT + 8 business hours is Mon 16:00 EST (21:00Z, not 20:00Z)', async () => {
    // Fri 2026-10-30 16:00 EDT = 20:00Z; Fri gives 60 min; Mon 11-02 is EST (UTC-5).
    //   80% = 384: Mon 09:00 + 324 = 14:24 EST = 19:24Z; 100%: Mon 16:00 EST = 21:00Z;
    //  120% = 576: Tue 11-03 09:36 EST = 14:36Z.
    const res = await preview({ policy: POLICY, createdAt: '2026-10-30T20:00:00Z', events: [] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertClock(bodyOf(res, slaPreviewResponse).firstResponse, { dueAt: '2026-11-02T21:00:00Z', metAt: null, breached: null, at: ['2026-11-02T19:24:00Z', '2026-11-02T21:00:00Z', '2026-11-03T14:36:00Z'] }, 'firstResponse');
  });

  it('a wall-time window that contains the repeated hour lasts four real hours', async () => {
    // Sunday 00:00–03:00 local on 2026-11-01 is 00:00 EDT (04:00Z) to 03:00 EST (08:00Z): 240 real minutes.
    const calendar = { timezone: 'America/New_York', weekly: { sun: [['00:00', '03:00']] }, holidays: [] };
    const res = await preview({ policy: { calendar, firstResponseMinutes: 210, resolutionMinutes: 240, pauseOn: ['pending'], escalations: LADDER }, createdAt: '2026-11-01T04:00:00Z', events: [] });
    const resBody = bodyOf(res, slaPreviewResponse);
    // First response 210: 80% = 168 → 06:48Z; 100% → 07:30Z; 120% = 252: 240 on 11-01, then Sun 11-08 00:00 EST (05:00Z) + 12 = 05:12Z.
    assertClock(resBody.firstResponse, { dueAt: '2026-11-01T07:30:00Z', metAt: null, breached: null, at: ['2026-11-01T06:48:00Z', '2026-11-01T07:30:00Z', '2026-11-08T05:12:00Z'] }, 'firstResponse');
    // Resolution 240: 80% = 192 → 07:12Z; 100% reached exactly at the window end 08:00Z; 120% = 288: 11-08 05:00Z + 48 = 05:48Z.
    assertClock(resBody.resolution, { dueAt: '2026-11-01T08:00:00Z', metAt: null, breached: null, at: ['2026-11-01T07:12:00Z', '2026-11-01T08:00:00Z', '2026-11-08T05:48:00Z'] }, 'resolution');
  });

  it('the 2026-12-25 holiday closes the whole Friday', async () => {
    // Thu 2026-12-24 16:00 EST = 21:00Z: Thu gives 60; Fri 12-25 holiday; Mon 12-28 09:00 + 420 = 16:00 EST = 21:00Z.
    //   80% = 384: Mon 09:00 + 324 = 14:24 EST = 19:24Z; 120% = 576: Tue 12-29 09:36 EST = 14:36Z.
    const res = await preview({ policy: POLICY, createdAt: '2026-12-24T21:00:00Z' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertClock(bodyOf(res, slaPreviewResponse).firstResponse, { dueAt: '2026-12-28T21:00:00Z', metAt: null, breached: null, at: ['2026-12-28T19:24:00Z', '2026-12-28T21:00:00Z', '2026-12-29T14:36:00Z'] }, 'firstResponse');
    // Without the holiday the same ticket is due Fri 12-25 16:00 EST = 21:00Z.
    const open = await preview({ policy: { ...POLICY, calendar: { ...NY_9_TO_5, holidays: [] } }, createdAt: '2026-12-24T21:00:00Z' });
    assert.equal(instantMs(bodyOf(open, slaPreviewResponse).firstResponse.dueAt), Date.parse('2026-12-25T21:00:00Z'));
  });

  describe('pauses (Mon 2026-11-23 09:00 EST = 14:00Z; first response 60 min, resolution 480 min)', () => {
    const policy = { ...POLICY, firstResponseMinutes: 60, resolutionMinutes: 480 };
    const createdAt = '2026-11-23T14:00:00Z';

    it('paused at the end: resolution dueAt and unreached ladder instants are null', async () => {
      const res = await preview({
        policy,
        createdAt,
        events: [
          { at: '2026-11-23T14:30:00Z', type: 'agent_reply' },
          { at: '2026-11-23T20:30:00Z', type: 'status', status: 'pending' }, // 15:30 EST: 390 min elapsed
        ],
      });
      const resBody = bodyOf(res, slaPreviewResponse);
      // First response 60: met 14:30Z; 80% = 48 → 14:48Z; due 15:00Z; 120% = 72 → 15:12Z (defined although met).
      assertClock(resBody.firstResponse, { dueAt: '2026-11-23T15:00:00Z', metAt: '2026-11-23T14:30:00Z', breached: false, at: ['2026-11-23T14:48:00Z', '2026-11-23T15:00:00Z', '2026-11-23T15:12:00Z'] }, 'firstResponse');
      // Resolution: 80% = 384 min was reached at 09:00 + 6:24 = 15:24 EST = 20:24Z, before the pause; the rest wait.
      assertClock(resBody.resolution, { dueAt: null, metAt: null, breached: null, at: ['2026-11-23T20:24:00Z', null, null] }, 'resolution');
    });

    it('resumes with the exact remaining business time; notes and customer replies do not meet first response', async () => {
      const events = [
        { at: '2026-11-23T14:10:00Z', type: 'internal_note' },
        { at: '2026-11-23T14:20:00Z', type: 'customer_reply' },
        { at: '2026-11-23T16:00:00Z', type: 'status', status: 'pending' }, // 11:00 EST: 120 min elapsed
        { at: '2026-11-24T15:00:00Z', type: 'status', status: 'open' }, // Tue 10:00 EST: 360 min remain
        { at: '2026-11-24T20:00:00Z', type: 'status', status: 'solved' }, // Tue 15:00 EST
      ];
      const res = await preview({ policy, createdAt, events });
      const resBody = bodyOf(res, slaPreviewResponse);
      assertClock(resBody.firstResponse, { dueAt: '2026-11-23T15:00:00Z', metAt: null, breached: null, at: ['2026-11-23T14:48:00Z', '2026-11-23T15:00:00Z', '2026-11-23T15:12:00Z'] }, 'firstResponse');
      // Resolution: due Tue 10:00 + 360 = 16:00 EST = 21:00Z; 80% = 384: 120 + 264 → Tue 14:24 EST = 19:24Z;
      // 120% = 576: 120 + 420 (Tue to 17:00) = 540, Wed 11-25 09:36 EST = 14:36Z.
      assertClock(resBody.resolution, { dueAt: '2026-11-24T21:00:00Z', metAt: '2026-11-24T20:00:00Z', breached: false, at: ['2026-11-24T19:24:00Z', '2026-11-24T21:00:00Z', '2026-11-25T14:36:00Z'] }, 'resolution');

      // Exact to the second: solved at due is met; one second later is a breach.
      const at = (solvedAt: string) => preview({ policy, createdAt, events: [...events.slice(0, 4), { at: solvedAt, type: 'status', status: 'solved' }] });
      assert.equal(bodyOf(await at('2026-11-24T21:00:00Z'), slaPreviewResponse).resolution.breached, false);
      assert.equal(bodyOf(await at('2026-11-24T21:00:01Z'), slaPreviewResponse).resolution.breached, true);
    });
  });

  describe('rejections', () => {
    it('an event before createdAt is a 400 naming the event', async () => {
      const res = await preview({ policy: POLICY, createdAt: '2026-11-20T21:00:00Z', events: [{ at: '2026-11-20T21:00:00Z', type: 'agent_reply' }, { at: '2026-11-20T20:59:59Z', type: 'agent_reply' }] });
      assertError(res, 400, 'validation_failed');
      assert.deepEqual(detailPaths(res), ['events.1.at']);
    });

    it('bad shapes are 400s with field paths', async () => {
      const cases: Array<[unknown, string]> = [
        [{ policy: POLICY, createdAt: 'last tuesday' }, 'createdAt'],
        [{ policy: POLICY, createdAt: '2026-11-20T21:00:00Z', events: [{ at: '2026-11-21T00:00:00Z', type: 'telepathy' }] }, 'events.0'],
        [{ policy: POLICY, createdAt: '2026-11-20T21:00:00Z', events: [{ at: '2026-11-21T00:00:00Z', type: 'status', status: 'dreaming' }] }, 'events.0.status'],
        [{ policy: { ...POLICY, calendar: { ...NY_9_TO_5, timezone: 'America/Gotham' } }, createdAt: '2026-11-20T21:00:00Z' }, 'policy.calendar.timezone'],
        [{ policy: { ...POLICY, calendar: { ...NY_9_TO_5, weekly: { ...NY_9_TO_5.weekly, mon: [['09:00', '25:00']] } } }, createdAt: '2026-11-20T21:00:00Z' }, 'policy.calendar.weekly.mon'],
        [{ policy: { ...POLICY, firstResponseMinutes: 0 }, createdAt: '2026-11-20T21:00:00Z' }, 'policy.firstResponseMinutes'],
      ];
      for (const [body, path] of cases) {
        const res = await preview(body);
        assertError(res, 400, 'validation_failed');
        assert.ok(detailPaths(res).some((p) => p.startsWith(path)), `expected ${path} in ${JSON.stringify(res.body)}`);
      }
      assertError(await h.api('/api/v1/sla/preview', { key: agentKey, method: 'POST', body: '{"policy":' }), 400, 'invalid_json');
    });

    it('a window ending at 24:00 is accepted', async () => {
      const calendar = { timezone: 'UTC', weekly: { mon: [['20:00', '24:00']], tue: [['00:00', '01:00']] }, holidays: [] };
      // Mon 2026-11-23 20:00Z + 300 min: 240 on Monday to midnight, then Tue 00:00 + 60 = 01:00Z.
      const res = await preview({ policy: { ...POLICY, calendar, firstResponseMinutes: 300 }, createdAt: '2026-11-23T20:00:00Z' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(instantMs(bodyOf(res, slaPreviewResponse).firstResponse.dueAt), Date.parse('2026-11-24T01:00:00Z'));
    });

    it('customers may not preview (403); admins and agents may', async () => {
      const body = { policy: POLICY, createdAt: '2026-11-20T21:00:00Z' };
      assertError(await preview(body, customerKey), 403, 'forbidden');
      assert.equal((await preview(body, h.adminKey)).status, 200);
      assert.equal((await preview(body, agentKey)).status, 200);
      assertError(await h.api('/api/v1/sla/preview', { key: null, body }), 401, 'unauthenticated');
    });
  });
});
