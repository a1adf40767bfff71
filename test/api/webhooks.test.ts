/**
 * Outbound webhooks end to end: a subscription registered through the API, a real loopback
 * HTTP receiver, and the worker delivering each event of a ticket's timeline signed with
 * HMAC-SHA256 (verifiable with src/domain/webhooks/signature.ts over the raw body and
 * Pacer-Timestamp), retried with backoff when the receiver fails, accepted once per event.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/domain/webhooks/signature';
import { createOrg, createTicket, sleep } from './api-helpers';

const header = (r: ReceivedRequest, name: string) => {
  const v = r.headers[name];
  assert.equal(typeof v, 'string', `missing header ${name}`);
  return v as string;
};
const eventIdOf = (r: ReceivedRequest) => header(r, EVENT_ID_HEADER);
const nowSeconds = () => Math.floor(Date.now() / 1000);

function assertSigned(r: ReceivedRequest, secret: string) {
  const timestamp = Number(header(r, TIMESTAMP_HEADER));
  const signature = header(r, SIGNATURE_HEADER);
  assert.match(signature, /^v1=[0-9a-f]{64}$/);
  assert.ok(Math.abs(nowSeconds() - timestamp) < 60, 'the timestamp is current');
  assert.equal(verifySignature(secret, timestamp, r.rawBody, signature, nowSeconds()), true, 'the signature verifies over the raw body');
  assert.equal(verifySignature(`${secret}x`, timestamp, r.rawBody, signature, nowSeconds()), false, 'a wrong secret does not verify');
  assert.equal(verifySignature(secret, timestamp + 1, r.rawBody, signature, nowSeconds()), false, 'another timestamp does not verify');
  assert.equal(verifySignature(secret, timestamp, r.rawBody.replace('"type"', '"tipe"'), signature, nowSeconds()), false, 'a changed body does not verify');
  assert.equal(verifySignature(secret, timestamp, r.rawBody, signature, timestamp + 3600), false, 'an old delivery is rejected as a replay');
}

describe('API: outbound webhooks', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let org: { id: string };
  const receivers: WebhookReceiver[] = [];

  before(async function () {
    this.timeout(120_000);
    h = await startHarness({ allowPrivateWebhooks: true });
    org = await createOrg(h, 'enterprise');
  });
  after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await h?.close();
  });

  const subscribe = async (receiver: WebhookReceiver, secret: string, eventTypes: string[]) => {
    const res = await h.api('/api/v1/webhooks', { body: { url: receiver.url, secret, eventTypes } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string };
  };
  const timeline = async (ticketId: string) => (await h.api(`/api/v1/tickets/${ticketId}/events`)).body.data as Array<{ id: string; type: string }>;

  it('delivers every event of a ticket, signed, with a unique Pacer-Event-Id per event', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const secret = 'whsec-all-events-0123456789';
    const sub = await subscribe(receiver, secret, ['*']);

    const t = await createTicket(h, { subject: 'Webhook me', priority: 'normal', organizationId: org.id });
    assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'On it.' } })).status, 201);
    const events = await timeline(t.id);
    assert.deepEqual(events.map((e) => e.type), ['ticket.created', 'comment.public', 'sla.first_response_met', 'ticket.status_changed']);

    await receiver.waitFor((rs) => events.every((e) => rs.some((r) => r.status === 200 && r.headers[EVENT_ID_HEADER] === e.id)), 15_000, 'a delivery per event');
    await sleep(1_000);
    const got = receiver.requests;
    assert.equal(got.length, events.length, 'one request per event, no duplicates');
    assert.equal(new Set(got.map(eventIdOf)).size, got.length, 'Pacer-Event-Id is unique per event');
    assert.deepEqual(new Set(got.map(eventIdOf)), new Set(events.map((e) => e.id)));

    for (const r of got) {
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/hooks/pacer');
      assert.match(header(r, 'content-type'), /^application\/json/);
      assertSigned(r, secret);
      const body = JSON.parse(r.rawBody);
      assert.equal(body.id, eventIdOf(r), 'the body names the same event as the header');
      assert.equal(body.ticketId, t.id);
      assert.equal(body.type, events.find((e) => e.id === body.id)!.type);
      assert.match(body.at, /Z$/);
      assert.ok(header(r, 'pacer-delivery-id').includes(sub.id), 'the delivery id names the subscription');
    }
    const created = JSON.parse(got.find((r) => JSON.parse(r.rawBody).type === 'ticket.created')!.rawBody);
    assert.equal(created.data.number, t.number);

    // A paused subscription receives nothing more.
    assert.equal((await h.api(`/api/v1/webhooks/${sub.id}`, { method: 'PATCH', body: { active: false } })).status, 200);
    await createTicket(h, { subject: 'Nobody listens', priority: 'normal', organizationId: org.id });
    await sleep(1_500);
    assert.equal(receiver.requests.length, events.length);
  });

  it('retries a failing receiver with backoff until it accepts, once per event, and honours eventTypes', async function () {
    this.timeout(60_000);
    const receiver = await startWebhookReceiver({ failFirst: 2 });
    receivers.push(receiver);
    const secret = 'whsec-flaky-receiver-0123456789';
    const sub = await subscribe(receiver, secret, ['ticket.created', 'comment.public']);

    const t = await createTicket(h, { subject: 'Flaky receiver', priority: 'normal', organizationId: org.id });
    assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Hello again.' } })).status, 201);
    const wanted = (await timeline(t.id)).filter((e) => e.type === 'ticket.created' || e.type === 'comment.public');
    assert.equal(wanted.length, 2);

    // Activity retries start at 2 s and double: two failures cost at most ~6 s.
    await receiver.waitFor((rs) => wanted.every((e) => rs.some((r) => r.status === 200 && r.headers[EVENT_ID_HEADER] === e.id)), 20_000, 'both events accepted after retries');
    await sleep(3_000); // anything delivered twice would show up by now
    const all = receiver.requests;
    assert.equal(all.filter((r) => r.status === 500).length, 2, 'the first two attempts failed');
    const accepted = receiver.accepted();
    assert.deepEqual(accepted.map(eventIdOf).sort(), wanted.map((e) => e.id).sort(), 'each event accepted exactly once; only subscribed types');
    for (const r of all) assertSigned(r, secret); // a retry is signed afresh

    // A retry is the same delivery of the same event, after a backoff.
    const firstFailure = all.find((r) => r.status === 500)!;
    const success = accepted.find((r) => eventIdOf(r) === eventIdOf(firstFailure))!;
    assert.equal(header(success, 'pacer-delivery-id'), header(firstFailure, 'pacer-delivery-id'));
    assert.ok(success.receivedAt - firstFailure.receivedAt >= 1_500, `retried after ${success.receivedAt - firstFailure.receivedAt} ms`);

    // The delivery records agree: delivered once each, attempts counted, last status 200.
    const rows = await h.database.db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', sub.id).execute();
    assert.equal(rows.length, 2);
    assert.ok(rows.every((d) => d.delivered_at !== null && d.last_status === 200 && d.last_error === null));
    assert.equal(rows.reduce((n, d) => n + d.attempts, 0), all.length);
  });
});
