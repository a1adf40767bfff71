/**
 * The edge refuses what the store cannot hold, tried as a hostile but ordinary client would
 * (issue 9): NUL and lone surrogates in text and query parameters, integers beyond their
 * int4 columns, SLA previews spanning centuries, forged cursors, Idempotency-Keys reused with
 * another body, customers setting internal fields, and webhook subscriptions aimed inside the
 * network. Each is a 400 (or 409) in the one error shape, and nothing changes: the ticket's
 * later changes still land and its row matches its workflow.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, createOrg, createTicket, detailPaths, eventually, type ApiAnswer } from './api-helpers';
import { PacerError } from '../../src/core/errors';
import { statusOf } from '../../src/http/kit/errors';
import { calendarResponse, commentResponse, incidentResponse, incidentUpdateResponse, listOf, ticketPage, ticketResponse, webhookCreatedResponse } from '../../src/http/api/openapi/responses';

const NUL = '\u0000';
const LONE_SURROGATE = '\ud800';
const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('API: hostile input', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let org: { id: string };
  let customerKey: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    org = await createOrg(h, 'enterprise');
    customerKey = (await createKey(h, 'customer', org.id)).key;
  });
  after(async () => h?.close());

  const refusedAt = (res: ApiAnswer, path: string) => {
    assertError(res, 400, 'validation_failed');
    assert.ok(detailPaths(res).includes(path), `expected a problem at ${path}: ${JSON.stringify(res.body)}`);
  };
  const newTicket = () => createTicket(h, { subject: 'Hostile input target', priority: 'normal', organizationId: org.id });

  describe('unstorable text', () => {
    it('a NUL in a comment body is a 400 naming body, and the ticket still takes later changes', async () => {
      const t = await newTicket();
      refusedAt(await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: `hello${NUL}world` } }), 'body');

      const patched = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'open', priority: 'high' } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const row = await h.database.db.selectFrom('tickets').select(['status', 'priority']).where('id', '=', t.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'open', priority: 'high' });
      const live = await h.lifecycle.slaInputs(t.id);
      assert.deepEqual({ status: live?.status, priority: live?.priority }, row, "the workflow's live state equals the row");
      const comments = await h.database.db.selectFrom('comments').select('id').where('ticket_id', '=', t.id).execute();
      assert.equal(comments.length, 0, 'the refused comment left nothing behind');
    });

    it('a NUL in a subject or a requester name is a 400 naming the field, and no ticket is created', async () => {
      const before = await h.database.db.selectFrom('tickets').select('id').execute();
      refusedAt(await h.api('/api/v1/tickets', { body: { subject: `a${NUL}b`, requester: { email: 'ann@example.com' }, organizationId: org.id } }), 'subject');
      refusedAt(await h.api('/api/v1/tickets', { body: { subject: 'fine', requester: { email: 'ann@example.com', name: `Ann${NUL}` }, organizationId: org.id } }), 'requester.name');
      assert.equal((await h.database.db.selectFrom('tickets').select('id').execute()).length, before.length);
    });

    it('the ticket service refuses a NUL too, for the console, the portal and mail that call it directly', async () => {
      const t = await newTicket();
      const row = await h.database.db.selectFrom('tickets').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
      const admin = { role: 'admin' as const, keyId: null, name: 'console', organizationId: null };
      await assert.rejects(h.tickets.comment(admin, row, `console${NUL}reply`, true), (err: unknown) => err instanceof PacerError && statusOf(err) === 400 && err.code === 'validation_failed');
      await assert.rejects(h.tickets.patch(admin, row, { assignee: `dana${NUL}` }), (err: unknown) => err instanceof PacerError && statusOf(err) === 400);
    });

    it('a NUL in a query parameter is a 400 naming it, not a 500', async () => {
      refusedAt(await h.api(`/api/v1/tickets?assignee=${encodeURIComponent(`x${NUL}`)}`), 'assignee');
    });

    it('a lone UTF-16 surrogate is a 400; a paired one (an emoji) is stored', async () => {
      const t = await newTicket();
      refusedAt(await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: `broken ${LONE_SURROGATE} pair` } }), 'body');
      refusedAt(await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { subject: `x\udc00` } }), 'subject');
      const ok = await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'thanks 😀' } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal(bodyOf(ok, commentResponse, 201).body, 'thanks 😀');
    });

    it('a NUL inside a ladder action (free-form JSON) is a 400 naming the nested field', async () => {
      const calendar = await h.api('/api/v1/calendars', { body: { name: `cal ${Date.now()}`, timezone: 'UTC', weekly: { mon: [['00:00', '24:00']] } } });
      assert.equal(calendar.status, 201, JSON.stringify(calendar.body));
      const res = await h.api('/api/v1/sla-policies', {
        body: { name: 'nul ladder', tier: 'starter', priority: 'low', calendarId: bodyOf(calendar, calendarResponse, 201).id, firstResponseMinutes: 60, resolutionMinutes: 600, escalations: [{ percent: 80, actions: [{ type: 'notify', note: { deep: `x${NUL}` } }] }] },
      });
      refusedAt(res, 'escalations.0.actions.0.note.deep');
    });

    it('free-form JSON nested too deep is a 400', async () => {
      let deep: Record<string, unknown> = { leaf: 1 };
      for (let i = 0; i < 20; i++) deep = { deep };
      const res = await h.api('/api/v1/incident-policies/low', {
        method: 'PUT',
        body: { acknowledgeMinutes: 60, resolveMinutes: 600, acknowledgementEscalations: [{ percent: 100, actions: [{ type: 'notify', deep }] }], resolutionEscalations: [], postmortemRequired: false },
      });
      assertError(res, 400, 'validation_failed');
      assert.ok(detailPaths(res).some((p) => p.startsWith('acknowledgementEscalations.0.actions.0.deep')), JSON.stringify(res.body));
    });
  });

  describe('integers beyond their columns', () => {
    const incidentCount = async () => (await h.database.db.selectFrom('incidents').select('id').execute()).length;
    const workflowCount = async () => (await h.client.workflow.count(`TaskQueue = "${h.taskQueue}"`)).count;

    it('affectedCustomers 2147483648 is a 400 that creates nothing and does not burn the Idempotency-Key', async () => {
      const headers = { 'idempotency-key': 'hostile-int4' };
      const [incidents, workflows] = [await incidentCount(), await workflowCount()];
      refusedAt(await h.api('/api/v1/incidents', { body: { title: 'Too many', severity: 'low', affectedCustomers: 2_147_483_648 }, headers }), 'affectedCustomers');
      assert.equal(await incidentCount(), incidents, 'no incident row');
      assert.equal((await h.database.db.selectFrom('incident_idempotency_keys').select('key').where('key', '=', 'hostile-int4').execute()).length, 0, 'the key is not recorded');
      assert.equal(await workflowCount(), workflows, 'no workflow started');

      const good = await h.api('/api/v1/incidents', { body: { title: 'Many', severity: 'low', affectedCustomers: 2_147_483_647 }, headers });
      assert.equal(good.status, 201, JSON.stringify(good.body));
      assert.equal(bodyOf(good, incidentResponse, 201).affectedCustomers, 2_147_483_647);
    });

    it('SLA policy targets of 2^31 minutes are a 400 naming each target', async () => {
      const calendars = bodyOf(await h.api('/api/v1/calendars'), listOf(calendarResponse)).data as Array<{ id: string }>;
      const res = await h.api('/api/v1/sla-policies', { body: { name: 'huge', tier: 'starter', priority: 'low', calendarId: calendars[0]!.id, firstResponseMinutes: 2 ** 31, resolutionMinutes: 2 ** 31 } });
      refusedAt(res, 'firstResponseMinutes');
      refusedAt(res, 'resolutionMinutes');
      const incident = await h.api('/api/v1/incident-policies/low', { method: 'PUT', body: { acknowledgeMinutes: 2 ** 31, resolveMinutes: 60, acknowledgementEscalations: [], resolutionEscalations: [], postmortemRequired: false } });
      refusedAt(incident, 'acknowledgeMinutes');
    });
  });

  describe('spans that make work grow', () => {
    const calendar = { timezone: 'America/New_York', weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] }, holidays: [] };
    const policy = { calendar, firstResponseMinutes: 480, resolutionMinutes: 4800 };

    it('an SLA preview whose events lie centuries after createdAt is refused fast', async () => {
      // Before the bound, this request summed open time day by day over 1,000 years: over 20 s of a blocked process.
      const started = performance.now();
      const res = await h.api('/api/v1/sla/preview', {
        body: { policy, createdAt: '1970-01-02T00:00:00Z', events: [{ at: '1970-01-02T00:00:00Z', type: 'status', status: 'open' }, { at: '2000-01-01T00:00:00Z', type: 'status', status: 'pending' }, { at: '2026-01-01T00:00:00Z', type: 'status', status: 'open' }] },
      });
      const ms = performance.now() - started;
      refusedAt(res, 'events.1.at');
      assert.ok(ms < 500, `answered in ${ms.toFixed(0)} ms`);
    });

    it('an SLA preview with a createdAt centuries back is refused fast', async () => {
      const started = performance.now();
      const res = await h.api('/api/v1/sla/preview', { body: { policy, createdAt: '1026-11-20T21:00:00Z', events: [{ at: '2026-11-21T21:00:00Z', type: 'status', status: 'solved' }] } });
      const ms = performance.now() - started;
      refusedAt(res, 'createdAt');
      assert.ok(ms < 500, `answered in ${ms.toFixed(0)} ms`);
    });

    it('a preview across the widest allowed span (3 years of pauses) still answers within a second', async () => {
      const events = [];
      for (let month = 0; month < 36; month++) {
        const at = (d: number) => new Date(Date.UTC(2023, month, d)).toISOString();
        events.push({ at: at(2), type: 'status', status: 'pending' }, { at: at(20), type: 'status', status: 'open' });
      }
      const started = performance.now();
      const res = await h.api('/api/v1/sla/preview', { body: { policy: { ...policy, resolutionMinutes: 400_000 }, createdAt: '2023-01-01T00:00:00Z', events } });
      const ms = performance.now() - started;
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(ms < 1_000, `answered in ${ms.toFixed(0)} ms`);
    });

    it('incident metrics over more than 400 days, or from before 1970, are a 400', async () => {
      refusedAt(await h.api('/api/v1/incidents/metrics?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'), 'from');
      refusedAt(await h.api('/api/v1/incidents/metrics?from=0001-01-01T00:00:00Z&to=0001-02-01T00:00:00Z'), 'from');
      assert.equal((await h.api('/api/v1/incidents/metrics?from=2025-06-01T00:00:00Z&to=2026-06-01T00:00:00Z')).status, 200);
    });
  });

  describe('cursors', () => {
    const garbage = [
      ['not base64url at all', 'a+b/c=='],
      ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
      ['a non-uuid id', encodeCursor({ createdAt: '2026-01-01T00:00:00.000Z', id: 'not-a-uuid' })],
      ['an out-of-range date', encodeCursor({ createdAt: '+275760-09-13T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' })],
      ['a date before any row', encodeCursor({ createdAt: '0000-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' })],
      ['a NUL in the id', encodeCursor({ createdAt: '2026-01-01T00:00:00.000Z', id: NUL })],
      ['extra fields', encodeCursor({ createdAt: '2026-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000', sql: 'drop' })],
    ] as const;
    for (const [what, cursor] of garbage) {
      it(`a cursor with ${what} is a 400 invalid_cursor on tickets and incidents`, async () => {
        assertError(await h.api(`/api/v1/tickets?cursor=${encodeURIComponent(cursor)}`), 400, 'invalid_cursor');
        assertError(await h.api(`/api/v1/incidents?cursor=${encodeURIComponent(cursor)}`), 400, 'invalid_cursor');
      });
    }

    it('a cursor the API issued still pages', async () => {
      await newTicket();
      await newTicket();
      const first = await h.api(`/api/v1/tickets?organizationId=${org.id}&limit=1`);
      const firstBody = bodyOf(first, ticketPage);
      const next = await h.api(`/api/v1/tickets?organizationId=${org.id}&limit=1&cursor=${encodeURIComponent(firstBody.nextCursor ?? '')}`);
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.notEqual(bodyOf(next, ticketPage).data[0]?.id, firstBody.data[0]?.id);
    });
  });

  describe('Idempotency-Key reuse', () => {
    it('on comments: the same body replays the same comment, another body is a 409', async () => {
      const t = await newTicket();
      const headers = { 'idempotency-key': 'comment-key-1' };
      const first = await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'First reply' }, headers });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const again = await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'First reply' }, headers });
      assert.equal(bodyOf(again, commentResponse, 201).id, bodyOf(first, commentResponse, 201).id, 'a replay answers with the same comment');
      assertError(await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Something else' }, headers }), 409, 'idempotency_key_reused');
      const bodies = (await h.database.db.selectFrom('comments').select('body').where('ticket_id', '=', t.id).execute()).map((c) => c.body);
      assert.deepEqual(bodies, ['First reply']);
    });

    it('on PATCH: the same body replays, another body is a 409 and changes nothing', async () => {
      const t = await newTicket();
      const headers = { 'idempotency-key': 'patch-key-1' };
      const first = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { priority: 'high' }, headers });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { priority: 'high' }, headers })).status, 200);
      assertError(await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { priority: 'low' }, headers }), 409, 'idempotency_key_reused');
      const row = await h.database.db.selectFrom('tickets').select('priority').where('id', '=', t.id).executeTakeFirstOrThrow();
      assert.equal(row.priority, 'high');
    });

    it('a key used on one ticket is a 409 on another, and on another endpoint', async () => {
      const [a, b] = [await newTicket(), await newTicket()];
      const headers = { 'idempotency-key': 'cross-key-1' };
      assert.equal((await h.api(`/api/v1/tickets/${a.id}/comments`, { body: { body: 'Same words' }, headers })).status, 201);
      assertError(await h.api(`/api/v1/tickets/${b.id}/comments`, { body: { body: 'Same words' }, headers }), 409, 'idempotency_key_reused');
      assertError(await h.api(`/api/v1/tickets/${a.id}`, { method: 'PATCH', body: { priority: 'low' }, headers }), 409, 'idempotency_key_reused');
    });

    it('a refused change does not burn its key', async () => {
      const t = await newTicket();
      const headers = { 'idempotency-key': 'refused-key-1' };
      assertError(await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'closed' }, headers }), 409, 'invalid_transition');
      assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'open' }, headers })).status, 200);
    });

    it('on incident PATCH and updates alike', async () => {
      const inc = await h.api('/api/v1/incidents', { body: { title: 'Keyed incident', severity: 'low' } });
      const incBody = bodyOf(inc, incidentResponse, 201);
      const patchHeaders = { 'idempotency-key': 'incident-patch-1' };
      assert.equal((await h.api(`/api/v1/incidents/${incBody.id}`, { method: 'PATCH', body: { title: 'Renamed' }, headers: patchHeaders })).status, 200);
      assert.equal((await h.api(`/api/v1/incidents/${incBody.id}`, { method: 'PATCH', body: { title: 'Renamed' }, headers: patchHeaders })).status, 200);
      assertError(await h.api(`/api/v1/incidents/${incBody.id}`, { method: 'PATCH', body: { title: 'Other' }, headers: patchHeaders }), 409, 'idempotency_key_reused');
      const updateHeaders = { 'idempotency-key': 'incident-update-1' };
      const u = await h.api(`/api/v1/incidents/${incBody.id}/updates`, { body: { body: 'Investigating' }, headers: updateHeaders });
      assert.equal(u.status, 201, JSON.stringify(u.body));
      assert.equal(bodyOf(await h.api(`/api/v1/incidents/${incBody.id}/updates`, { body: { body: 'Investigating' }, headers: updateHeaders }), incidentUpdateResponse, 201).id, bodyOf(u, incidentUpdateResponse, 201).id);
      assertError(await h.api(`/api/v1/incidents/${incBody.id}/updates`, { body: { body: 'Fixed' }, headers: updateHeaders }), 409, 'idempotency_key_reused');
    });
  });

  describe('what a customer may set', () => {
    const body = { subject: 'Customer ticket', requester: { email: 'c@example.com' } };

    it('a customer naming an assignee or a channel is a 400 naming each, and creates nothing', async () => {
      const before = (await h.database.db.selectFrom('tickets').select('id').execute()).length;
      refusedAt(await h.api('/api/v1/tickets', { key: customerKey, body: { ...body, assignee: 'vip-agent' } }), 'assignee');
      refusedAt(await h.api('/api/v1/tickets', { key: customerKey, body: { ...body, channel: 'phone' } }), 'channel');
      assert.equal((await h.database.db.selectFrom('tickets').select('id').execute()).length, before);
    });

    it('a customer may set subject, description, priority, category and requester', async () => {
      const res = await h.api('/api/v1/tickets', { key: customerKey, body: { ...body, description: 'Details', priority: 'high', category: 'billing' } });
      const resBody = bodyOf(res, ticketResponse, 201);
      assert.equal(resBody.channel, 'api');
      assert.equal(resBody.assignee, null);
    });

    it('agents still set assignee and channel', async () => {
      const t = await createTicket(h, { subject: 'Phoned in', organizationId: org.id, assignee: 'dana' });
      assert.equal(t.assignee, 'dana');
    });
  });

  describe('webhook destinations inside the network', () => {
    const urls = ['http://127.0.0.1:9/hook', 'http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/hook', 'http://[::1]:8080/hook', 'http://localhost:3000/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://2130706433/hook'];
    for (const url of urls) {
      it(`refuses ${url} on create and on PATCH`, async () => {
        refusedAt(await h.api('/api/v1/webhooks', { body: { url } }), 'url');
        // Paused, so no ticket of another test records deliveries for it while it is deleted.
        const ok = await h.api('/api/v1/webhooks', { body: { url: 'https://hooks.example.com/pacer', active: false } });
        const okBody = bodyOf(ok, webhookCreatedResponse, 201);
        refusedAt(await h.api(`/api/v1/webhooks/${okBody.id}`, { method: 'PATCH', body: { url } }), 'url');
        const stored = await h.database.db.selectFrom('webhook_subscriptions').select('url').where('id', '=', okBody.id).executeTakeFirstOrThrow();
        assert.equal(stored.url, 'https://hooks.example.com/pacer');
        await h.api(`/api/v1/webhooks/${okBody.id}`, { method: 'DELETE' });
      });
    }

    it('a subscription written straight into the table is still not delivered to loopback', async () => {
      // As if DNS had changed since the subscription was checked: delivery checks again.
      await h.database.db.insertInto('webhook_subscriptions').values({ id: '11111111-1111-4111-8111-111111111111', url: 'http://localhost:9/hook', secret: 'whsec-0123456789abcdef', event_types: JSON.stringify(['ticket.created']), active: true }).execute();
      const t = await newTicket();
      const delivery = await eventually(
        async () => {
          const d = await h.database.db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', '11111111-1111-4111-8111-111111111111').executeTakeFirst();
          return d?.last_error ? d : undefined;
        },
        15_000,
        `a refused delivery for ${t.id}`,
      );
      assert.match(delivery.last_error!, /^refused: /);
      assert.equal(delivery.delivered_at, null);
      assert.equal(delivery.attempts, 1, 'a refused address is not retried');
      await h.database.db.updateTable('webhook_subscriptions').set({ active: false }).where('id', '=', '11111111-1111-4111-8111-111111111111').execute();
    });
  });
});
