/**
 * CRUD for the settings administrators own: organizations, business calendars (validated
 * down to the field), SLA policies (one per tier and priority), webhook subscriptions and
 * API keys; agents may read what they need, and conflicts are 409s that change nothing.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, createTicket, detailPaths } from './api-helpers';
import { apiKeyResponse, calendarResponse, listOf, organizationResponse, priorityList, slaPolicyResponse, tierList, webhookCreatedResponse, webhookResponse } from '../../src/http/api/openapi/responses';
import { calendarSavedResponse, organizationTierResponse, slaPolicySavedResponse } from '../../src/http/api/openapi/rollout-responses';

const NINE_TO_FIVE = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] };

describe('API: settings CRUD', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let agentKey: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness({ allowPrivateWebhooks: true });
    agentKey = (await createKey(h, 'agent')).key;
  });
  after(async () => h?.close());

  it('lists the seeded tiers and priorities', async () => {
    const tiers = bodyOf(await h.api('/api/v1/tiers'), tierList).data.map((t: { name: string }) => t.name);
    assert.deepEqual(tiers, ['community', 'starter', 'professional', 'enterprise', 'premium']);
    const priorities = bodyOf(await h.api('/api/v1/priorities'), priorityList).data.map((p: { name: string }) => p.name);
    assert.deepEqual(priorities, ['urgent', 'high', 'normal', 'low']);
  });

  describe('organizations', () => {
    it('create, get, list, rename, change tier, delete', async () => {
      const created = await h.api('/api/v1/organizations', { body: { name: 'Initech', tier: 'starter', emailDomains: ['initech.example'] } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const org = bodyOf(created, organizationResponse, 201);
      assert.equal(org.tier, 'starter');
      assert.deepEqual(org.emailDomains, ['initech.example']);
      assert.deepEqual((await h.api(`/api/v1/organizations/${org.id}`)).body, org);
      assert.ok(bodyOf(await h.api('/api/v1/organizations'), listOf(organizationResponse)).data.some((o: { id: string }) => o.id === org.id));

      const renamed = await h.api(`/api/v1/organizations/${org.id}`, { method: 'PATCH', body: { name: 'Initech Ltd', tier: 'premium' } });
      const renamedBody = bodyOf(renamed, organizationTierResponse);
      assert.equal(renamedBody.name, 'Initech Ltd');
      assert.equal(renamedBody.tier, 'premium');
      assert.equal(renamedBody.retargetedTickets, 0);
      assert.deepEqual(renamedBody.emailDomains, ['initech.example'], 'a PATCH keeps the fields it does not name');

      assert.equal((await h.api(`/api/v1/organizations/${org.id}`, { method: 'DELETE' })).status, 204);
      assertError(await h.api(`/api/v1/organizations/${org.id}`), 404, 'not_found');
      assertError(await h.api(`/api/v1/organizations/${org.id}`, { method: 'DELETE' }), 404, 'not_found');
    });

    it('rejects unknown tiers (400), duplicate names (409) and deleting an organization with tickets (409)', async () => {
      const bad = await h.api('/api/v1/organizations', { body: { name: 'Nowhere', tier: 'platinum' } });
      assertError(bad, 400, 'validation_failed');
      assert.deepEqual(detailPaths(bad), ['tier']);
      const org = bodyOf(await h.api('/api/v1/organizations', { body: { name: 'Hooli', tier: 'professional' } }), organizationResponse, 201);
      assertError(await h.api('/api/v1/organizations', { body: { name: 'Hooli', tier: 'starter' } }), 409, 'conflict');
      assertError(await h.api(`/api/v1/organizations/${org.id}`, { method: 'PATCH', body: { tier: 'gold' } }), 400);
      assertError(await h.api(`/api/v1/organizations/${org.id}`, { method: 'PATCH', body: {} }), 400, 'validation_failed');
      assert.equal(bodyOf(await h.api(`/api/v1/organizations/${org.id}`), organizationResponse).tier, 'professional');

      await createTicket(h, { subject: 'Keeps the org alive', organizationId: org.id });
      assertError(await h.api(`/api/v1/organizations/${org.id}`, { method: 'DELETE' }), 409, 'in_use');
      assert.equal((await h.api(`/api/v1/organizations/${org.id}`)).status, 200);
      assertError(await h.api('/api/v1/organizations', { key: agentKey, body: { name: 'By agent', tier: 'starter' } }), 403, 'forbidden');
    });
  });

  describe('calendars', () => {
    it('create, get, list, replace, delete', async () => {
      const created = await h.api('/api/v1/calendars', { body: { name: 'Berlin office', timezone: 'Europe/Berlin', weekly: NINE_TO_FIVE, holidays: ['2026-12-24', '2026-12-25'] } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const cal = bodyOf(created, calendarResponse, 201);
      assert.equal(cal.timezone, 'Europe/Berlin');
      assert.deepEqual(cal.weekly, NINE_TO_FIVE);
      assert.deepEqual(cal.holidays, ['2026-12-24', '2026-12-25']);
      assert.deepEqual((await h.api(`/api/v1/calendars/${cal.id}`)).body, cal);
      assert.deepEqual((await h.api(`/api/v1/calendars/${cal.id}`, { key: agentKey })).body, cal, 'agents may read calendars');
      assert.ok(bodyOf(await h.api('/api/v1/calendars'), listOf(calendarResponse)).data.some((c: { id: string }) => c.id === cal.id));

      // Split windows, a window ending at 24:00 and a half-hour-offset zone are all valid.
      const replaced = await h.api(`/api/v1/calendars/${cal.id}`, {
        method: 'PUT',
        body: { name: 'Kolkata office', timezone: 'Asia/Kolkata', weekly: { ...NINE_TO_FIVE, mon: [['09:00', '12:00'], ['13:00', '17:00']], sat: [['20:00', '24:00']] }, holidays: [] },
      });
      const replacedBody = bodyOf(replaced, calendarSavedResponse);
      assert.equal(replacedBody.timezone, 'Asia/Kolkata');
      assert.deepEqual(replacedBody.weekly.mon, [['09:00', '12:00'], ['13:00', '17:00']]);

      assert.equal((await h.api(`/api/v1/calendars/${cal.id}`, { method: 'DELETE' })).status, 204);
      assertError(await h.api(`/api/v1/calendars/${cal.id}`), 404, 'not_found');
    });

    it('an invalid calendar is a 400 naming the field, and nothing is stored', async () => {
      const count = async () => bodyOf(await h.api('/api/v1/calendars'), listOf(calendarResponse)).data.length;
      const before = await count();
      const cases: Array<[string, unknown, string]> = [
        ['25:00', { name: 'bad hour', timezone: 'UTC', weekly: { ...NINE_TO_FIVE, mon: [['09:00', '25:00']] } }, 'weekly.mon.0.1'],
        ['unknown zone', { name: 'bad zone', timezone: 'Mars/Olympus_Mons', weekly: NINE_TO_FIVE }, 'timezone'],
        ['start after end', { name: 'backwards', timezone: 'UTC', weekly: { ...NINE_TO_FIVE, tue: [['17:00', '09:00']] } }, 'weekly.tue[0]'],
        ['overlap', { name: 'overlap', timezone: 'UTC', weekly: { ...NINE_TO_FIVE, wed: [['09:00', '13:00'], ['12:00', '17:00']] } }, 'weekly.wed[1]'],
        ['bad holiday', { name: 'bad holiday', timezone: 'UTC', weekly: NINE_TO_FIVE, holidays: ['2026-02-30'] }, 'holidays'],
        ['unknown weekday', { name: 'bad day', timezone: 'UTC', weekly: { ...NINE_TO_FIVE, funday: [] } }, 'weekly'],
      ];
      for (const [what, body, path] of cases) {
        const res = await h.api('/api/v1/calendars', { body });
        assertError(res, 400, 'validation_failed');
        assert.ok(detailPaths(res).some((p) => p.startsWith(path)), `${what}: expected a detail at ${path}, got ${JSON.stringify(res.body)}`);
      }
      assert.equal(await count(), before);
    });
  });

  describe('SLA policies', () => {
    let calendarId: string;
    before(async () => {
      calendarId = bodyOf(await h.api('/api/v1/calendars', { body: { name: 'Policy calendar', timezone: 'UTC', weekly: NINE_TO_FIVE } }), calendarResponse, 201).id;
    });

    it('create with defaults, get, list, replace, delete', async () => {
      const created = await h.api('/api/v1/sla-policies', { body: { name: 'starter urgent', tier: 'starter', priority: 'urgent', calendarId, firstResponseMinutes: 120, resolutionMinutes: 960 } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const p = bodyOf(created, slaPolicyResponse, 201);
      assert.deepEqual(p.pauseOn, ['pending']);
      assert.deepEqual(p.escalations.map((s: { percent: number }) => s.percent), [80, 100, 120]);
      assert.equal(p.autoCloseDays, 7);
      assert.deepEqual((await h.api(`/api/v1/sla-policies/${p.id}`, { key: agentKey })).body, p);
      assert.ok(bodyOf(await h.api('/api/v1/sla-policies'), listOf(slaPolicyResponse)).data.some((x: { id: string }) => x.id === p.id));

      const replaced = await h.api(`/api/v1/sla-policies/${p.id}`, {
        method: 'PUT',
        body: {
          name: 'starter P1', tier: 'starter', priority: 'p1', calendarId, firstResponseMinutes: 60, resolutionMinutes: null,
          pauseOn: ['pending', 'on_hold'], escalations: [{ percent: 50, actions: [{ type: 'notify', role: 'lead' }] }, { percent: 100 }], autoCloseDays: 3,
        },
      });
      const replacedBody = bodyOf(replaced, slaPolicySavedResponse);
      assert.equal(replacedBody.priority, 'urgent', 'p1 is an alias of urgent');
      assert.equal(replacedBody.resolutionMinutes, null);
      assert.deepEqual(replacedBody.escalations, [{ percent: 50, actions: [{ type: 'notify', role: 'lead' }] }, { percent: 100, actions: [] }]);

      assert.equal((await h.api(`/api/v1/sla-policies/${p.id}`, { method: 'DELETE' })).status, 204);
      assertError(await h.api(`/api/v1/sla-policies/${p.id}`), 404, 'not_found');
    });

    it('a duplicate tier + priority is a 409; unknown references and bad values are 400s', async () => {
      const body = { name: 'starter high', tier: 'starter', priority: 'high', calendarId, firstResponseMinutes: 240, resolutionMinutes: 2400 };
      assert.equal((await h.api('/api/v1/sla-policies', { body })).status, 201);
      const countFor = async () => bodyOf(await h.api('/api/v1/sla-policies'), listOf(slaPolicyResponse)).data.filter((p: { tier: string; priority: string }) => p.tier === 'starter' && p.priority === 'high').length;
      assertError(await h.api('/api/v1/sla-policies', { body: { ...body, name: 'again' } }), 409, 'conflict');
      assert.equal(await countFor(), 1);
      // Moving another policy onto the same pair is a conflict too.
      const other = bodyOf(await h.api('/api/v1/sla-policies', { body: { ...body, name: 'starter low', priority: 'low' } }), slaPolicyResponse, 201);
      assertError(await h.api(`/api/v1/sla-policies/${other.id}`, { method: 'PUT', body: { ...body, name: 'moved' } }), 409, 'conflict');
      assert.equal(bodyOf(await h.api(`/api/v1/sla-policies/${other.id}`), slaPolicyResponse).priority, 'low');

      assertError(await h.api('/api/v1/sla-policies', { body: { ...body, tier: 'gold', priority: 'normal' } }), 400, 'validation_failed');
      assertError(await h.api('/api/v1/sla-policies', { body: { ...body, priority: 'normal', calendarId: '00000000-0000-4000-8000-000000000000' } }), 400, 'validation_failed');
      const bad = await h.api('/api/v1/sla-policies', { body: { ...body, priority: 'normal', firstResponseMinutes: -5, pauseOn: ['sleeping'] } });
      assertError(bad, 400, 'validation_failed');
      assert.ok(detailPaths(bad).includes('firstResponseMinutes'));
      assert.ok(detailPaths(bad).includes('pauseOn.0'));

      // A calendar in use cannot be deleted.
      assertError(await h.api(`/api/v1/calendars/${calendarId}`, { method: 'DELETE' }), 409, 'in_use');
      assertError(await h.api('/api/v1/sla-policies', { key: agentKey, body: { ...body, priority: 'normal' } }), 403, 'forbidden');
    });
  });

  describe('webhook subscriptions', () => {
    describe('a subscription given a secret, and one given none', () => {
      let w: { id: string; secret: string; eventTypes: string[]; active: boolean };
      let generated: { id: string; secret: string; eventTypes: string[] };

      before(async () => {
        const created = await h.api('/api/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hooks', eventTypes: ['ticket.created'], secret: 'whsec-0123456789abcdef' } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        w = bodyOf(created, webhookCreatedResponse, 201);
        const second = await h.api('/api/v1/webhooks', { body: { url: 'https://hooks.example.com/pacer' } });
        assert.equal(second.status, 201);
        generated = bodyOf(second, webhookCreatedResponse, 201);
      });

      it('answers the given secret once, on creation, with its event types, active', () => {
        assert.equal(w.secret, 'whsec-0123456789abcdef');
        assert.deepEqual(w.eventTypes, ['ticket.created']);
        assert.equal(w.active, true);
      });

      it('never shows the secret again, in a read or in the list', async () => {
        const got = bodyOf(await h.api(`/api/v1/webhooks/${w.id}`), webhookResponse);
        assert.ok(!('secret' in got), 'the secret is never shown again');
        assert.equal(JSON.stringify((await h.api('/api/v1/webhooks')).body).includes('whsec-0123456789abcdef'), false);
      });

      it('generates a secret when none is given, and subscribes to every event', () => {
        assert.ok(generated.secret.length >= 32, 'a secret is generated when none is given');
        assert.deepEqual(generated.eventTypes, ['*']);
      });

      it('a PATCH changes only what it names: pausing keeps the event types, a new url keeps it paused', async () => {
        const paused = await h.api(`/api/v1/webhooks/${w.id}`, { method: 'PATCH', body: { active: false } });
        const pausedBody = bodyOf(paused, webhookResponse);
        assert.equal(pausedBody.active, false);
        assert.deepEqual(pausedBody.eventTypes, ['ticket.created']);
        const moved = await h.api(`/api/v1/webhooks/${w.id}`, { method: 'PATCH', body: { url: 'http://127.0.0.1:9/moved' } });
        const movedBody = bodyOf(moved, webhookResponse);
        assert.equal(movedBody.url, 'http://127.0.0.1:9/moved');
        assert.equal(movedBody.active, false);
        assert.deepEqual(movedBody.eventTypes, ['ticket.created']);
        const patched = await h.api(`/api/v1/webhooks/${w.id}`, { method: 'PATCH', body: { active: true, eventTypes: ['*'] } });
        const patchedBody = bodyOf(patched, webhookResponse);
        assert.equal(patchedBody.active, true);
        assert.deepEqual(patchedBody.eventTypes, ['*']);
      });

      it('refuses a PATCH that names nothing', async () => {
        assertError(await h.api(`/api/v1/webhooks/${w.id}`, { method: 'PATCH', body: {} }), 400, 'validation_failed');
      });

      it('deletes both, after which they are not found', async () => {
        for (const id of [w.id, generated.id]) assert.equal((await h.api(`/api/v1/webhooks/${id}`, { method: 'DELETE' })).status, 204);
        assertError(await h.api(`/api/v1/webhooks/${w.id}`), 404, 'not_found');
      });
    });

    it('rejects bad urls, short secrets and empty event lists', async () => {
      for (const [body, path] of [
        [{ url: 'ftp://example.com/x' }, 'url'],
        [{ url: 'not a url' }, 'url'],
        [{ url: 'http://127.0.0.1:9/x', secret: 'short' }, 'secret'],
        [{ url: 'http://127.0.0.1:9/x', eventTypes: [] }, 'eventTypes'],
      ] as const) {
        const res = await h.api('/api/v1/webhooks', { body });
        assertError(res, 400, 'validation_failed');
        assert.ok(detailPaths(res).includes(path), `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
      }
      assert.deepEqual(bodyOf(await h.api('/api/v1/webhooks'), listOf(webhookResponse)).data, []);
      assertError(await h.api('/api/v1/webhooks', { key: agentKey }), 403, 'forbidden');
    });
  });

  describe('API keys', () => {
    it('create for each role, list without secrets, revoke once', async () => {
      const org = bodyOf(await h.api('/api/v1/organizations', { body: { name: 'Key holders', tier: 'starter' } }), organizationResponse, 201);
      const admin = await createKey(h, 'admin');
      const customer = await createKey(h, 'customer', org.id);
      assert.equal((await h.api('/api/v1/api-keys', { key: admin.key })).status, 200, 'a created admin key is an admin');
      const listed = bodyOf(await h.api('/api/v1/api-keys'), listOf(apiKeyResponse)).data;
      const mine = listed.find((k: { id: string }) => k.id === customer.id);
      assert.equal(mine?.role, 'customer');
      assert.equal(mine?.organizationId, org.id);
      assert.equal(mine?.revokedAt, null);
      assert.ok(listed.every((k: Record<string, unknown>) => !('key' in k)));

      assert.equal((await h.api(`/api/v1/api-keys/${customer.id}`, { method: 'DELETE' })).status, 200);
      assertError(await h.api(`/api/v1/api-keys/${customer.id}`, { method: 'DELETE' }), 404, 'not_found');
      assert.ok(bodyOf(await h.api('/api/v1/api-keys'), listOf(apiKeyResponse)).data.find((k: { id: string }) => k.id === customer.id)?.revokedAt);
    });

    it('a customer key needs an existing organization; other roles must not have one', async () => {
      const org = bodyOf(await h.api('/api/v1/organizations', { body: { name: 'Key rules', tier: 'starter' } }), organizationResponse, 201);
      const before = bodyOf(await h.api('/api/v1/api-keys'), listOf(apiKeyResponse)).data.length;
      for (const body of [
        { name: 'c', role: 'customer' },
        { name: 'a', role: 'agent', organizationId: org.id },
        { name: 'c', role: 'customer', organizationId: '00000000-0000-4000-8000-000000000000' },
        { name: 'r', role: 'root' },
      ]) {
        const res = await h.api('/api/v1/api-keys', { body });
        assertError(res, 400, 'validation_failed');
        assert.ok(assertError(res, 400, 'validation_failed').details?.length);
      }
      assert.equal(bodyOf(await h.api('/api/v1/api-keys'), listOf(apiKeyResponse)).data.length, before);
    });
  });
});
