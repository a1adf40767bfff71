/**
 * Who may do what, and what bad input gets back: bearer keys and roles (admin, agent,
 * customer bound to one organization), revocation, and the one JSON error shape for 400,
 * 401, 403, 404 and 409 — each rejected request leaving the data exactly as it was.
 */
import assert from 'node:assert/strict';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, createOrg, createTicket, detailPaths, ticketCount } from './api-helpers';
import { apiKeyCreatedResponse, apiKeyResponse, calendarResponse, commentResponse, eventList, listOf, organizationResponse, slaPolicyResponse, ticketPage, ticketResponse, webhookResponse } from '../../src/http/api/openapi/responses';

describe('API: authentication, authorization and errors', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let acme: { id: string };
  let globex: { id: string };
  let agentKey: string;
  let acmeKey: string;
  let acmeTicket: TicketView;
  let globexTicket: TicketView;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    acme = await createOrg(h, 'enterprise', 'Acme');
    globex = await createOrg(h, 'professional', 'Globex');
    agentKey = (await createKey(h, 'agent')).key;
    acmeKey = (await createKey(h, 'customer', acme.id)).key;
    acmeTicket = await createTicket(h, { subject: 'Acme: invoices missing', priority: 'normal', organizationId: acme.id });
    globexTicket = await createTicket(h, { subject: 'Globex: invoices missing', priority: 'normal', organizationId: globex.id });
  });
  after(async () => h?.close());

  describe('authentication', () => {
    it('401 without a key, with a malformed header and with a wrong key', async () => {
      assertError(await h.api('/api/v1/tickets', { key: null }), 401, 'unauthenticated');
      assertError(await h.api('/api/v1/tickets', { key: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'unauthenticated');
      assertError(await h.api('/api/v1/tickets', { key: 'pacer_admin_not-a-real-key' }), 401, 'unauthenticated');
      const before = await ticketCount(h);
      assertError(await h.api('/api/v1/tickets', { key: 'wrong', body: { subject: 'x', requester: { email: 'a@b.co' }, organizationId: acme.id } }), 401);
      assert.equal(await ticketCount(h), before);
    });

    it('admin creates agent and customer keys; the key is shown once and only its prefix after', async () => {
      const res = await h.api('/api/v1/api-keys', { body: { name: 'support bot', role: 'agent' } });
      const resBody = bodyOf(res, apiKeyCreatedResponse, 201);
      assert.match(resBody.key, /^pacer_agent_/);
      assert.equal(resBody.key.slice(0, 16), resBody.prefix);
      const listed = bodyOf(await h.api('/api/v1/api-keys'), listOf(apiKeyResponse)).data.find((k: { id: string }) => k.id === resBody.id);
      assert.ok(listed && !('key' in listed), 'a listed key has no key field');
      assert.equal(JSON.stringify((await h.api('/api/v1/api-keys')).body).includes(resBody.key), false, 'the key never appears again');
      const stored = await h.database.db.selectFrom('api_keys').selectAll().where('id', '=', resBody.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.key_hash, resBody.key, 'only a hash is stored');
      // The new key works.
      assert.equal((await h.api('/api/v1/tickets', { key: resBody.key })).status, 200);
    });

    it('a revoked key is a 401', async () => {
      const k = await createKey(h, 'agent');
      assert.equal((await h.api('/api/v1/tickets', { key: k.key })).status, 200);
      const revoked = await h.api(`/api/v1/api-keys/${k.id}`, { method: 'DELETE' });
      assert.equal(revoked.status, 200);
      assert.ok(bodyOf(revoked, apiKeyResponse).revokedAt);
      assertError(await h.api('/api/v1/tickets', { key: k.key }), 401, 'unauthenticated');
    });

    it('only an admin manages keys', async () => {
      assertError(await h.api('/api/v1/api-keys', { key: agentKey }), 403, 'forbidden');
      assertError(await h.api('/api/v1/api-keys', { key: agentKey, body: { name: 'x', role: 'admin' } }), 403, 'forbidden');
      assertError(await h.api('/api/v1/api-keys', { key: acmeKey, body: { name: 'x', role: 'customer', organizationId: globex.id } }), 403, 'forbidden');
    });
  });

  describe('a customer key', () => {
    it("sees only its organization's tickets", async () => {
      const list = await h.api('/api/v1/tickets', { key: acmeKey });
      const listBody = bodyOf(list, ticketPage);
      assert.ok(listBody.data.length >= 1);
      assert.ok(listBody.data.every((t: { organizationId: string }) => t.organizationId === acme.id));
      assert.deepEqual(bodyOf(await h.api(`/api/v1/tickets?organizationId=${globex.id}`, { key: acmeKey }), ticketPage).data, []);
      assert.equal((await h.api(`/api/v1/tickets/${acmeTicket.id}`, { key: acmeKey })).status, 200);
      for (const suffix of ['', '/comments', '/events', '/sla']) {
        assertError(await h.api(`/api/v1/tickets/${globexTicket.id}${suffix}`, { key: acmeKey }), 404, 'not_found');
      }
      assertError(await h.api(`/api/v1/tickets/${globexTicket.id}/comments`, { key: acmeKey, body: { body: 'hello?' } }), 404, 'not_found');
      assertError(await h.api(`/api/v1/tickets/${globexTicket.id}`, { key: acmeKey, method: 'PATCH', body: { status: 'cancelled' } }), 404, 'not_found');
      const orgs = bodyOf(await h.api('/api/v1/organizations', { key: acmeKey }), listOf(organizationResponse)).data;
      assert.deepEqual(orgs.map((o: { id: string }) => o.id), [acme.id]);
      assertError(await h.api(`/api/v1/organizations/${globex.id}`, { key: acmeKey }), 404);
    });

    it('creates tickets only in its own organization', async () => {
      const own = await createTicket(h, { subject: 'From the customer' }, acmeKey);
      assert.equal(own.organizationId, acme.id);
      const before = await ticketCount(h);
      assertError(await h.api('/api/v1/tickets', { key: acmeKey, body: { subject: 'x', requester: { email: 'a@b.co' }, organizationId: globex.id } }), 403, 'forbidden');
      assert.equal(await ticketCount(h), before);
    });

    it('never sees internal notes, in comments or events, and cannot write one', async () => {
      const note = await h.api(`/api/v1/tickets/${acmeTicket.id}/comments`, { key: agentKey, body: { body: 'customer is on the legacy plan', public: false } });
      assert.equal(note.status, 201);
      const reply = await h.api(`/api/v1/tickets/${acmeTicket.id}/comments`, { key: agentKey, body: { body: 'Looking into it' } });
      assert.equal(reply.status, 201);

      const asAgent = bodyOf(await h.api(`/api/v1/tickets/${acmeTicket.id}/comments`, { key: agentKey }), listOf(commentResponse)).data;
      assert.equal(asAgent.length, 2);
      const asCustomer = bodyOf(await h.api(`/api/v1/tickets/${acmeTicket.id}/comments`, { key: acmeKey }), listOf(commentResponse)).data;
      assert.deepEqual(asCustomer.map((c: { id: string }) => c.id), [bodyOf(reply, commentResponse, 201).id]);
      assert.equal(JSON.stringify(asCustomer).includes('legacy plan'), false);

      const agentEvents = bodyOf(await h.api(`/api/v1/tickets/${acmeTicket.id}/events`, { key: agentKey }), eventList).data;
      assert.ok(agentEvents.some((e: { visibility: string }) => e.visibility === 'internal'));
      const customerEvents = bodyOf(await h.api(`/api/v1/tickets/${acmeTicket.id}/events`, { key: acmeKey }), eventList).data;
      assert.ok(customerEvents.length > 0);
      assert.ok(customerEvents.every((e: { visibility: string }) => e.visibility === 'public'));
      assert.equal(JSON.stringify(customerEvents).includes(bodyOf(note, commentResponse, 201).id), false);

      const commentsBefore = asAgent.length;
      assertError(await h.api(`/api/v1/tickets/${acmeTicket.id}/comments`, { key: acmeKey, body: { body: 'sneaky', public: false } }), 403, 'forbidden');
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${acmeTicket.id}/comments`, { key: agentKey }), listOf(commentResponse)).data.length, commentsBefore);
    });

    it('cannot read or change calendars, SLA policies, webhooks or organizations', async () => {
      const calendar = { name: 'cust cal', timezone: 'UTC', weekly: { mon: [['09:00', '17:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } };
      const anyCalendar = bodyOf(await h.api('/api/v1/calendars'), listOf(calendarResponse)).data[0];
      const anyPolicy = bodyOf(await h.api('/api/v1/sla-policies'), listOf(slaPolicyResponse)).data[0];
      const forbidden: Array<[string, string, unknown?]> = [
        ['GET', '/api/v1/calendars'],
        ['POST', '/api/v1/calendars', calendar],
        ['PUT', `/api/v1/calendars/${anyCalendar?.id}`, calendar],
        ['DELETE', `/api/v1/calendars/${anyCalendar?.id}`],
        ['GET', '/api/v1/sla-policies'],
        ['POST', '/api/v1/sla-policies', { name: 'p', tier: 'starter', priority: 'low', calendarId: anyCalendar?.id, firstResponseMinutes: 1, resolutionMinutes: 2 }],
        ['PUT', `/api/v1/sla-policies/${anyPolicy?.id}`, { name: 'p', tier: anyPolicy?.tier, priority: anyPolicy?.priority, calendarId: anyCalendar?.id, firstResponseMinutes: 1, resolutionMinutes: 2 }],
        ['DELETE', `/api/v1/sla-policies/${anyPolicy?.id}`],
        ['GET', '/api/v1/webhooks'],
        ['POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', secret: 'a-secret-of-16-chars' }],
        ['POST', '/api/v1/organizations', { name: 'Evil', tier: 'premium' }],
        ['PATCH', `/api/v1/organizations/${acme.id}`, { tier: 'premium' }],
        ['POST', '/api/v1/sla/preview', {}],
      ];
      for (const [method, path, body] of forbidden) {
        assertError(await h.api(path, { method, body, key: acmeKey }), 403, 'forbidden');
      }
      // Nothing changed.
      assert.equal(bodyOf(await h.api(`/api/v1/calendars/${anyCalendar?.id}`), calendarResponse).name, anyCalendar?.name);
      assert.deepEqual((await h.api(`/api/v1/sla-policies/${anyPolicy?.id}`)).body, anyPolicy);
      assert.deepEqual(bodyOf(await h.api('/api/v1/webhooks'), listOf(webhookResponse)).data, []);
      assert.equal(bodyOf(await h.api(`/api/v1/organizations/${acme.id}`), organizationResponse).tier, 'enterprise');
    });

    it('reopens a solved ticket by replying to it', async () => {
      const t = await createTicket(h, { subject: 'It broke again?' }, acmeKey);
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${t.id}`, { key: agentKey, method: 'PATCH', body: { status: 'solved' } }), ticketResponse).status, 'solved');
      const reply = await h.api(`/api/v1/tickets/${t.id}/comments`, { key: acmeKey, body: { body: 'Still broken.' } });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.equal(bodyOf(reply, commentResponse, 201).author.type, 'customer');
      const after = bodyOf(await h.api(`/api/v1/tickets/${t.id}`, { key: acmeKey }), ticketResponse);
      assert.equal(after.status, 'open');
      assert.equal(after.solvedAt, null);
      assert.equal(after.sla.resolution.metAt, null, 'the resolution clock restarts');
      const events = bodyOf(await h.api(`/api/v1/tickets/${t.id}/events`, { key: acmeKey }), eventList).data.map((e: { type: string }) => e.type);
      assert.ok(events.includes('ticket.reopened'), events.join());
    });

    it('may cancel its own ticket but not change anything else', async () => {
      const t = await createTicket(h, { subject: 'Changed my mind' }, acmeKey);
      assertError(await h.api(`/api/v1/tickets/${t.id}`, { key: acmeKey, method: 'PATCH', body: { priority: 'urgent' } }), 403, 'forbidden');
      assertError(await h.api(`/api/v1/tickets/${t.id}`, { key: acmeKey, method: 'PATCH', body: { status: 'solved' } }), 403, 'forbidden');
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse).priority, t.priority);
      const res = await h.api(`/api/v1/tickets/${t.id}`, { key: acmeKey, method: 'PATCH', body: { status: 'cancelled' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(bodyOf(res, ticketResponse).status, 'cancelled');
    });
  });

  describe('bad input: 400 with field-level details, and nothing changes', () => {
    const valid = () => ({ subject: 'Valid subject', requester: { email: 'ann@example.com' }, organizationId: acme.id });

    it('invalid JSON', async () => {
      const before = await ticketCount(h);
      const res = await h.api('/api/v1/tickets', { method: 'POST', body: '{"subject": "oops",', headers: { 'content-type': 'application/json' } });
      assertError(res, 400, 'invalid_json');
      assert.equal(await ticketCount(h), before);
    });

    it('unknown fields are named, not dropped', async () => {
      const before = await ticketCount(h);
      const res = await h.api('/api/v1/tickets', { body: { ...valid(), colour: 'red', requester: { email: 'ann@example.com', shoeSize: 42 } } });
      const e = assertError(res, 400, 'validation_failed');
      assert.ok(e.details?.length);
      assert.ok(detailPaths(res).includes('colour'), `details name the field: ${JSON.stringify(e.details)}`);
      assert.ok(detailPaths(res).includes('requester.shoeSize'), `details name the nested field: ${JSON.stringify(e.details)}`);
      assert.equal(await ticketCount(h), before);
    });

    it('bad enum values, missing and malformed fields each get their path', async () => {
      const before = await ticketCount(h);
      const res = await h.api('/api/v1/tickets', { body: { ...valid(), priority: 'sky-high', channel: 'pigeon', subject: '', requester: { email: 'not-an-email' } } });
      assertError(res, 400, 'validation_failed');
      for (const p of ['priority', 'channel', 'subject', 'requester.email']) assert.ok(detailPaths(res).includes(p), `${p} in ${detailPaths(res)}`);
      const missing = await h.api('/api/v1/tickets', { body: { organizationId: acme.id } });
      assertError(missing, 400, 'validation_failed');
      assert.ok(detailPaths(missing).includes('subject'));
      assert.ok(detailPaths(missing).includes('requester'));
      assertError(await h.api('/api/v1/tickets?status=sleeping'), 400, 'validation_failed');
      assertError(await h.api('/api/v1/tickets?limit=0'), 400, 'validation_failed');
      assert.equal(await ticketCount(h), before);
    });

    it('bad uuids, in the path and in the body', async () => {
      const before = await ticketCount(h);
      assertError(await h.api('/api/v1/tickets/not-a-uuid'), 400, 'validation_failed');
      assertError(await h.api('/api/v1/organizations/123'), 400, 'validation_failed');
      const res = await h.api('/api/v1/tickets', { body: { ...valid(), organizationId: 'acme' } });
      assertError(res, 400, 'validation_failed');
      assert.deepEqual(detailPaths(res), ['organizationId']);
      const unknown = await h.api('/api/v1/tickets', { body: { ...valid(), organizationId: '00000000-0000-4000-8000-000000000000' } });
      assertError(unknown, 400, 'validation_failed');
      assert.deepEqual(detailPaths(unknown), ['organizationId']);
      assert.equal(await ticketCount(h), before);
    });

    it('a rejected patch or comment leaves the ticket row and its timeline unchanged', async () => {
      const row = () => h.database.db.selectFrom('tickets').selectAll().where('id', '=', globexTicket.id).executeTakeFirstOrThrow();
      const events = async () => bodyOf(await h.api(`/api/v1/tickets/${globexTicket.id}/events`), eventList).data.length;
      const before = await row();
      const eventsBefore = await events();
      const bad: Array<[string, unknown]> = [
        ['PATCH', { status: 'asleep' }],
        ['PATCH', { priority: 'whenever' }],
        ['PATCH', { assignee: 'dana', owner: 'eve' }],
        ['PATCH', {}],
        ['PATCH', '{"status":'],
        ['POST', { body: '' }],
        ['POST', { body: 'hi', public: 'yes' }],
      ];
      for (const [method, body] of bad) {
        const path = `/api/v1/tickets/${globexTicket.id}${method === 'POST' ? '/comments' : ''}`;
        const res = await h.api(path, { method, body });
        assertError(res, 400);
        if (typeof body !== 'string') assert.ok(assertError(res, 400).details?.length, `details for ${JSON.stringify(body)}`);
      }
      assert.deepEqual(await row(), before);
      assert.equal(await events(), eventsBefore);
    });
  });

  describe('one error shape everywhere', () => {
    it('unknown endpoints are JSON 404s, inside and outside /api/v1', async () => {
      assertError(await h.api('/api/v1/nope'), 404, 'not_found');
      assertError(await h.api('/api/v1/tickets/00000000-0000-4000-8000-000000000000/nope'), 404, 'not_found');
      assertError(await h.api('/nope', { key: null }), 404, 'not_found');
      assertError(await h.api('/api/v1/tickets', { method: 'PUT', body: {} }), 404, 'not_found');
    });

    it('404, 409 and 400 from settings routes share it too', async () => {
      assertError(await h.api('/api/v1/calendars/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
      assertError(await h.api('/api/v1/organizations', { body: { name: 'Acme', tier: 'starter' } }), 409, 'conflict');
      assertError(await h.api('/api/v1/organizations', { body: { name: 'Initech', tier: 'platinum' } }), 400, 'validation_failed');
    });
  });
});
