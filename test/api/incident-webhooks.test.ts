/**
 * Incident events reach outbound webhook subscribers like ticket events: the same signed
 * delivery (HMAC-SHA256 over Pacer-Timestamp and the raw body), retried with backoff by the
 * incident's workflow, one Pacer-Event-Id per timeline event, filtered by event type
 * (`incident.*` is every type under `incident.`). Real PostgreSQL, the Temporal dev server and a
 * loopback HTTP receiver.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/domain/webhooks/signature';
import { bodyOf, sleep } from './api-helpers';
import { incidentResponse } from '../../src/http/api/openapi/responses';
import { timeline, type TimelineEvent } from '../support/timeline';

interface IncidentHook { id: string; type: string; at: string; incidentId?: string; ticketId?: string; actor: string; data: Record<string, unknown> }
const bodyOfHook = (r: ReceivedRequest) => JSON.parse(r.rawBody) as IncidentHook;
const eventIdOf = (r: ReceivedRequest) => String(r.headers[EVENT_ID_HEADER]);

describe('API: incident events reach outbound webhook subscribers', function () {
  this.timeout(90_000);
  let h: PacerHarness;
  let incidents: WebhookReceiver;
  let tickets: WebhookReceiver;
  let everything: WebhookReceiver;
  const secret = 'whsec-incident-events-0123456789';
  let incidentId: string;
  let events: TimelineEvent[];
  let wanted: TimelineEvent[];

  before(async function () {
    this.timeout(150_000);
    h = await startHarness({ allowPrivateWebhooks: true });
    // The incident receiver refuses its first two requests: the workflow retries them.
    incidents = await startWebhookReceiver({ failFirst: 2 });
    tickets = await startWebhookReceiver();
    everything = await startWebhookReceiver();
    for (const [receiver, eventTypes] of [[incidents, ['incident.*']], [tickets, ['ticket.*', 'comment.public']], [everything, ['*']]] as const) {
      const res = await h.api('/api/v1/webhooks', { body: { url: receiver.url, secret, eventTypes } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const declared = bodyOf(await h.api('/api/v1/incidents', { body: { title: 'Webhooks hear this', severity: 'medium' } }), incidentResponse, 201);
    incidentId = declared.id;
    assert.equal((await h.api(`/api/v1/incidents/${incidentId}/acknowledge`, { method: 'POST', body: {} })).status, 200);
    assert.equal((await h.api(`/api/v1/incidents/${incidentId}/updates`, { body: { status: 'identified', body: 'A bad deploy.' } })).status, 201);
    assert.equal((await h.api(`/api/v1/incidents/${incidentId}/updates`, { body: { status: 'resolved', body: 'Rolled back.' } })).status, 201);
    events = await timeline(h, 'incidents', incidentId);
    wanted = events.filter((e) => e.type.startsWith('incident.'));
    const acceptedAll = (rs: ReceivedRequest[], of: TimelineEvent[]) => of.every((e) => rs.some((r) => r.status === 200 && eventIdOf(r) === e.id));
    await incidents.waitFor((rs) => acceptedAll(rs, wanted), 30_000, 'every incident.* event accepted');
    await everything.waitFor((rs) => acceptedAll(rs, events), 30_000, 'every event accepted');
    await sleep(2_000); // anything delivered twice would show up by now
  });
  after(async () => {
    await Promise.all([incidents, tickets, everything].map((r) => r?.close()));
    await h?.close();
  });

  it('the timeline holds the incident.* events the subscriber asked for', () => {
    const types = wanted.map((e) => e.type);
    for (const t of ['incident.created', 'incident.acknowledged', 'incident.resolved']) assert.ok(types.includes(t), `${t} in ${types.join(', ')}`);
  });

  it('accepts each incident.* event exactly once, after retrying the refused requests, and sends no other type', () => {
    const accepted = incidents.accepted();
    assert.equal(incidents.requests.length, accepted.length + 2, 'two refused requests, then each sent until accepted');
    assert.deepEqual(accepted.map(eventIdOf).sort(), wanted.map((e) => e.id).sort(), 'one accepted delivery per incident.* event, none twice');
    assert.ok(incidents.requests.every((r) => bodyOfHook(r).type.startsWith('incident.')));
  });

  it('signs each delivery like a ticket event and names the incident, the event and its data', () => {
    for (const r of incidents.accepted()) {
      const timestamp = Number(r.headers[TIMESTAMP_HEADER]);
      assert.equal(verifySignature(secret, timestamp, r.rawBody, String(r.headers[SIGNATURE_HEADER]), Math.floor(Date.now() / 1000)), true);
      const body = bodyOfHook(r);
      const event = wanted.find((e) => e.id === body.id);
      assert.ok(event, `delivered ${body.id} is on the timeline`);
      assert.equal(eventIdOf(r), body.id);
      assert.equal(body.incidentId, incidentId);
      assert.equal(body.ticketId, undefined);
      assert.equal(body.type, event.type);
      assert.equal(body.at, new Date(event.at).toISOString());
      assert.ok(String(r.headers['pacer-delivery-id']).startsWith(`${body.id}>`));
    }
    const created = incidents.accepted().map(bodyOfHook).find((b) => b.type === 'incident.created');
    assert.equal(created?.data.title, 'Webhooks hear this');
  });

  it("a ticket-only subscription hears none of it; '*' hears every event of the timeline once", () => {
    assert.equal(tickets.requests.length, 0);
    assert.deepEqual(everything.accepted().map(eventIdOf).sort(), events.map((e) => e.id).sort());
  });

  it('records each delivery against the incident event, delivered', async () => {
    const rows = await h.database.db.selectFrom('webhook_deliveries').selectAll().where('incident_event_id', 'in', wanted.map((e) => e.id)).execute();
    assert.equal(rows.length, wanted.length * 2, 'one row per event per interested subscription');
    assert.ok(rows.every((r) => r.event_id === null && r.delivered_at !== null));
  });
});
