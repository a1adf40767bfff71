/**
 * Incidents and PagerDuty both ways on the Temporal dev server, through pdjs to the TLS
 * Events API fake and signed webhooks v3 back: an acknowledgement made in Pacer acknowledges
 * the page in PagerDuty; a page resolved in PagerDuty resolves the incident once (the echo of
 * Pacer's own resolution changes nothing). About 10 s.
 */
import assert from 'node:assert/strict';
import { bodyOf, eventually } from '../api/api-helpers';
import { incidentAlertDedupKey } from '../../src/integrations/pagerduty/alert-key';
import { startPagerDutyStack, type PagerDutyStack } from '../support/fakes/pagerduty-test-stack';
import { answerStatus, deliverPagerDutyWebhook, incidentEvent } from '../support/fakes/pagerduty-webhook-signer';
import { eventList, incidentDetailResponse, incidentResponse, incidentUpdateResponse, listOf } from '../../src/http/api/openapi/responses';

describe('PagerDuty: incident pages both ways', function () {
  this.timeout(60_000);
  let s: PagerDutyStack;

  before(async function () {
    this.timeout(120_000);
    s = await startPagerDutyStack();
  });
  after(async () => s?.close());

  const declare = async (title: string) => {
    const res = await s.h.api('/api/v1/incidents', { body: { title, severity: 'critical' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return bodyOf(res, incidentResponse, 201);
  };
  const deliver = (body: unknown) => deliverPagerDutyWebhook(s.webhookUrl, { body, secrets: [s.webhookSecret] });

  it('an acknowledgement in Pacer acknowledges the open page in PagerDuty, and its echo changes nothing', async () => {
    const i = await declare('Search is down');
    const key = incidentAlertDedupKey(i.id, 1);
    await s.fake.waitFor(() => s.fake.accepted('trigger', key).length === 1, 15_000, 'the page at detection');
    const ack = await s.h.api(`/api/v1/incidents/${i.id}/acknowledge`, { method: 'POST', body: {} });
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    await s.fake.waitFor(() => s.fake.alertsFor(key)[0]!.status === 'acknowledged', 10_000, 'the page acknowledged in PagerDuty');
    const echo = await deliver(incidentEvent('incident.acknowledged', s.fake.alertsFor(key)[0]!));
    assert.equal(answerStatus(echo.body), 'ignored');
    const events = bodyOf(await s.h.api(`/api/v1/incidents/${i.id}/events`), eventList).data as Array<{ type: string }>;
    assert.equal(events.filter((e) => e.type === 'incident.acknowledged').length, 1);
  });

  it('a page resolved in PagerDuty resolves the incident, once', async () => {
    const i = await declare('Uploads fail');
    const key = incidentAlertDedupKey(i.id, 1);
    await s.fake.waitFor(() => s.fake.accepted('trigger', key).length === 1, 15_000, 'the page at detection');
    const alert = s.fake.act(key, 'resolved', 'Dana On-Call');
    const first = await deliver(incidentEvent('incident.resolved', alert, { agent: { name: 'Dana On-Call' } }));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(answerStatus(first.body), 'noted');
    await eventually(async () => bodyOf(await s.h.api(`/api/v1/incidents/${i.id}`), incidentDetailResponse).status === 'resolved', 10_000, 'the incident resolved');
    const updates = bodyOf(await s.h.api(`/api/v1/incidents/${i.id}/updates`), listOf(incidentUpdateResponse)).data as Array<{ body: string; public: boolean }>;
    assert.deepEqual(updates.map((u) => [u.public, u.body.startsWith('Resolved in PagerDuty by Dana On-Call')]), [[false, true]]);
    // Another delivery of a resolution (a second page, a redelivery under a new id) finds it resolved already.
    const again = await deliver(incidentEvent('incident.resolved', alert));
    assert.equal(answerStatus(again.body), 'ignored');
    assert.equal(bodyOf(await s.h.api(`/api/v1/incidents/${i.id}/updates`), listOf(incidentUpdateResponse)).data.length, 1);
  });
});
