/**
 * POST /api/v1/sla/preview with the next-reply clock, through HTTP: `policy.nextReplyMinutes`
 * in, `nextReply` out (one entry per cycle, in order, each exact to the second with breached
 * null while unmet), `customer_reply` events now mattering, and the bounds on the new fields.
 * Calendar: New York 09:00–17:00 Mon–Fri, 2026-12-25 a holiday (EST = UTC-5 in November).
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, detailPaths } from './api-helpers';
import { slaPreviewResponse } from '../../src/http/api/openapi/responses';

const NY_9_TO_5 = {
  timezone: 'America/New_York',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
  holidays: ['2026-12-25'],
};
const POLICY = { calendar: NY_9_TO_5, firstResponseMinutes: 480, resolutionMinutes: 4800, pauseOn: ['pending'], escalations: [{ percent: 80 }, { percent: 100 }, { percent: 120 }], nextReplyMinutes: 120 };
const CREATED = '2026-11-23T14:00:00Z'; // Mon 09:00 EST
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const ms = (s: string | null) => (s === null ? null : Date.parse(s));

type Cycle = { startedAt: string; dueAt: string | null; metAt: string | null; breached: boolean | null; escalations: Array<{ percent: number; at: string | null }> };

describe('API: POST /api/v1/sla/preview with next reply', function () {
  this.timeout(30_000);
  let h: PacerHarness;
  let agentKey: string;
  const preview = (body: unknown) => h.api('/api/v1/sla/preview', { body, key: agentKey });

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    agentKey = (await createKey(h, 'agent')).key;
  });
  after(async () => h?.close());

  describe('a preview of two customer replies, the first answered exactly at due, the second late in the day', () => {
    let res: Awaited<ReturnType<typeof preview>>;
    let cycles: Cycle[];

    before(async () => {
      res = await preview({
        policy: POLICY,
        createdAt: CREATED,
        events: [
          { at: '2026-11-23T14:30:00Z', type: 'agent_reply' }, // first response
          { at: '2026-11-23T15:00:00Z', type: 'customer_reply' }, // cycle 0: Mon 10:00 EST, due 12:00 EST = 17:00Z
          { at: '2026-11-23T16:00:00Z', type: 'customer_reply' }, // while cycle 0 runs: nothing
          { at: '2026-11-23T17:00:00Z', type: 'agent_reply' }, // meets cycle 0 exactly at due: not a breach
          { at: '2026-11-23T21:30:00Z', type: 'customer_reply' }, // cycle 1: Mon 16:30 EST: 30 min Mon + 90 Tue → Tue 10:30 EST = 15:30Z
        ],
      });
      cycles = bodyOf(res, slaPreviewResponse).nextReply;
    });

    it('answers one entry per cycle, in order, with exactly the contract keys, ISO UTC instants and the ladder', () => {
      assert.deepEqual(Object.keys(bodyOf(res, slaPreviewResponse)).sort(), ['firstResponse', 'nextReply', 'resolution']);
      assert.equal(cycles.length, 2);
      for (const c of cycles) {
        assert.deepEqual(Object.keys(c).sort(), ['breached', 'dueAt', 'escalations', 'metAt', 'startedAt']);
        for (const v of [c.startedAt, c.dueAt, c.metAt, ...c.escalations.map((e) => e.at)]) if (v !== null) assert.match(v, ISO_UTC);
        assert.deepEqual(c.escalations.map((e) => e.percent), [80, 100, 120]);
      }
    });

    it('starts the first cycle at the reply, due two business hours later, met at due and so not breached', () => {
      const [a] = cycles;
      assert.equal(ms(a!.startedAt), ms('2026-11-23T15:00:00Z'));
      assert.equal(ms(a!.dueAt), ms('2026-11-23T17:00:00Z'));
      assert.equal(ms(a!.metAt), ms('2026-11-23T17:00:00Z'));
      assert.equal(a!.breached, false);
    });

    it("places the first cycle's ladder at 80, 100 and 120% of its business time", () => {
      const [a] = cycles;
      // 80% = 96 min → 11:36 EST = 16:36Z; 120% = 144 min → 12:24 EST = 17:24Z.
      assert.deepEqual(a!.escalations.map((e) => ms(e.at)), [ms('2026-11-23T16:36:00Z'), ms('2026-11-23T17:00:00Z'), ms('2026-11-23T17:24:00Z')]);
    });

    it('carries the second cycle over the evening into the next business day, unmet (breached null)', () => {
      const [, b] = cycles;
      assert.equal(ms(b!.startedAt), ms('2026-11-23T21:30:00Z'));
      assert.equal(ms(b!.dueAt), ms('2026-11-24T15:30:00Z'));
      assert.equal(b!.metAt, null);
      assert.equal(b!.breached, null, 'unmet: breached is null');
    });
  });

  it('a reply one second after due is a breach', async () => {
    const res = await preview({
      policy: POLICY,
      createdAt: CREATED,
      events: [{ at: '2026-11-23T14:30:00Z', type: 'agent_reply' }, { at: '2026-11-23T15:00:00Z', type: 'customer_reply' }, { at: '2026-11-23T17:00:01Z', type: 'agent_reply' }],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(bodyOf(res, slaPreviewResponse).nextReply[0]?.breached, true);
  });

  it('customer replies before the first response start no cycle, and first response is still met by the agent reply alone', async () => {
    const res = await preview({
      policy: POLICY,
      createdAt: CREATED,
      events: [{ at: '2026-11-23T14:10:00Z', type: 'customer_reply' }, { at: '2026-11-23T14:30:00Z', type: 'agent_reply' }],
    });
    const resBody = bodyOf(res, slaPreviewResponse);
    assert.deepEqual(resBody.nextReply, []);
    assert.equal(ms(resBody.firstResponse.metAt), ms('2026-11-23T14:30:00Z'));
  });

  it('a pending status does not pause the next-reply clock', async () => {
    const events = [{ at: '2026-11-23T14:30:00Z', type: 'agent_reply' }, { at: '2026-11-23T15:00:00Z', type: 'customer_reply' }];
    const plain = await preview({ policy: POLICY, createdAt: CREATED, events });
    const pending = await preview({ policy: POLICY, createdAt: CREATED, events: [...events, { at: '2026-11-23T15:10:00Z', type: 'status', status: 'pending' }] });
    const pendingBody = bodyOf(pending, slaPreviewResponse);
    assert.deepEqual(pendingBody.nextReply, bodyOf(plain, slaPreviewResponse).nextReply);
    assert.equal(pendingBody.resolution.dueAt, null, 'resolution, paused at the end, has no due');
  });

  it('nextReplyMinutes null gives an empty nextReply; a bad target or too many customer replies is a 400 naming the field', async () => {
    const ok = await preview({ policy: { ...POLICY, nextReplyMinutes: null }, createdAt: CREATED, events: [{ at: '2026-11-23T14:30:00Z', type: 'agent_reply' }, { at: '2026-11-23T15:00:00Z', type: 'customer_reply' }] });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(bodyOf(ok, slaPreviewResponse).nextReply, []);
    for (const [minutes, path] of [[0, 'policy.nextReplyMinutes'], [-5, 'policy.nextReplyMinutes'], [10_000_000, 'policy.nextReplyMinutes'], ['soon', 'policy.nextReplyMinutes']] as const) {
      const res = await preview({ policy: { ...POLICY, nextReplyMinutes: minutes }, createdAt: CREATED });
      assertError(res, 400, 'validation_failed');
      assert.ok(detailPaths(res).some((p) => p.startsWith(path)), JSON.stringify(res.body));
    }
    const many = Array.from({ length: 201 }, (_, i) => ({ at: new Date(Date.parse(CREATED) + (i + 1) * 60_000).toISOString(), type: 'customer_reply' }));
    const res = await preview({ policy: POLICY, createdAt: CREATED, events: many });
    assertError(res, 400, 'validation_failed');
    assert.deepEqual(detailPaths(res), ['events.200']);
  });
});
