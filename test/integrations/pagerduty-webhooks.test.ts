/**
 * PagerDuty webhooks v3 end to end: deliveries signed the way PagerDuty signs them reach
 * POST /api/v1/integrations/pagerduty/webhook. An acknowledgement in PagerDuty acknowledges
 * the ticket's clock (who and when, in the SLA state and the timeline) and stops its later
 * page steps; forged, replayed and unknown deliveries change nothing; a rotating secret
 * (two v1= entries) is honoured; a resolution becomes an internal note. About 15 s.
 */
import assert from 'node:assert/strict';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { assertError, bodyOf, createTicket, eventually, sleep } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import type { FakeAlert, PagerDutyEventsFake } from '../support/fakes/pagerduty-events-server';
import { dedupKeyOf, startPagerDutyStack, type PagerDutyStack } from '../support/fakes/pagerduty-test-stack';
import { deliverPagerDutyWebhook, incidentEvent, pagerDutySignature } from '../support/fakes/pagerduty-webhook-signer';
import { actionEvent, timeline as readTimeline } from '../support/timeline';
import { commentResponse, listOf, ticketResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';


describe('PagerDuty: inbound webhooks v3', function () {
  this.timeout(60_000);
  let s: PagerDutyStack;
  let h: PacerHarness;
  let fake: PagerDutyEventsFake;

  before(async function () {
    this.timeout(120_000);
    s = await startPagerDutyStack();
    ({ h, fake } = s);
  });
  after(async () => s?.close());

  const timeline = (ticketId: string) => readTimeline(h, 'tickets', ticketId);
  const sla = async (ticketId: string) => bodyOf(await h.api(`/api/v1/tickets/${ticketId}/sla`), ticketSlaResponse);
  const comments = async (ticketId: string) => bodyOf(await h.api(`/api/v1/tickets/${ticketId}/comments`), listOf(commentResponse)).data as Array<{ body: string; public: boolean; author: { type: string; name: string } }>;
  const inboundCount = async () => Number((await h.database.db.selectFrom('inbound_webhooks').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const deliver = (body: unknown, opts: { secrets?: string[]; webhookId?: string; signature?: string | null } = {}) =>
    deliverPagerDutyWebhook(s.webhookUrl, { body, secrets: opts.secrets ?? [s.webhookSecret], webhookId: opts.webhookId, signature: opts.signature });
  /** An incident as PagerDuty would report it for a ticket's clock, without waiting for a page (the ticket has no SLA). */
  const quietIncident = async (subject: string): Promise<{ ticket: TicketView; alert: FakeAlert }> => {
    const ticket = await createTicket(h, { subject, priority: 'urgent', organizationId: s.quietOrgId });
    await eventually(async () => (await timeline(ticket.id)).some((e) => e.type === 'ticket.created'), 5_000, 'the workflow to record the ticket');
    const alert: FakeAlert = { id: 'PINC042', number: 42, routingKey: s.routingKey, dedupKey: dedupKeyOf(ticket.id, 'first_response'), status: 'triggered', triggers: [], openedAt: new Date().toISOString() };
    return { ticket, alert };
  };

  describe('an urgent ticket paged at 5%, then acknowledged in PagerDuty', () => {
    let t: TicketView;
    let key: string;
    let alert: FakeAlert;
    let res: Awaited<ReturnType<typeof deliver>>;

    before(async function () {
      this.timeout(30_000);
      t = await createTicket(h, { subject: 'Payments are failing', priority: 'urgent', organizationId: s.pagingOrgId });
      key = dedupKeyOf(t.id, 'first_response');
      await fake.waitFor(() => fake.accepted('trigger', key).length === 1, 15_000, 'the 5% page');
      // The on-call engineer acknowledges in PagerDuty, which reports it by webhook.
      alert = fake.act(key, 'acknowledged', 'Dana On-Call');
      res = await deliver(incidentEvent('incident.acknowledged', alert, { agent: { id: 'PDANA01', name: 'Dana On-Call' } }));
    });

    it('the incident.acknowledged webhook is answered at once', () => {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { status: 'acknowledged' });
      assert.ok(res.elapsedMs < 2_000, `answered in ${res.elapsedMs} ms`);
    });

    it('acknowledges the paged clock, and only it, with who and when', async () => {
      const acked = await eventually(async () => (await sla(t.id)).acknowledged?.first_response, 5_000, 'the acknowledgement in the SLA state');
      assert.equal(acked.by, 'Dana On-Call');
      assert.equal(acked.source, 'pagerduty');
      assert.ok(Math.abs(Date.parse(acked.at) - Date.now()) < 10_000, 'acknowledged just now');
      assert.equal((await sla(t.id)).acknowledged.resolution, undefined, 'only the paged clock');
      const ackEvent = (await timeline(t.id)).find((e) => e.type === 'sla.acknowledged')!;
      assert.deepEqual(ackEvent.data, { clocks: ['first_response'], by: 'Dana On-Call', source: 'pagerduty' });
      assert.equal(ackEvent.actor, 'agent:Dana On-Call');
    });

    it('skips the later page step: an acknowledged clock pages nobody', async function () {
      this.timeout(20_000);
      // The 15% step (9 s) would page again.
      const skipped = await eventually(async () => actionEvent(await timeline(t.id), 'action.skipped', 'first_response:0:15'), 12_000, 'the skipped 15% page');
      assert.match(skipped.data.detail, /acknowledged/);
      await sleep(500);
      assert.equal(fake.accepted('trigger', key).length, 1, 'PagerDuty saw no second trigger');
      const link = await h.database.db.selectFrom('ticket_links').selectAll().where('external_key', '=', key).executeTakeFirstOrThrow();
      assert.equal(link.url, `https://acme.pagerduty.com/incidents/${alert.id}`);
      assert.equal(link.data.status, 'acknowledged');
    });

    it('cancelling the ticket resolves the alert', async () => {
      await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'cancelled' } });
      await fake.waitFor(() => fake.alertsFor(key)[0]!.status === 'resolved', 10_000, 'the resolve on cancel');
    });
  });

  describe('then forged, repeated and foreign deliveries', () => {
    it('a wrong, missing or malformed signature, or an altered body, gets 401 and changes nothing', async () => {
      const { ticket, alert } = await quietIncident('Forged acknowledgement');
      const before = { events: await timeline(ticket.id), inbound: await inboundCount() };
      const body = incidentEvent('incident.acknowledged', alert);
      const raw = JSON.stringify(body);

      for (const attempt of [
        { secrets: ['not-the-secret'] },
        { signature: null },
        { signature: 'v1=' },
        { signature: 'sha256=deadbeef' },
        // Signed correctly, then the body changed on the way.
        { body: raw.replace('Dana On-Call', 'Mallory'), signature: pagerDutySignature([s.webhookSecret], raw) },
      ]) {
        const res = await deliver(attempt.body ?? body, { secrets: attempt.secrets, signature: attempt.signature });
        assert.equal(res.status, 401, JSON.stringify(attempt));
        assert.equal(assertError(res, 401).code, 'invalid_signature');
      }
      await sleep(500);
      assert.equal(await inboundCount(), before.inbound, 'no delivery recorded');
      assert.deepEqual(await timeline(ticket.id), before.events, 'no event');
      assert.deepEqual((await sla(ticket.id)).acknowledged, {}, 'not acknowledged');
    });

    it('a redelivery with the same X-Webhook-Id is acknowledged with 2xx and ignored', async () => {
      const { ticket, alert } = await quietIncident('Delivered twice');
      alert.status = 'resolved';
      const first = await deliver(incidentEvent('incident.resolved', alert, { agent: { name: 'Dana On-Call' } }), { webhookId: 'whk-dup-1' });
      assert.deepEqual(first.body, { status: 'noted' });
      // The same delivery id, even carrying another event id, is the same delivery.
      const again = await deliver(incidentEvent('incident.resolved', alert, { agent: { name: 'Dana On-Call' } }), { webhookId: 'whk-dup-1' });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, { status: 'duplicate' });

      const notes = await eventually(async () => {
        const internal = (await comments(ticket.id)).filter((c) => !c.public);
        return internal.length > 0 && internal;
      }, 5_000, 'the internal note');
      await sleep(1_000);
      assert.equal((await comments(ticket.id)).filter((c) => !c.public).length, 1, 'one note');
      assert.match(notes[0]!.body, /PagerDuty incident #42 .* was resolved by Dana On-Call/);
      assert.deepEqual(notes[0]!.author, { type: 'system', name: 'pagerduty' });
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${ticket.id}`), ticketResponse).status, 'new', 'resolving in PagerDuty does not close the ticket');
    });

    it('accepts a rotating secret: two v1= entries, only the second matching', async () => {
      const { ticket, alert } = await quietIncident('Secret rotation');
      const res = await deliver(incidentEvent('incident.acknowledged', alert, { agent: { name: 'Rob Rotation' } }), { secrets: ['the-old-secret', s.webhookSecret] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { status: 'acknowledged' });
      const acked = await eventually(async () => (await sla(ticket.id)).acknowledged?.first_response, 5_000, 'the acknowledgement');
      assert.equal(acked.by, 'Rob Rotation');
    });

    it('answers 2xx and ignores other event types and incidents that are not ours', async () => {
      const { ticket, alert } = await quietIncident('Escalated elsewhere');
      const before = await timeline(ticket.id);
      for (const body of [
        incidentEvent('incident.escalated', alert),
        incidentEvent('service.updated', alert),
        incidentEvent('incident.acknowledged', alert, { data: { incident_key: 'someone-elses-alert-key' } }),
        incidentEvent('incident.acknowledged', alert, { data: { incident_key: dedupKeyOf('00000000-0000-4000-8000-000000000000', 'first_response') } }),
      ]) {
        const res = await deliver(body);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body, { status: 'ignored' });
      }
      await sleep(500);
      assert.deepEqual(await timeline(ticket.id), before);
    });
  });
});

