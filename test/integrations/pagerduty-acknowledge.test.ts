/**
 * An acknowledgement made in Pacer acknowledges the ticket's PagerDuty alert too: the loopback
 * PagerDuty Events API v2 server (TLS, as pdjs speaks it) receives exactly one `acknowledge`
 * per open alert, with the alert's dedup key, retried through a 503, never sent again for a
 * second acknowledgement, and never echoed back for an acknowledgement that came from
 * PagerDuty. The console's Acknowledge button (in Chromium) does the same. Real PostgreSQL and
 * the Temporal dev server; about 40 s.
 */
import assert from 'node:assert/strict';
import { bodyOf, createTicket, sleep } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import type { PagerDutyEventsFake } from '../support/fakes/pagerduty-events-server';
import { dedupKeyOf, startPagerDutyStack, type PagerDutyStack } from '../support/fakes/pagerduty-test-stack';
import { deliverPagerDutyWebhook, incidentEvent } from '../support/fakes/pagerduty-webhook-signer';
import { acknowledgeResponse } from '../../src/http/api/openapi/responses';
import type { Browser } from 'playwright-core';
import { createUser, launchChromium, signIn } from '../support/browser';

describe('PagerDuty: an acknowledgement in Pacer acknowledges the alert', function () {
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

  const link = (key: string) => h.database.db.selectFrom('ticket_links').selectAll().where('external_key', '=', key).executeTakeFirstOrThrow();
  const acknowledge = async (ticketId: string, body: Record<string, unknown> = {}) => bodyOf(await h.api(`/api/v1/tickets/${ticketId}/acknowledge`, { body }), acknowledgeResponse);
  /** An urgent ticket of the paging organization, once its 5% page reached PagerDuty. */
  const pagedTicket = async (subject: string) => {
    const t = await createTicket(h, { subject, priority: 'urgent', organizationId: s.pagingOrgId });
    const key = dedupKeyOf(t.id, 'first_response');
    await fake.waitFor(() => fake.accepted('trigger', key).length === 1, 15_000, 'the 5% page');
    return { t, key };
  };

  it('an API acknowledgement sends one acknowledge with the dedup key, through a 503', async () => {
    const { t, key } = await pagedTicket('Acknowledged in Pacer');
    fake.failNext(503);
    assert.equal((await acknowledge(t.id)).acknowledged.first_response?.source, 'api');
    await fake.waitFor(() => fake.accepted('acknowledge', key).length === 1, 15_000, 'the acknowledge in PagerDuty');
    assert.equal(fake.alertsFor(key)[0]!.status, 'acknowledged');
    assert.ok(fake.requests.some((r) => r.outcome === 'fault 503' && (r.body as { event_action?: string }).event_action === 'acknowledge'), 'the first acknowledge failed and was retried');
    const stored = await link(key);
    assert.equal(stored.data.status, 'acknowledged');
    assert.equal(stored.data.acknowledgedVia, 'api');

    // Acknowledged again (a clock named this time), and the later page step skipped: nothing more reaches PagerDuty.
    await acknowledge(t.id, { clock: 'first_response' });
    await sleep(9_000);
    assert.equal(fake.accepted('acknowledge', key).length, 1, 'exactly one acknowledge for the open alert');
    assert.equal(fake.accepted('trigger', key).length, 1, 'no page after the acknowledgement');
  });

  it('acknowledging only the other clock leaves the alert alone', async () => {
    const { t, key } = await pagedTicket('The other clock');
    await acknowledge(t.id, { clock: 'resolution' });
    await sleep(2_000);
    assert.equal(fake.accepted('acknowledge', key).length, 0);
    assert.equal((await link(key)).data.status, 'triggered');
  });

  it('an acknowledgement that came from PagerDuty is not sent back to it', async () => {
    const { key } = await pagedTicket('Acknowledged in PagerDuty');
    const alert = fake.act(key, 'acknowledged', 'Dana On-Call');
    const res = await deliverPagerDutyWebhook(s.webhookUrl, { body: incidentEvent('incident.acknowledged', alert, { agent: { name: 'Dana On-Call' } }), secrets: [s.webhookSecret] });
    assert.equal(res.status, 200);
    await sleep(2_000);
    assert.equal(fake.accepted('acknowledge', key).length, 0, 'no acknowledge echoed to PagerDuty');
  });

  describe("the console ticket page's Acknowledge button", () => {
    let browser: Browser;
    before(async function () {
      this.timeout(60_000);
      browser = await launchChromium();
    });
    after(async () => browser?.close());

    it('acknowledges the clocks from the console: one acknowledge reaches PagerDuty', async () => {
      const { t, key } = await pagedTicket('Acknowledged in the console');
      const agent = await createUser(h, { email: 'pd-ack-agent@pacer.test', name: 'Ack Agent', role: 'agent' });
      const page = await (await browser.newContext()).newPage();
      await signIn(page, h.baseUrl, agent, /\/console$/);
      await page.goto(`${h.baseUrl}/console/tickets/${t.id}`);
      await Promise.all([page.waitForURL(/notice=/), page.getByRole('button', { name: 'Acknowledge', exact: true }).click()]);
      await fake.waitFor(() => fake.accepted('acknowledge', key).length === 1, 15_000, 'the acknowledge in PagerDuty');
      assert.equal((await link(key)).data.acknowledgedVia, 'console');
      const sla = bodyOf(await h.api(`/api/v1/tickets/${t.id}/acknowledge`, { body: {} }), acknowledgeResponse);
      assert.equal(sla.acknowledged.first_response?.by, 'Ack Agent');
      await sleep(1_000);
      assert.equal(fake.accepted('acknowledge', key).length, 1);
    });
  });
});
