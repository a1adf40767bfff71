/**
 * PagerDuty paging end to end: ladder steps fire on the real Temporal dev server in real
 * time, the `page` action goes through @pagerduty/pdjs over TLS to the loopback Events API
 * v2 fake, and the alert is resolved when its clock is met or the ticket ends. Proves one
 * alert per ticket clock through later steps, 429/500 retries and a lost response, with the
 * payload PagerDuty's document asks for. About 35 s.
 */
import assert from 'node:assert/strict';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { createPageAction } from '../../src/integrations/pagerduty/page-action';
import type { RunActionInput } from '../../workflows/contract/records';
import { createPagerDutyEvents } from '../../src/integrations/pagerduty/events-client';
import { bodyOf, createTicket, eventually } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import { sentEvent, type PagerDutyEventsFake } from '../support/fakes/pagerduty-events-server';
import { dedupKeyOf, startPagerDutyStack, type PagerDutyStack } from '../support/fakes/pagerduty-test-stack';
import { actionEvent, isActionEvent, timeline as readTimeline } from '../support/timeline';
import { ticketResponse } from '../../src/http/api/openapi/responses';


describe('PagerDuty: paging through the Events API v2', function () {
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
  const link = (ticketId: string, key: string) =>
    h.database.db.selectFrom('ticket_links').selectAll().where('ticket_id', '=', ticketId).where('kind', '=', 'pagerduty').where('external_key', '=', key).executeTakeFirst();
  const triggers = (key: string) => fake.accepted('trigger', key);

  describe('an urgent ticket on the paging ladder', () => {
    let t: TicketView;
    let key: string;

    before(async function () {
      this.timeout(40_000);
      t = await createTicket(h, { subject: 'Checkout is down', priority: 'urgent', organizationId: s.pagingOrgId });
      key = dedupKeyOf(t.id, 'first_response');
      await fake.waitFor(() => triggers(key).length >= 1, 15_000, 'the 5% page');
    });

    it('its first step opens one alert with the ticket, its SLA state and a severity from the priority, linked to the ticket', async () => {
      const sent = triggers(key)[0]!;
      const body = sentEvent(sent);
      assert.ok(body.payload, 'a trigger carries a payload');
      assert.equal(body.routing_key, s.routingKey);
      assert.equal(body.event_action, 'trigger');
      assert.equal(body.dedup_key, `pacer:ticket:${t.id}:first_response:0`);
      assert.match(String(sent.headers['user-agent']), /^pdjs\//, 'sent by pdjs');
      assert.equal(body.payload.source, 'pacer');
      assert.equal(body.payload.severity, 'critical', 'urgent maps to critical');
      assert.match(body.payload.summary, new RegExp(`^${t.number}: Checkout is down \\(first response SLA at 5%, at risk\\)$`));
      const ticketUrl = `https://pacer.example.test/api/v1/tickets/${t.id}`;
      assert.equal(body.payload.custom_details?.ticket_url, ticketUrl);
      assert.equal(body.payload.custom_details?.ticket_number, t.number);
      assert.deepEqual(
        { ...body.payload.custom_details?.sla, at_risk_at: undefined },
        { clock: 'first_response', cycle: 0, percent: 5, state: 'at risk', due_at: t.sla.firstResponse.dueAt, at_risk_at: undefined, step: 'first_response:0:5' },
      );
      assert.deepEqual(body.links, [{ href: ticketUrl, text: `Ticket ${t.number}` }]);
      assert.ok(!Number.isNaN(Date.parse(String(body.payload.timestamp))));

      const row = await link(t.id, key);
      assert.equal(row?.data.status, 'triggered', 'the dedup key is linked to the ticket');
      await eventually(async () => (await timeline(t.id)).find((e) => isActionEvent(e, 'action.done', 'first_response:0:5') && e.data.detail.includes(key)), 5_000, 'action.done');
    });

    it('its next step pages again with the same dedup key, so PagerDuty keeps one alert', async function () {
      this.timeout(20_000);
      await fake.waitFor(() => triggers(key).length >= 2, 15_000, 'the 15% page');
      assert.equal(fake.alertsFor(key).length, 1, 'one alert for the clock');
      assert.equal(fake.alertsFor(key)[0]!.triggers.length, 2);
      assert.equal(sentEvent(triggers(key)[1]!).payload?.custom_details?.sla?.percent, 15);
    });

    it("the agent's reply meets the clock and resolves the alert, retried past a PagerDuty 503", async () => {
      fake.failNext(503);
      const reply = await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Looking at it now.' } });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      await fake.waitFor(() => fake.accepted('resolve', key).length === 1, 10_000, 'the resolve');
      const resolves = fake.requests.filter((r) => sentEvent(r).event_action === 'resolve' && sentEvent(r).dedup_key === key);
      assert.deepEqual(resolves.map((r) => r.status), [503, 202]);
      assert.equal(sentEvent(resolves[1]!).payload, undefined, 'a resolve carries no payload');
      assert.equal(fake.alertsFor(key)[0]!.status, 'resolved');
      assert.equal((await link(t.id, key))?.data.status, 'resolved');
    });
  });

  describe('then retries, solves, crashes and re-runs', () => {
    it('a 429 and then a 500 are retried (pdjs, then Temporal) and still open exactly one alert; cancelling resolves it', async function () {
      this.timeout(30_000);
      fake.failNext(429, 500);
      const t = await createTicket(h, { subject: 'Flaky PagerDuty', priority: 'urgent', organizationId: s.pagingOrgId });
      const key = dedupKeyOf(t.id, 'first_response');
      await fake.waitFor(() => triggers(key).length === 1, 20_000, 'the accepted trigger');

      const attempts = fake.requests.filter((r) => sentEvent(r).dedup_key === key);
      assert.deepEqual(attempts.map((r) => r.status), [429, 500, 202], 'throttled, failed, then accepted');
      assert.equal(fake.alertsFor(key).length, 1);
      await eventually(async () => (await timeline(t.id)).filter((e) => isActionEvent(e, 'action.done', 'first_response:0:5')).length === 1, 5_000, 'one action.done');

      const cancel = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'cancelled' } });
      assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
      await fake.waitFor(() => fake.alertsFor(key)[0]!.status === 'resolved', 10_000, 'the resolve on cancel');
    });

    it('solving the ticket resolves the resolution clock alert (high priority pages with severity error)', async function () {
      this.timeout(30_000);
      const t = await createTicket(h, { subject: 'Invoices fail to export', priority: 'high', organizationId: s.pagingOrgId });
      const key = dedupKeyOf(t.id, 'resolution');
      await fake.waitFor(() => triggers(key).length === 1, 15_000, 'the resolution page');
      assert.equal(sentEvent(triggers(key)[0]!).payload?.severity, 'error');
      assert.equal(fake.accepted('trigger', dedupKeyOf(t.id, 'first_response')).length, 0, 'the first-response clock is far from its steps');

      const solve = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'solved' } });
      assert.equal(solve.status, 200, JSON.stringify(solve.body));
      await fake.waitFor(() => fake.alertsFor(key)[0]!.status === 'resolved', 10_000, 'the resolve on solve');
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse).status, 'solved');
    });

    it('a page whose response is lost while the worker goes down and comes back still opens one alert', async function () {
      this.timeout(40_000);
      // The trigger takes effect at PagerDuty but its answer never arrives, as if the worker
      // had died right after sending it; the worker then really stops and restarts.
      fake.failNext('drop');
      const t = await createTicket(h, { subject: 'Crash while paging', priority: 'urgent', organizationId: s.pagingOrgId });
      const key = dedupKeyOf(t.id, 'first_response');
      await fake.waitFor(() => fake.requests.some((r) => sentEvent(r).dedup_key === key), 15_000, 'the first trigger');
      await h.stopWorker();
      assert.equal(fake.alertsFor(key).length, 1, 'the lost trigger opened the alert');
      await new Promise((r) => setTimeout(r, 1_500));
      await h.startWorker();

      await eventually(async () => actionEvent(await timeline(t.id), 'action.done', 'first_response:0:5'), 20_000, 'the retried page to finish');
      const sentForStep = fake.requests.filter((r) => sentEvent(r).dedup_key === key && sentEvent(r).payload?.custom_details?.sla?.percent === 5);
      assert.deepEqual(sentForStep.map((r) => r.outcome), ['opened, connection dropped', 'joined'], 'the retry landed on the same alert');
      assert.equal(fake.alertsFor(key).length, 1, 'one alert in effect');

      await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'cancelled' } });
      await fake.waitFor(() => fake.alertsFor(key)[0]!.status === 'resolved', 10_000, 'the resolve on cancel');
    });

    it('the page activity run again after a crash sends nothing (once), and after a crash before its record lands on the same alert', async () => {
      // A ticket without SLA, so only these direct runs page for it.
      const t = await createTicket(h, { subject: 'Run me twice', priority: 'urgent', organizationId: s.quietOrgId });
      const page = createPageAction({ db: h.database.db, events: createPagerDutyEvents(s.routingKey, { server: fake.host, ca: fake.ca }), publicUrl: 'https://pacer.example.test' });
      const input: RunActionInput = {
        ticketId: t.id, ticketNumber: t.number, stepId: 'first_response:0:120', clock: 'first_response', percent: 120, actionIndex: 0,
        action: { type: 'page' }, at: new Date().toISOString(),
        sla: { frDueAt: null, frMetAt: null, frAtRiskAt: null, resDueAt: null, resMetAt: null, resAtRiskAt: null, resPausedSince: null },
      };
      const key = dedupKeyOf(t.id, 'first_response');
      const sentForKey = () => fake.requests.filter((r) => sentEvent(r).dedup_key === key);

      assert.equal((await page(input)).status, 'done');
      assert.deepEqual(sentForKey().map((r) => r.outcome), ['opened']);
      // Temporal runs an activity again when the worker died before reporting it: once() answers.
      assert.equal((await page(input)).status, 'done');
      assert.equal(sentForKey().length, 1, 'no second request');
      // A crash between the trigger and once()'s record: the trigger goes again, the dedup key holds.
      await h.database.db.deleteFrom('integration_effects').where('key', '=', `pagerduty:trigger:${t.id}:first_response:0:120:0`).execute();
      assert.equal((await page(input)).status, 'done');
      assert.deepEqual(sentForKey().map((r) => r.outcome), ['opened', 'joined']);
      assert.equal(fake.alertsFor(key).length, 1, 'one alert in effect');
    });
  });
});

