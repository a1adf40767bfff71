/**
 * GET /sla/at-risk and /sla/breaches count the next-reply clock, in real time: a policy
 * (24/7, set through the API) with a one-minute next reply; once an agent has answered, a
 * customer's reply puts the ticket at risk from 48 s and breached from 60 s, and a late
 * answer keeps it on the breach list (a past cycle met late). Takes a little over a minute.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createCalendar, createKey, createOrg, createPolicy, createTicket, eventually } from './api-helpers';
import { ticketList, ticketResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';
import type { TicketView } from '../../src/domain/tickets/ticket-view';

describe('API: SLA lists count next-reply breaches (real time, about 70 s)', function () {
  this.timeout(150_000);
  let h: PacerHarness;
  let org: { id: string };
  let customerKey: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const calendar = await createCalendar(h, 'always open (next reply test)');
    const policy = await createPolicy(h, { name: 'starter normal (next reply 1 minute)', tier: 'starter', priority: 'normal', calendarId: calendar.id, firstResponseMinutes: 600, resolutionMinutes: 6000, nextReplyMinutes: 1 });
    assert.equal(policy.nextReplyMinutes, 1);
    assert.deepEqual(policy.nextReplyEscalations.map((s) => s.percent), [80, 100, 120], 'its own ladder, the default one');
    org = await createOrg(h, 'starter');
    customerKey = (await createKey(h, 'customer', org.id)).key;
  });
  after(async () => h?.close());

  describe('a ticket whose customer wrote back after the first answer, beside one whose customer did not', () => {
    let waiting: TicketView;
    let quiet: TicketView;
    let repliedAt: number;
    const ids = async (path: string) => bodyOf(await h.api(path), ticketList).data.map((t) => t.id);

    before(async () => {
      waiting = await createTicket(h, { subject: 'Still broken', priority: 'normal', organizationId: org.id });
      quiet = await createTicket(h, { subject: 'Thanks', priority: 'normal', organizationId: org.id });
      for (const t of [waiting, quiet]) assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Looking into it.' } })).status, 201);
      assert.equal((await h.api(`/api/v1/tickets/${waiting.id}/comments`, { key: customerKey, body: { body: 'Any news?' } })).status, 201);
      repliedAt = Date.now();
    });

    it('owes the customer a next reply, not yet breached; the other ticket runs no cycle', async () => {
      const fresh = bodyOf(await h.api(`/api/v1/tickets/${waiting.id}`), ticketResponse);
      assert.ok(fresh.sla.nextReply.dueAt, JSON.stringify(fresh.sla));
      assert.equal(fresh.sla.nextReply.breached, false);
      assert.deepEqual(await ids('/api/v1/sla/breaches'), []);
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${quiet.id}`), ticketResponse).sla.nextReply.dueAt, null, 'no customer reply: no cycle');
    });

    it('is listed at risk from 80% of the next reply, not before', async () => {
      const atRiskSeen = await eventually(async () => (await ids('/api/v1/sla/at-risk')).includes(waiting.id) && Date.now(), 60_000, 'the ticket in /sla/at-risk', 500);
      assert.ok(atRiskSeen - repliedAt >= 46_000, `at risk after only ${atRiskSeen - repliedAt} ms`);
      assert.deepEqual(await ids('/api/v1/sla/breaches'), []);
    });

    it('is listed as breached from 100%, not before, and leaves the at-risk list; its live cycle is breached', async () => {
      const breachSeen = await eventually(async () => (await ids('/api/v1/sla/breaches')).includes(waiting.id) && Date.now(), 30_000, 'the ticket in /sla/breaches', 500);
      assert.ok(breachSeen - repliedAt >= 58_000, `breached after only ${breachSeen - repliedAt} ms`);
      assert.deepEqual(await ids('/api/v1/sla/breaches'), [waiting.id]);
      assert.deepEqual(await ids('/api/v1/sla/at-risk'), []);
      const live = bodyOf(await h.api(`/api/v1/tickets/${waiting.id}/sla`), ticketSlaResponse);
      assert.equal(live.nextReply?.length, 1);
      assert.equal(live.nextReply?.[0]?.breached, true);
    });

    it('answered late, runs no cycle, still counts the late one and stays on the breach list', async () => {
      assert.equal((await h.api(`/api/v1/tickets/${waiting.id}/comments`, { body: { body: 'Sorry, fixed now.' } })).status, 201);
      const after = await eventually(async () => {
        const v = bodyOf(await h.api(`/api/v1/tickets/${waiting.id}`), ticketResponse);
        return v.sla.nextReply.dueAt === null && v;
      }, 10_000, 'the cycle met on the row');
      assert.equal(after.sla.nextReply.breaches, 1);
      assert.equal(after.sla.nextReply.breached, true);
      assert.deepEqual(await ids('/api/v1/sla/breaches'), [waiting.id]);
      const answered = bodyOf(await h.api(`/api/v1/tickets/${waiting.id}/sla`), ticketSlaResponse);
      assert.deepEqual(answered.nextReply?.map((c) => [c.breached, c.metAt !== null]), [[true, true]]);
    });
  });
});
