/**
 * GET /sla/at-risk and /sla/breaches in real time, with a one-minute first-response target
 * on a custom 24/7 calendar: a ticket shows as at risk from 80% (48 s) and as breached from
 * 100% (60 s), and the workflow's ladder records sla.escalation (80%) and sla.breached
 * (100%) exactly once each. Takes a little over a minute by design.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createOrg, createTicket, eventually, sleep } from './api-helpers';

const ALWAYS = { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] };

describe('API: SLA at-risk and breach lists (real time, about 70 s)', function () {
  this.timeout(150_000);
  let h: PacerHarness;
  let starter: { id: string };
  let enterprise: { id: string };

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const calendar = await h.api('/api/v1/calendars', { body: { name: 'always open (test)', timezone: 'UTC', weekly: ALWAYS, holidays: [] } });
    assert.equal(calendar.status, 201, JSON.stringify(calendar.body));
    const policy = await h.api('/api/v1/sla-policies', {
      body: {
        name: 'starter normal (1 minute)',
        tier: 'starter',
        priority: 'normal',
        calendarId: calendar.body.id,
        firstResponseMinutes: 1,
        resolutionMinutes: 600,
        escalations: [{ percent: 80, actions: [{ type: 'notify', role: 'manager' }] }, { percent: 100, actions: [] }],
      },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    starter = await createOrg(h, 'starter');
    enterprise = await createOrg(h, 'enterprise');
  });
  after(async () => h?.close());

  it('lists a ticket as at risk from 80% and as breached from 100%, and fires each ladder step once', async () => {
    const ids = async (path: string) => {
      const res = await h.api(path);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.map((t: { id: string }) => t.id) as string[];
    };

    const late = await createTicket(h, { subject: 'Where is my order?', priority: 'normal', organizationId: starter.id });
    const answered = await createTicket(h, { subject: 'Where is my refund?', priority: 'normal', organizationId: starter.id });
    const relaxed = await createTicket(h, { subject: 'Feature idea', priority: 'normal', organizationId: enterprise.id });
    const createdAt = Date.parse(late.createdAt);
    // 24/7: due exactly one minute after creation; at risk at 48 s.
    assert.equal(Date.parse(late.sla.firstResponse.dueAt) - createdAt, 60_000);
    assert.equal(Date.parse(late.sla.firstResponse.atRiskAt) - createdAt, 48_000);
    assert.equal((await h.api(`/api/v1/tickets/${answered.id}/comments`, { body: { body: 'Refund sent today.' } })).status, 201);

    assert.deepEqual(await ids('/api/v1/sla/at-risk'), []);
    assert.deepEqual(await ids('/api/v1/sla/breaches'), []);
    // The negative filters hold every ticket that is neither (SQL NULLs must not hide any).
    assert.deepEqual(new Set(await ids('/api/v1/tickets?atRisk=false&breached=false')), new Set([late.id, answered.id, relaxed.id]));

    // At risk: not before 48 s, and soon after.
    const atRiskSeen = await eventually(async () => (await ids('/api/v1/sla/at-risk')).includes(late.id) && Date.now(), 60_000, 'the ticket in /sla/at-risk', 500);
    assert.ok(atRiskSeen - createdAt >= 47_000, `listed at risk after only ${atRiskSeen - createdAt} ms`);
    assert.deepEqual(await ids('/api/v1/sla/at-risk'), [late.id], 'the answered and the relaxed tickets are not at risk');
    assert.deepEqual(await ids('/api/v1/sla/breaches'), []);
    assert.deepEqual(await ids(`/api/v1/tickets?atRisk=true&organizationId=${starter.id}`), [late.id]);
    const atRiskView = (await h.api('/api/v1/sla/at-risk')).body.data[0];
    assert.equal(atRiskView.sla.firstResponse.atRisk, true);
    assert.equal(atRiskView.sla.firstResponse.breached, false);

    // Breached: not before 60 s; then it leaves the at-risk list.
    const breachSeen = await eventually(async () => (await ids('/api/v1/sla/breaches')).includes(late.id) && Date.now(), 30_000, 'the ticket in /sla/breaches', 500);
    assert.ok(breachSeen - createdAt >= 59_000, `listed as breached after only ${breachSeen - createdAt} ms`);
    assert.deepEqual(await ids('/api/v1/sla/breaches'), [late.id]);
    assert.deepEqual(await ids('/api/v1/sla/at-risk'), []);
    assert.deepEqual(await ids('/api/v1/tickets?breached=true'), [late.id]);
    assert.deepEqual(new Set(await ids('/api/v1/tickets?breached=false')), new Set([answered.id, relaxed.id]));
    const breachedView = (await h.api(`/api/v1/tickets/${late.id}`)).body;
    assert.equal(breachedView.sla.firstResponse.breached, true);
    assert.equal(breachedView.sla.firstResponse.atRisk, false);

    // The ladder: 80% and 100% each recorded once, by the workflow, at (or just after) their instants.
    const ladderEvents = async () => {
      const events = (await h.api(`/api/v1/tickets/${late.id}/events`)).body.data as Array<{ type: string; at: string; data: any }>;
      return events.filter((e) => e.type.startsWith('sla.escalation') || e.type === 'sla.breached' || e.type.startsWith('action.'));
    };
    await eventually(async () => (await ladderEvents()).some((e) => e.type === 'sla.breached'), 15_000, 'the sla.breached event');
    await sleep(2_000); // give a duplicate, if any, the chance to land
    const ladder = await ladderEvents();
    const escalations = ladder.filter((e) => e.type === 'sla.escalation');
    const breaches = ladder.filter((e) => e.type === 'sla.breached');
    assert.equal(escalations.length, 1, JSON.stringify(ladder));
    assert.equal(breaches.length, 1, JSON.stringify(ladder));
    assert.equal(escalations[0]!.data.percent, 80);
    assert.equal(escalations[0]!.data.clock, 'first_response');
    assert.equal(breaches[0]!.data.percent, 100);
    assert.equal(breaches[0]!.data.clock, 'first_response');
    assert.ok(Date.parse(escalations[0]!.at) >= createdAt + 48_000, 'the 80% step did not fire early');
    assert.ok(Date.parse(breaches[0]!.at) >= createdAt + 60_000, 'the breach did not fire early');
    assert.deepEqual(ladder.filter((e) => e.type.startsWith('action.')).map((e) => [e.type, e.data.percent]), [['action.done', 80]], 'the 80% notify action ran once');

    // The live state agrees: both steps fired, the clock is breached.
    const sla = (await h.api(`/api/v1/tickets/${late.id}/sla`)).body;
    assert.equal(sla.firstResponse.breached, true);
    assert.ok(sla.firstResponse.percentElapsed >= 100);
    assert.deepEqual(sla.firstResponse.escalations.map((e: { percent: number; fired: boolean }) => [e.percent, e.fired]), [[80, true], [100, true]]);

    // The answered ticket's ladder never fired.
    const answeredEvents = (await h.api(`/api/v1/tickets/${answered.id}/events`)).body.data as Array<{ type: string }>;
    assert.ok(!answeredEvents.some((e) => e.type === 'sla.escalation' || e.type === 'sla.breached'));

    // Replying late meets the clock but it stays breached (met after due); it stays on the breach list.
    assert.equal((await h.api(`/api/v1/tickets/${late.id}/comments`, { body: { body: 'Sorry for the wait.' } })).status, 201);
    const after = (await h.api(`/api/v1/tickets/${late.id}`)).body;
    assert.ok(after.sla.firstResponse.metAt);
    assert.equal(after.sla.firstResponse.breached, true);
    assert.deepEqual(await ids('/api/v1/sla/breaches'), [late.id]);
  });
});