describe('PagerDuty: an event PagerDuty rejects', function () {
  this.timeout(60_000);
  let s: PagerDutyStack;

  before(async function () {
    this.timeout(120_000);
    // Not a 32-character integration key: the Events API answers 400 to every event.
    s = await startPagerDutyStack({ routingKey: 'not-a-routing-key' });
  });
  after(async () => s?.close());

  it('fails the page for good, without retries, and records why on the timeline', async function () {
    this.timeout(30_000);
    const t = await createTicket(s.h, { subject: 'Nobody can be paged', priority: 'urgent', organizationId: s.pagingOrgId });
    const failed = await eventually(
      async () => actionEvent(await readTimeline(s.h, 'tickets', t.id), 'action.failed'),
      15_000,
      'action.failed',
    );
    assert.equal(failed.data.step, 'first_response:0:5');
    assert.match(failed.data.detail, /PagerDuty answered 400/);
    assert.deepEqual(failed.data.errors, ["'routing_key' must be a 32 character string"]);
    await new Promise((r) => setTimeout(r, 3_000)); // a retry would have gone out by now
    const forStep = s.fake.requests.filter((r) => sentEvent(r).payload?.custom_details?.sla?.step === 'first_response:0:5');
    assert.deepEqual(forStep.map((r) => r.status), [400], 'sent once, not retried');
    assert.equal(s.fake.alerts.length, 0);
  });
});
