/**
 * GET /sla/at-risk and /sla/breaches count the next-reply clock, in real time: a policy
 * (24/7, set through the API) with a one-minute next reply; once an agent has answered, a
 * customer's reply puts the ticket at risk from 48 s and breached from 60 s, and a late
 * answer keeps it on the breach list (a past cycle met late). Takes a little over a minute.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { createKey, createOrg, createTicket, eventually } from './api-helpers';

const ALWAYS = { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] };

describe('API: SLA lists count next-reply breaches (real time, about 70 s)', function () {
  this.timeout(150_000);
  let h: PacerHarness;
  let org: { id: string };
  let customerKey: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const calendar = await h.api('/api/v1/calendars', { body: { name: 'always open (next reply test)', timezone: 'UTC', weekly: ALWAYS, holidays: [] } });
    assert.equal(calendar.status, 201, JSON.stringify(calendar.body));
    const policy = await h.api('/api/v1/sla-policies', {
      body: { name: 'starter normal (next reply 1 minute)', tier: 'starter', priority: 'normal', calendarId: calendar.body.id, firstResponseMinutes: 600, resolutionMinutes: 6000, nextReplyMinutes: 1 },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    assert.equal(policy.body.nextReplyMinutes, 1);
    assert.deepEqual(policy.body.nextReplyEscalations.map((s: { percent: number }) => s.percent), [80, 100, 120], 'its own ladder, the default one');
    org = await createOrg(h, 'starter');
    customerKey = (await createKey(h, 'customer', org.id)).key;
  });
  after(async () => h?.close());

  it('lists a ticket at risk, then breached, on its next reply, and keeps it breached once answered late', async () => {
    const ids = async (path: string) => ((await h.api(path)).body.data as Array<{ id: string }>).map((t) => t.id);
    const waiting = await createTicket(h, { subject: 'Still broken', priority: 'normal', organizationId: org.id });
    const quiet = await createTicket(h, { subject: 'Thanks', priority: 'normal', organizationId: org.id });
    for (const t of [waiting, quiet]) assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Looking into it.' } })).status, 201);
    assert.equal((await h.api(`/api/v1/tickets/${waiting.id}/comments`, { key: customerKey, body: { body: 'Any news?' } })).status, 201);
    const repliedAt = Date.now();

    const fresh = (await h.api(`/api/v1/tickets/${waiting.id}`)).body;
    assert.ok(fresh.sla.nextReply.dueAt, JSON.stringify(fresh.sla));
    assert.equal(fresh.sla.nextReply.breached, false);
    assert.deepEqual(await ids('/api/v1/sla/breaches'), []);
    assert.equal((await h.api(`/api/v1/tickets/${quiet.id}`)).body.sla.nextReply.dueAt, null, 'no customer reply: no cycle');

    const atRiskSeen = await eventually(async () => (await ids('/api/v1/sla/at-risk')).includes(waiting.id) && Date.now(), 60_000, 'the ticket in /sla/at-risk', 500);
    assert.ok(atRiskSeen - repliedAt >= 46_000, `at risk after only ${atRiskSeen - repliedAt} ms`);
    assert.deepEqual(await ids('/api/v1/sla/breaches'), []);

    const breachSeen = await eventually(async () => (await ids('/api/v1/sla/breaches')).includes(waiting.id) && Date.now(), 30_000, 'the ticket in /sla/breaches', 500);
    assert.ok(breachSeen - repliedAt >= 58_000, `breached after only ${breachSeen - repliedAt} ms`);
    assert.deepEqual(await ids('/api/v1/sla/breaches'), [waiting.id]);
    assert.deepEqual(await ids('/api/v1/sla/at-risk'), []);

    const live = (await h.api(`/api/v1/tickets/${waiting.id}/sla`)).body;
    assert.equal(live.nextReply.length, 1);
    assert.equal(live.nextReply[0].breached, true);

    // Answered late: no cycle runs, and the late one still counts.
    assert.equal((await h.api(`/api/v1/tickets/${waiting.id}/comments`, { body: { body: 'Sorry, fixed now.' } })).status, 201);
    const after = await eventually(async () => {
      const v = (await h.api(`/api/v1/tickets/${waiting.id}`)).body;
      return v.sla.nextReply.dueAt === null && v;
    }, 10_000, 'the cycle met on the row');
    assert.equal(after.sla.nextReply.breaches, 1);
    assert.equal(after.sla.nextReply.breached, true);
    assert.deepEqual(await ids('/api/v1/sla/breaches'), [waiting.id]);
    const answered = (await h.api(`/api/v1/tickets/${waiting.id}/sla`)).body;
    assert.deepEqual(answered.nextReply.map((c: { breached: boolean; metAt: string | null }) => [c.breached, c.metAt !== null]), [[true, true]]);
  });
});
