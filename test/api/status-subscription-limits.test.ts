/**
 * Status-page subscription requests are rate-limited per address (3 an hour) and per client
 * (10 per 10 minutes), counted in PostgreSQL so two API processes share the counts, with the
 * same answers for a subscribed and an unknown address. Clients are told apart by their real
 * source address: requests leave from 127.0.0.2, 127.0.0.3… (all loopback on Linux).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createPacerApp } from '../../src/app/http-app';
import { createLogger } from '../../src/core/logger';
import { PER_CLIENT, PER_EMAIL } from '../../src/domain/status/subscription-limiter';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { assertError } from './api-helpers';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
  body: unknown;
}

/** A POST from a chosen loopback source address, so the server sees that client address. */
function post(baseUrl: string, path: string, from: string, body: string, contentType: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* HTML */
          }
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(ra) ? ra[0] : ra, text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('status: subscription rate limits', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let smtp: SmtpCapture;
  let second: Server | undefined;
  let clientNo = 1;
  /** A fresh client address per test, so one test's requests never count against another's. */
  const newClient = () => `127.0.0.${++clientNo}`;
  const newEmail = (tag: string) => `${tag}-${crypto.randomBytes(4).toString('hex')}@example.test`;
  const subscribe = (email: string, from: string, baseUrl = h.baseUrl) => post(baseUrl, '/api/v1/status/subscriptions', from, JSON.stringify({ email }), 'application/json');
  const viaForm = (email: string, from: string) => post(h.baseUrl, '/status/subscriptions', from, new URLSearchParams({ email }).toString(), 'application/x-www-form-urlencoded');

  before(async function () {
    this.timeout(120_000);
    smtp = await startSmtpCapture();
    h = await startHarness({ integrations: { publicUrl: 'https://status.pacer.test', email: { smtpUrl: smtp.url, from: 'Pacer Status <status@pacer.test>', roleEmails: {} } } });
  });
  after(async () => {
    if (second) await new Promise<void>((resolve) => second!.close(() => resolve()));
    await h?.close();
    await smtp?.close();
  });

  it(`answers the request after ${PER_EMAIL.max} for one address within the hour with 429 rate_limited and Retry-After, from any client`, async () => {
    const email = newEmail('ann');
    const client = newClient();
    for (let i = 0; i < PER_EMAIL.max; i++) assert.equal((await subscribe(email, client)).status, 202);
    const refused = await subscribe(email, client);
    assertError(refused, 429, 'rate_limited');
    const wait = Number(refused.retryAfter);
    assert.ok(wait > PER_EMAIL.windowSeconds - 60 && wait <= PER_EMAIL.windowSeconds, `Retry-After ${refused.retryAfter}`);
    assertError(await subscribe(email, newClient()), 429, 'rate_limited');
  });

  it('answers alike for a confirmed subscriber and an unknown address, when accepted and when limited', async () => {
    const subscribed = newEmail('sub');
    await h.database.db.insertInto('status_subscribers').values({ id: crypto.randomUUID(), email: subscribed, token: crypto.randomBytes(32).toString('base64url'), confirmed_at: new Date() }).execute();
    const unknown = newEmail('unknown');
    const client = newClient();
    const other = newClient();
    for (let i = 0; i <= PER_EMAIL.max; i++) {
      const a = await subscribe(subscribed, client);
      const b = await subscribe(unknown, other);
      assert.deepEqual([a.status, a.body], [b.status, b.body], `request ${i + 1}`);
      assert.equal(a.status, i < PER_EMAIL.max ? 202 : 429);
    }
  });

  it(`answers a client's request after ${PER_CLIENT.max} within 10 minutes with 429, whatever the address; other clients go on`, async () => {
    const client = newClient();
    for (let i = 0; i < PER_CLIENT.max; i++) assert.equal((await subscribe(newEmail(`c${i}`), client)).status, 202);
    const refused = await subscribe(newEmail('one-more'), client);
    assertError(refused, 429, 'rate_limited');
    const wait = Number(refused.retryAfter);
    assert.ok(wait > PER_CLIENT.windowSeconds - 60 && wait <= PER_CLIENT.windowSeconds, `Retry-After ${refused.retryAfter}`);
    assert.equal((await subscribe(newEmail('elsewhere'), newClient())).status, 202);
  });

  it('limits the HTML form with the same counts: a 429 page with Retry-After', async () => {
    const email = newEmail('form');
    const client = newClient();
    for (let i = 0; i < PER_EMAIL.max - 1; i++) assert.equal((await subscribe(email, client)).status, 202);
    assert.equal((await viaForm(email, client)).status, 202);
    const refused = await viaForm(email, client);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.retryAfter) > 0);
    assert.match(refused.text, /Too many subscription requests/);
  });

  it('counts requests to two API processes on one database together', async () => {
    const other = createPacerApp({ db: h.database.db, temporal: h.client, taskQueue: h.taskQueue, adminApiKey: h.adminKey, log: createLogger('silent'), integrations: { publicUrl: 'https://status.pacer.test', email: { smtpUrl: smtp.url, from: 'Pacer Status <status@pacer.test>', roleEmails: {} } } });
    second = await new Promise<Server>((resolve) => {
      const s = other.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const otherUrl = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;
    const email = newEmail('two');
    const client = newClient();
    const bases = [h.baseUrl, otherUrl];
    for (let i = 0; i < PER_EMAIL.max; i++) assert.equal((await subscribe(email, client, bases[i % 2])).status, 202);
    assertError(await subscribe(email, client, bases[PER_EMAIL.max % 2]), 429, 'rate_limited');
    assertError(await subscribe(email, client, bases[(PER_EMAIL.max + 1) % 2]), 429, 'rate_limited');
  });

  it('does not count a malformed request', async () => {
    const client = newClient();
    for (let i = 0; i < PER_CLIENT.max + 2; i++) assertError(await subscribe('not-an-email', client), 400, 'validation_failed');
    assert.equal((await subscribe(newEmail('fine'), client)).status, 202);
  });
});
