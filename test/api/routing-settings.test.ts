/**
 * /api/v1/routing on real PostgreSQL: groups with members and release settings, rules in order
 * (create, edit, reorder, delete), agents' profiles and status. Every refusal is the one error
 * shape, names the offending fields and changes nothing: a bad strategy, an unknown calendar or
 * group, a duplicate name, a capacity below 0, a bad skill level, a customer as an agent, a
 * customer or agent key on admin resources, an agent setting someone else's status. Status
 * changes, profile saves and membership changes reach the AgentStatusListener.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createCalendar, createKey, createOrg, detailPaths } from './api-helpers';
import { listOf, userResponse } from '../../src/http/api/openapi/responses';
import { agentResponse, groupResponse, ruleResponse } from '../../src/http/api/routes/routing';
import { createSession, findSession } from '../../src/domain/users/sessions';
import type { AgentSettingsChange, AgentStatusChange, AgentStatusListener } from '../../src/domain/routing/agent-status';

describe('API: routing settings', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  const heard: Array<AgentStatusChange | AgentSettingsChange> = [];
  const listener: AgentStatusListener = {
    agentStatusChanged: (c) => { heard.push(c); return Promise.resolve(); },
    agentSettingsChanged: (c) => { heard.push(c); return Promise.resolve(); },
  };
  let agent: { id: string; email: string };
  let other: { id: string };
  let customer: { id: string };
  let org: { id: string };
  let agentKey: string;
  let customerKey: string;

  const user = async (email: string, role: string, organizationId?: string) =>
    bodyOf(await h.api('/api/v1/users', { body: { email, name: email, role, password: 'long enough pw', ...(organizationId && { organizationId }) } }), userResponse, 201);
  const count = async (table: 'routing_groups' | 'routing_rules' | 'agent_profiles' | 'routing_group_members') =>
    Number((await h.database.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const group = async (name: string, extra: Record<string, unknown> = {}) => bodyOf(await h.api('/api/v1/routing/groups', { body: { name, ...extra } }), groupResponse, 201);

  before(async function () {
    this.timeout(120_000);
    h = await startHarness({ agentStatusListener: listener });
    org = await createOrg(h, 'enterprise');
    agent = await user('ada@pacer.test', 'agent');
    other = await user('bo@pacer.test', 'agent');
    customer = await user('cy@customer.test', 'customer', org.id);
    agentKey = (await createKey(h, 'agent')).key;
    customerKey = (await createKey(h, 'customer', org.id)).key;
  });
  after(async () => h?.close());

  describe('groups', () => {
    it('creates a group with the defaults, reads and replaces it', async () => {
      const g = await group('Billing');
      assert.equal(g.strategy, 'deadline_aware');
      assert.deepEqual([g.releaseOnOffline, g.awayReleaseMinutes, g.releaseOnShiftEnd, g.answerMinutes], [true, null, true, 30]);
      const put = bodyOf(await h.api(`/api/v1/routing/groups/${g.id}`, { method: 'PUT', body: { name: 'Billing', strategy: 'round_robin', awayReleaseMinutes: 20, answerMinutes: 15, releaseOnShiftEnd: false } }), groupResponse);
      assert.deepEqual([put.strategy, put.awayReleaseMinutes, put.answerMinutes, put.releaseOnShiftEnd], ['round_robin', 20, 15, false]);
      const list = bodyOf(await h.api('/api/v1/routing/groups', { key: agentKey }), listOf(groupResponse));
      assert.deepEqual(list.data.map((x) => x.name), ['Billing']);
    });

    it('refuses a bad strategy, out-of-range minutes and unknown fields, naming each, and keeps nothing', async () => {
      const before = await count('routing_groups');
      const bad = await h.api('/api/v1/routing/groups', { body: { name: 'X', strategy: 'random', answerMinutes: -1, awayReleaseMinutes: 1.5, colour: 'red' } });
      assertError(bad, 400, 'validation_failed');
      assert.deepEqual(detailPaths(bad).sort(), ['answerMinutes', 'awayReleaseMinutes', 'colour', 'strategy']);
      assertError(await h.api('/api/v1/routing/groups', { body: { name: '  ' } }), 400, 'validation_failed');
      assert.equal(await count('routing_groups'), before);
    });

    it('refuses a duplicate name (409, on create and on rename)', async () => {
      const dup = await h.api('/api/v1/routing/groups', { body: { name: 'Billing' } });
      assertError(dup, 409, 'conflict');
      assert.deepEqual(detailPaths(dup), ['name']);
      const t = await group('Technical');
      assertError(await h.api(`/api/v1/routing/groups/${t.id}`, { method: 'PUT', body: { name: 'Billing' } }), 409, 'conflict');
      assert.equal(bodyOf(await h.api(`/api/v1/routing/groups/${t.id}`), groupResponse).name, 'Technical');
    });

    it('adds and removes staff members, refuses a customer, an unknown user and an unknown group', async () => {
      const g = await group('Members');
      heard.length = 0;
      const added = await h.api(`/api/v1/routing/groups/${g.id}/members`, { body: { userId: agent.id } });
      assert.equal(added.status, 201);
      assert.deepEqual(bodyOf(await h.api(`/api/v1/routing/groups/${g.id}`), groupResponse).members.map((m) => m.email), ['ada@pacer.test']);
      assert.deepEqual(heard, [{ userId: agent.id, cause: 'membership', groupIds: [g.id] }]);
      const notAgent = await h.api(`/api/v1/routing/groups/${g.id}/members`, { body: { userId: customer.id } });
      assertError(notAgent, 400, 'not_an_agent');
      assert.deepEqual(detailPaths(notAgent), ['userId']);
      assertError(await h.api(`/api/v1/routing/groups/${g.id}/members`, { body: { userId: '00000000-0000-4000-8000-000000000001' } }), 400, 'unknown_user');
      assertError(await h.api('/api/v1/routing/groups/00000000-0000-4000-8000-000000000002/members', { body: { userId: agent.id } }), 404, 'not_found');
      assertError(await h.api('/api/v1/routing/groups/not-a-uuid'), 400, 'validation_failed');
      assert.equal((await h.api(`/api/v1/routing/groups/${g.id}/members/${agent.id}`, { method: 'DELETE' })).status, 204);
      assertError(await h.api(`/api/v1/routing/groups/${g.id}/members/${agent.id}`, { method: 'DELETE' }), 404, 'not_found');
      assert.deepEqual(heard.at(-1), { userId: agent.id, cause: 'membership', groupIds: [g.id] });
      const q = await h.api(`/api/v1/routing/groups/${g.id}/queue`, { key: agentKey });
      assert.deepEqual((q.body as { data: unknown[] }).data, []);
    });

    it('lets agents read but not write, and customers neither', async () => {
      const before = await count('routing_groups');
      assertError(await h.api('/api/v1/routing/groups', { key: agentKey, body: { name: 'By agent' } }), 403, 'forbidden');
      assertError(await h.api('/api/v1/routing/groups', { key: customerKey }), 403, 'forbidden');
      assertError(await h.api('/api/v1/routing/groups', { key: customerKey, body: { name: 'By customer' } }), 403, 'forbidden');
      assertError(await h.api('/api/v1/routing/rules', { key: customerKey }), 403, 'forbidden');
      assertError(await h.api('/api/v1/routing/agents', { key: customerKey }), 403, 'forbidden');
      assert.equal(await count('routing_groups'), before);
    });
  });

  describe('rules', () => {
    let g: { id: string };
    before(async () => { g = await group('Rules target'); });

    it('appends rules in order, replaces one in place, reorders and deletes closing the gap', async () => {
      const mk = async (name: string, conditions: Record<string, unknown>) => bodyOf(await h.api('/api/v1/routing/rules', { body: { name, groupId: g.id, conditions, requiredSkills: [{ name: 'Billing', minLevel: 3 }] } }), ruleResponse, 201);
      const a = await mk('urgent billing', { priorities: ['urgent'], categories: ['billing'] });
      const b = await mk('enterprise', { tiers: ['enterprise'], organizationIds: [org.id] });
      const c = await mk('german', { languages: ['DE'], subjectWords: ['Rechnung'] });
      assert.deepEqual([a.position, b.position, c.position], [0, 1, 2]);
      assert.deepEqual(a.requiredSkills, [{ name: 'billing', minLevel: 3 }], 'skill names are kept lower case');
      assert.deepEqual(c.conditions.languages, ['de']);
      const edited = bodyOf(await h.api(`/api/v1/routing/rules/${b.id}`, { method: 'PUT', body: { name: 'enterprise (off)', enabled: false, groupId: g.id } }), ruleResponse);
      assert.deepEqual([edited.position, edited.enabled, edited.conditions], [1, false, {}]);
      const re = bodyOf(await h.api('/api/v1/routing/rules/reorder', { body: { ruleIds: [c.id, a.id, b.id] } }), listOf(ruleResponse));
      assert.deepEqual(re.data.map((r) => [r.name, r.position]), [['german', 0], ['urgent billing', 1], ['enterprise (off)', 2]]);
      assert.equal((await h.api(`/api/v1/routing/rules/${c.id}`, { method: 'DELETE' })).status, 204);
      const after = bodyOf(await h.api('/api/v1/routing/rules', { key: agentKey }), listOf(ruleResponse));
      assert.deepEqual(after.data.map((r) => [r.name, r.position]), [['urgent billing', 0], ['enterprise (off)', 1]]);
      assertError(await h.api(`/api/v1/routing/groups/${g.id}`, { method: 'DELETE' }), 409, 'in_use');
    });

    it('refuses an unknown group, organization or tier, bad conditions and skill levels, naming each, and keeps nothing', async () => {
      const before = await count('routing_rules');
      const unknown = await h.api('/api/v1/routing/rules', { body: { name: 'x', groupId: '00000000-0000-4000-8000-000000000003', conditions: { organizationIds: ['00000000-0000-4000-8000-000000000004'], tiers: ['platinum'] } } });
      assertError(unknown, 400, 'validation_failed');
      assert.deepEqual(detailPaths(unknown), ['groupId', 'conditions.organizationIds.0', 'conditions.tiers.0']);
      const shape = await h.api('/api/v1/routing/rules', {
        body: { name: 'x', groupId: g.id, conditions: { priorities: ['p9'], channels: ['fax'], languages: ['english'], subjectWords: ['ok', 'OK'], colour: ['red'] }, requiredSkills: [{ name: 'billing', minLevel: 6 }, { name: 'tax', minLevel: 0 }] },
      });
      assertError(shape, 400, 'validation_failed');
      assert.deepEqual(detailPaths(shape).sort(), ['conditions.channels.0', 'conditions.colour', 'conditions.languages.0', 'conditions.priorities.0', 'conditions.subjectWords.1', 'requiredSkills.0.minLevel', 'requiredSkills.1.minLevel']);
      assertError(await h.api('/api/v1/routing/rules', { key: agentKey, body: { name: 'x', groupId: g.id } }), 403, 'forbidden');
      assert.equal(await count('routing_rules'), before);
    });

    it('refuses a reorder that does not name every rule exactly once, and keeps the order', async () => {
      const order = bodyOf(await h.api('/api/v1/routing/rules'), listOf(ruleResponse)).data.map((r) => r.id);
      const missing = await h.api('/api/v1/routing/rules/reorder', { body: { ruleIds: [order[1]] } });
      assertError(missing, 400, 'validation_failed');
      assert.deepEqual(detailPaths(missing), ['ruleIds']);
      const twice = await h.api('/api/v1/routing/rules/reorder', { body: { ruleIds: [order[1], order[1], order[0]] } });
      assert.deepEqual(detailPaths(twice), ['ruleIds.1']);
      const stranger = await h.api('/api/v1/routing/rules/reorder', { body: { ruleIds: [...order, '00000000-0000-4000-8000-000000000005'] } });
      assert.deepEqual(detailPaths(stranger), [`ruleIds.${order.length}`]);
      assertError(await h.api('/api/v1/routing/rules/reorder', { key: agentKey, body: { ruleIds: order.slice().reverse() } }), 403, 'forbidden');
      assert.deepEqual(bodyOf(await h.api('/api/v1/routing/rules'), listOf(ruleResponse)).data.map((r) => r.id), order);
      assertError(await h.api('/api/v1/routing/rules/00000000-0000-4000-8000-000000000006', { method: 'PUT', body: { name: 'x', groupId: g.id } }), 404, 'not_found');
    });
  });

  describe('agents', () => {
    it('reads the defaults for an agent never saved, then saves a profile and lists loads', async () => {
      const d = bodyOf(await h.api(`/api/v1/routing/agents/${other.id}`, { key: agentKey }), agentResponse);
      assert.deepEqual([d.status, d.capacity, d.skills, d.calendarId, d.openTickets], ['offline', 5, [], null, 0]);
      const cal = await createCalendar(h, 'Agent shifts');
      heard.length = 0;
      const body = { capacity: 4, capacityByPriority: { urgent: 1, high: 2 }, calendarId: cal.id, daysOff: ['2026-12-24', '2026-12-31'], languages: ['EN', 'de'], skills: [{ name: 'Billing', level: 5 }, { name: 'sso', level: 2 }] };
      const res = await h.api(`/api/v1/routing/agents/${agent.id}`, { method: 'PUT', body });
      const p = bodyOf(res, agentResponse);
      assert.deepEqual([p.capacity, p.capacityByPriority, p.calendarId, p.daysOff, p.languages, p.skills], [4, { urgent: 1, high: 2 }, cal.id, ['2026-12-24', '2026-12-31'], ['en', 'de'], [{ name: 'billing', level: 5 }, { name: 'sso', level: 2 }]]);
      assert.deepEqual(heard, [{ userId: agent.id, cause: 'profile', groupIds: [] }]);
      const all = bodyOf(await h.api('/api/v1/routing/agents', { key: agentKey }), listOf(agentResponse));
      assert.deepEqual(all.data.map((a) => a.email), ['ada@pacer.test', 'bo@pacer.test'], 'staff only; the customer is not an agent');
    });

    it('refuses capacity < 0, a bad skill level, an unknown calendar, a bad day off or language, naming each, and changes nothing', async () => {
      const before = bodyOf(await h.api(`/api/v1/routing/agents/${agent.id}`), agentResponse);
      const bad = await h.api(`/api/v1/routing/agents/${agent.id}`, {
        method: 'PUT',
        body: { capacity: -1, capacityByPriority: { urgent: -2, someday: 1 }, daysOff: ['2026-02-30', '2026-12-24', '2026-12-24'], languages: ['eng'], skills: [{ name: 'billing', level: 0 }, { name: 'x', level: 2.5 }, { name: 'BILLING', level: 3 }] },
      });
      assertError(bad, 400, 'validation_failed');
      assert.deepEqual(detailPaths(bad).sort(), ['capacity', 'capacityByPriority.someday', 'capacityByPriority.urgent', 'daysOff.0', 'daysOff.2', 'languages.0', 'skills.0.level', 'skills.1.level'].sort());
      const twice = await h.api(`/api/v1/routing/agents/${agent.id}`, { method: 'PUT', body: { skills: [{ name: 'billing', level: 1 }, { name: 'BILLING ', level: 3 }] } });
      assert.deepEqual(detailPaths(twice), ['skills.1'], 'one skill, named twice in different case');
      const cal = await h.api(`/api/v1/routing/agents/${agent.id}`, { method: 'PUT', body: { calendarId: '00000000-0000-4000-8000-000000000007' } });
      assertError(cal, 400, 'validation_failed');
      assert.deepEqual(detailPaths(cal), ['calendarId']);
      assert.deepEqual(bodyOf(await h.api(`/api/v1/routing/agents/${agent.id}`), agentResponse), before);
    });

    it('refuses a profile for a customer account and an unknown user, and agent keys on profiles', async () => {
      const cust = await h.api(`/api/v1/routing/agents/${customer.id}`, { method: 'PUT', body: { capacity: 3 } });
      assertError(cust, 400, 'not_an_agent');
      assertError(await h.api(`/api/v1/routing/agents/${customer.id}`), 404, 'not_found');
      assertError(await h.api('/api/v1/routing/agents/00000000-0000-4000-8000-000000000008', { method: 'PUT', body: {} }), 404, 'not_found');
      assertError(await h.api(`/api/v1/routing/agents/${agent.id}`, { method: 'PUT', key: agentKey, body: { capacity: 3 } }), 403, 'forbidden');
      assert.equal(await h.database.db.selectFrom('agent_profiles').select('user_id').where('user_id', '=', customer.id).executeTakeFirst(), undefined);
    });

    it('sets a status: admins anyone\'s, an agent their own only; the listener hears each', async () => {
      heard.length = 0;
      const s = bodyOf(await h.api(`/api/v1/routing/agents/${agent.id}/status`, { method: 'PUT', body: { status: 'online' } }), agentResponse);
      assert.equal(s.status, 'online');
      assert.equal(heard.length, 1);
      assert.deepEqual({ ...heard[0], since: undefined }, { userId: agent.id, status: 'online', since: undefined, changed: true, cause: 'set', groupIds: [] });
      assertError(await h.api(`/api/v1/routing/agents/${agent.id}/status`, { method: 'PUT', body: { status: 'lunch' } }), 400, 'validation_failed');
      // An agent API key is no person: it may not set anyone's status.
      assertError(await h.api(`/api/v1/routing/agents/${agent.id}/status`, { method: 'PUT', key: agentKey, body: { status: 'away' } }), 403, 'forbidden');
      assertError(await h.api(`/api/v1/routing/agents/${customer.id}/status`, { method: 'PUT', body: { status: 'online' } }), 400, 'not_an_agent');
      const { token } = await createSession(h.database.db, agent.id);
      const session = (await findSession(h.database.db, token))!;
      const asAda = { key: null, headers: { cookie: `pacer_session=${token}`, 'x-csrf-token': session.csrfToken } };
      const mine = bodyOf(await h.api(`/api/v1/routing/agents/${agent.id}/status`, { method: 'PUT', body: { status: 'away' }, ...asAda }), agentResponse);
      assert.equal(mine.status, 'away');
      assertError(await h.api(`/api/v1/routing/agents/${other.id}/status`, { method: 'PUT', body: { status: 'offline' }, ...asAda }), 403, 'forbidden');
      assert.equal(bodyOf(await h.api(`/api/v1/routing/agents/${other.id}`), agentResponse).status, 'offline');
      assert.deepEqual(heard.map((c) => ('status' in c ? c.status : c.cause)), ['online', 'away']);
    });

    it('signing out of the last session sets the agent offline (cause signed_out); of one of two, not', async () => {
      const signOut = async (token: string) => {
        const csrf = (await findSession(h.database.db, token))!.csrfToken;
        const res = await fetch(`${h.baseUrl}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: `pacer_session=${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf }).toString() });
        assert.equal(res.status, 303);
      };
      await h.api(`/api/v1/routing/agents/${other.id}/status`, { method: 'PUT', body: { status: 'online' } });
      const one = (await createSession(h.database.db, other.id)).token;
      const two = (await createSession(h.database.db, other.id)).token;
      heard.length = 0;
      await signOut(one);
      assert.equal(bodyOf(await h.api(`/api/v1/routing/agents/${other.id}`), agentResponse).status, 'online', 'still signed in elsewhere');
      assert.equal(heard.length, 0);
      await signOut(two);
      assert.equal(bodyOf(await h.api(`/api/v1/routing/agents/${other.id}`), agentResponse).status, 'offline');
      assert.deepEqual(heard.map((c) => [c.userId, c.cause]), [[other.id, 'signed_out']]);
    });
  });
});
