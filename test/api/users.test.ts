/**
 * /api/v1/users on real PostgreSQL: admins create, list and change users; passwords are
 * stored as scrypt hashes and never returned; a customer needs its organization; other roles
 * are refused; disabling a user or changing its password ends its sessions. Sign-in cookies
 * are HttpOnly and SameSite=Lax, and Secure behind a trusted TLS proxy.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, createOrg, detailPaths } from './api-helpers';
import { verifyPassword } from '../../src/domain/users/password';
import { createSession, findSession } from '../../src/domain/users/sessions';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createPacerApp } from '../../src/app/http-app';
import { createLogger } from '../../src/core/logger';
import { listOf, userResponse } from '../../src/http/api/openapi/responses';

describe('API: users', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let org: { id: string };

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    org = await createOrg(h, 'professional');
  });
  after(async () => h?.close());

  it('creates a user (201), stores an scrypt hash, and never returns the password', async () => {
    const res = await h.api('/api/v1/users', { body: { email: 'Dana@Example.com', name: 'Dana', role: 'manager', password: 'correct horse battery', timeZone: 'Europe/Paris' } });
    const resBody = bodyOf(res, userResponse, 201);
    assert.equal(resBody.email, 'dana@example.com', 'emails are kept lower-case');
    assert.equal(resBody.role, 'manager');
    assert.equal(resBody.timeZone, 'Europe/Paris');
    assert.equal(JSON.stringify(res.body).includes('password'), false);
    const row = await h.database.db.selectFrom('users').select('password_hash').where('id', '=', resBody.id).executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.equal(await verifyPassword('correct horse battery', row.password_hash), true);
    assert.equal(await verifyPassword('correct horse batterY', row.password_hash), false);
    const list = await h.api('/api/v1/users');
    assert.deepEqual(bodyOf(list, listOf(userResponse)).data.map((u: { email: string }) => u.email), ['dana@example.com']);
  });

  it('a customer needs an organization; staff have none; bad input changes nothing', async () => {
    const noOrg = await h.api('/api/v1/users', { body: { email: 'c@x.test', name: 'C', role: 'customer', password: 'long enough pw' } });
    assertError(noOrg, 400, 'validation_failed');
    assert.deepEqual(detailPaths(noOrg), ['organizationId']);
    const staffOrg = await h.api('/api/v1/users', { body: { email: 's@x.test', name: 'S', role: 'agent', organizationId: org.id, password: 'long enough pw' } });
    assertError(staffOrg, 400, 'validation_failed');
    const short = await h.api('/api/v1/users', { body: { email: 'c@x.test', name: 'C', role: 'agent', password: 'short' } });
    assert.deepEqual(detailPaths(short), ['password']);
    const badZone = await h.api('/api/v1/users', { body: { email: 'c@x.test', name: 'C', role: 'agent', password: 'long enough pw', timeZone: 'Mars/Olympus' } });
    assert.deepEqual(detailPaths(badZone), ['timeZone']);
    const n = await h.database.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).where('email', '=', 'c@x.test').executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 0);
    const ok = await h.api('/api/v1/users', { body: { email: 'c@x.test', name: 'C', role: 'customer', organizationId: org.id, password: 'long enough pw' } });
    assert.equal(ok.status, 201);
    assertError(await h.api('/api/v1/users', { body: { email: 'C@x.test', name: 'C2', role: 'agent', password: 'long enough pw' } }), 409, 'conflict');
  });

  it('only admins manage users', async () => {
    const agent = await createKey(h, 'agent');
    assertError(await h.api('/api/v1/users', { key: agent.key }), 403, 'forbidden');
    assertError(await h.api('/api/v1/users', { key: agent.key, body: { email: 'x@x.test', name: 'X', role: 'admin', password: 'long enough pw' } }), 403, 'forbidden');
    assertError(await h.api('/api/v1/users', { key: null }), 401, 'unauthenticated');
  });

  it('PATCH changes a user; a new password or disabling ends its sessions', async () => {
    const created = await h.api('/api/v1/users', { body: { email: 'eve@example.com', name: 'Eve', role: 'agent', password: 'first password' } });
    const id = bodyOf(created, userResponse, 201).id;
    const { token } = await createSession(h.database.db, id);
    assert.ok(await findSession(h.database.db, token));
    const renamed = await h.api(`/api/v1/users/${id}`, { method: 'PATCH', body: { name: 'Eve Q', timeZone: 'Asia/Tokyo' } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(bodyOf(renamed, userResponse).name, 'Eve Q');
    assert.ok(await findSession(h.database.db, token), 'a rename keeps the session');
    await h.api(`/api/v1/users/${id}`, { method: 'PATCH', body: { password: 'second password' } });
    assert.equal(await findSession(h.database.db, token), null, 'a new password ends the session');
    const again = await createSession(h.database.db, id);
    const disabled = await h.api(`/api/v1/users/${id}`, { method: 'PATCH', body: { disabled: true } });
    assert.equal(bodyOf(disabled, userResponse).disabled, true);
    assert.equal(await findSession(h.database.db, again.token), null);
    assertError(await h.api(`/api/v1/users/${id}`, { method: 'PATCH', body: { role: 'customer' } }), 400, 'validation_failed');
    assertError(await h.api('/api/v1/users/00000000-0000-4000-8000-000000000000', { method: 'PATCH', body: { name: 'x' } }), 404, 'not_found');
  });

  it('the API takes the session cookie: reads freely, writes only with X-CSRF-Token; bearer keys unchanged', async () => {
    const c = await h.api('/api/v1/users', { body: { email: 'cookie@example.com', name: 'Cookie', role: 'agent', password: 'cookie password' } });
    const { token } = await createSession(h.database.db, bodyOf(c, userResponse, 201).id);
    const cookie = `pacer_session=${token}`;
    const list = await h.api('/api/v1/tickets', { key: null, headers: { cookie } });
    assert.equal(list.status, 200);
    const write = await h.api('/api/v1/organizations', { key: null, headers: { cookie }, body: { name: 'Via cookie', tier: 'starter' } });
    assertError(write, 403, 'csrf_failed');
    const session = await findSession(h.database.db, token);
    const withToken = await h.api('/api/v1/organizations', { key: null, headers: { cookie, 'x-csrf-token': session!.csrfToken }, body: { name: 'Via cookie', tier: 'starter' } });
    assertError(withToken, 403, 'forbidden'); // an agent may not write settings: the role rules hold for sessions too
    assertError(await h.api('/api/v1/tickets', { key: null, headers: { cookie: 'pacer_session=nonsense' } }), 401, 'unauthenticated');
    assert.equal((await h.api('/api/v1/tickets')).status, 200, 'the admin key still works');
  });
});

describe('sign-in cookies', function () {
  this.timeout(60_000);
  let h: PacerHarness;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const res = await h.api('/api/v1/users', { body: { email: 'tls@example.com', name: 'TLS', role: 'agent', password: 'tls password here' } });
    assert.equal(res.status, 201);
  });
  after(async () => h?.close());

  /** Signs in with plain fetch: the form's double-submit token, then the credentials. */
  async function signIn(baseUrl: string, headers: Record<string, string> = {}): Promise<string[]> {
    const form = await fetch(`${baseUrl}/login`, { headers });
    const csrfCookie = form.headers.getSetCookie().find((c) => c.startsWith('pacer_login_csrf='))!;
    const token = decodeURIComponent(csrfCookie.split(';')[0]!.split('=')[1]!);
    assert.match(await form.text(), new RegExp(`name="_csrf" value="${token}"`));
    const res = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie: `pacer_login_csrf=${token}` },
      body: new URLSearchParams({ email: 'tls@example.com', password: 'tls password here', _csrf: token }).toString(),
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/console');
    return res.headers.getSetCookie();
  }

  it('the session cookie is HttpOnly and SameSite=Lax; not Secure over plain HTTP', async () => {
    const cookie = (await signIn(h.baseUrl)).find((c) => c.startsWith('pacer_session='))!;
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.doesNotMatch(cookie, /; Secure/);
    // A proxy header is not trusted unless configured.
    const spoofed = (await signIn(h.baseUrl, { 'x-forwarded-proto': 'https' })).find((c) => c.startsWith('pacer_session='))!;
    assert.doesNotMatch(spoofed, /; Secure/);
  });

  it('behind a trusted TLS proxy (trust proxy), the session cookie is Secure', async () => {
    const { app } = createPacerApp({ db: h.database.db, temporal: h.client, taskQueue: h.taskQueue, adminApiKey: h.adminKey, log: createLogger('warn'), trustProxy: 'loopback' });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const cookie = (await signIn(base, { 'x-forwarded-proto': 'https' })).find((c) => c.startsWith('pacer_session='))!;
      assert.match(cookie, /; HttpOnly; Secure/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
