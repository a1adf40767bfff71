/**
 * GET /sla/at-risk and /sla/breaches in real time, with a one-minute first-response target
 * on a custom 24/7 calendar: a ticket shows as at risk from 80% (48 s) and as breached from
 * 100% (60 s), and the workflow's ladder records sla.escalation (80%) and sla.breached
 * (100%) exactly once each. Takes a little over a minute by design.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createCalendar, createOrg, createPolicy, createTicket, eventually, instantMs, sleep } from './api-helpers';
import { ticketList, ticketResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { timeline } from '../support/timeline';

describe('API: SLA at-risk and breach lists (real time, about 70 s)', function () {
  this.timeout(150_000);
  let h: PacerHarness;
  let starter: { id: string };
  let enterprise: { id: string };

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const calendar = await createCalendar(h, 'always open (test)');
    await createPolicy(h, {
      name: 'starter normal (1 minute)',
      tier: 'starter',
      priority: 'normal',
      calendarId: calendar.id,
      firstResponseMinutes: 1,
      resolutionMinutes: 600,
      escalations: [{ percent: 80, actions: [{ type: 'notify', role: 'manager' }] }, { percent: 100, actions: [] }],
    });
    starter = await createOrg(h, 'starter');
    enterprise = await createOrg(h, 'enterprise');
  });
  after(async () => h?.close());

  describe('a ticket left unanswered on a one-minute first response, beside one answered at once and one on a slower tier', () => {
    let late: TicketView;
    let answered: TicketView;
    let relaxed: TicketView;
    let createdAt: number;
    const ids = async (path: string) => {
      const res = await h.api(path);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return bodyOf(res, ticketList).data.map((t) => t.id);
    };

    before(async () => {
      late = await createTicket(h, { subject: 'Where is my order?', priority: 'normal', organizationId: starter.id });
      answered = await createTicket(h, { subject: 'Where is my refund?', priority: 'normal', organizationId: starter.id });
      relaxed = await createTicket(h, { subject: 'Feature idea', priority: 'normal', organizationId: enterprise.id });
      createdAt = instantMs(late.createdAt);
      assert.equal((await h.api(`/api/v1/tickets/${answered.id}/comments`, { body: { body: 'Refund sent today.' } })).status, 201);
    });

    it('is due exactly one minute after creation and at risk at 48 s (24/7)', () => {
      assert.equal(instantMs(late.sla.firstResponse.dueAt) - createdAt, 60_000);
      assert.equal(instantMs(late.sla.firstResponse.atRiskAt) - createdAt, 48_000);
    });

    it('is on neither list at first, and the negative filters hold every ticket (SQL NULLs hide none)', async () => {
      assert.deepEqual(await ids('/api/v1/sla/at-risk'), []);
      assert.deepEqual(await ids('/api/v1/sla/breaches'), []);
      assert.deepEqual(new Set(await ids('/api/v1/tickets?atRisk=false&breached=false')), new Set([late.id, answered.id, relaxed.id]));
    });

    it('is listed at risk from 80%, not before, and alone: the answered and the relaxed tickets are not at risk', async () => {
      const atRiskSeen = await eventually(async () => (await ids('/api/v1/sla/at-risk')).includes(late.id) && Date.now(), 60_000, 'the ticket in /sla/at-risk', 500);
      assert.ok(atRiskSeen - createdAt >= 47_000, `listed at risk after only ${atRiskSeen - createdAt} ms`);
      assert.deepEqual(await ids('/api/v1/sla/at-risk'), [late.id], 'the answered and the relaxed tickets are not at risk');
      assert.deepEqual(await ids('/api/v1/sla/breaches'), []);
      assert.deepEqual(await ids(`/api/v1/tickets?atRisk=true&organizationId=${starter.id}`), [late.id]);
      const atRiskView = bodyOf(await h.api('/api/v1/sla/at-risk'), ticketList).data[0];
      assert.equal(atRiskView?.sla.firstResponse.atRisk, true);
      assert.equal(atRiskView?.sla.firstResponse.breached, false);
    });

    it('is listed as breached from 100%, not before, and leaves the at-risk list', async () => {
      const breachSeen = await eventually(async () => (await ids('/api/v1/sla/breaches')).includes(late.id) && Date.now(), 30_000, 'the ticket in /sla/breaches', 500);
      assert.ok(breachSeen - createdAt >= 59_000, `listed as breached after only ${breachSeen - createdAt} ms`);
      assert.deepEqual(await ids('/api/v1/sla/breaches'), [late.id]);
      assert.deepEqual(await ids('/api/v1/sla/at-risk'), []);
      assert.deepEqual(await ids('/api/v1/tickets?breached=true'), [late.id]);
      assert.deepEqual(new Set(await ids('/api/v1/tickets?breached=false')), new Set([answered.id, relaxed.id]));
      const breachedView = bodyOf(await h.api(`/api/v1/tickets/${late.id}`), ticketResponse);
      assert.equal(breachedView.sla.firstResponse.breached, true);
      assert.equal(breachedView.sla.firstResponse.atRisk, false);
    });

    it('records the 80% step and the breach once each, by the workflow, at or just after their instants', async () => {
      const ladderEvents = async () => {
        const events = await timeline(h, 'tickets', late.id);
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
    });

    it('shows in its live state both steps fired and the clock breached', async () => {
      const sla = bodyOf(await h.api(`/api/v1/tickets/${late.id}/sla`), ticketSlaResponse);
      assert.equal(sla.firstResponse?.breached, true);
      assert.ok((sla.firstResponse?.percentElapsed ?? 0) >= 100);
      assert.deepEqual(sla.firstResponse?.escalations.map((e) => [e.percent, e.fired]), [[80, true], [100, true]]);
    });

    it("never fires the answered ticket's ladder", async () => {
      const answeredEvents = await timeline(h, 'tickets', answered.id);
      assert.ok(!answeredEvents.some((e) => e.type === 'sla.escalation' || e.type === 'sla.breached'));
    });

    it('stays breached, and on the breach list, once answered late (met after due)', async () => {
      assert.equal((await h.api(`/api/v1/tickets/${late.id}/comments`, { body: { body: 'Sorry for the wait.' } })).status, 201);
      const after = bodyOf(await h.api(`/api/v1/tickets/${late.id}`), ticketResponse);
      assert.ok(after.sla.firstResponse.metAt);
      assert.equal(after.sla.firstResponse.breached, true);
      assert.deepEqual(await ids('/api/v1/sla/breaches'), [late.id]);
    });
  });
});
