/**
 * The routing tables and their repositories on real PostgreSQL: defaults, constraints (a
 * capacity below zero, an unknown status, a duplicate rule position are refused by the store
 * itself), the deferred position constraint that lets a reorder swap, loads by priority, and
 * decisions written once.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { addGroupMember, countRulesOfGroup, deleteRoutingGroup, findRoutingGroup, findRoutingGroupByName, listRoutingGroups, groupIdsOfUser, insertRoutingGroup, listGroupMembers, removeGroupMember, updateRoutingGroup } from '../../src/db/repositories/routing-groups';
import { deleteRoutingRule, findRoutingRule, insertRoutingRule, listEnabledRoutingRules, listRoutingRules, lockRuleOrder, setRuleOrder, updateRoutingRule } from '../../src/db/repositories/routing-rules';
import { findAgentProfile, groupAgentsWithProfiles, listAgentsWithProfiles, loadsOfAssignees, lockAgentProfiles, markRoundRobinPick, setAgentStatus, upsertAgentProfile } from '../../src/db/repositories/routing-agents';
import { decisionsOfTicket, insertRoutingDecision, setTicketRouting, unassignedOfGroup } from '../../src/db/repositories/routing-decisions';

const group = { strategy: 'deadline_aware' as const, releaseOnOffline: true, awayReleaseMinutes: null, releaseOnShiftEnd: true, answerMinutes: 30 };

describe('routing repositories', () => {
  let t: TestDatabase;
  const orgId = crypto.randomUUID();
  const agentId = crypto.randomUUID();
  const otherId = crypto.randomUUID();

  async function ticket(priority: string, assignee: string | null, status = 'open'): Promise<string> {
    const id = crypto.randomUUID();
    await sql`insert into tickets (id, number, subject, description, priority, status, channel, requester_email, assignee, organization_id, workflow_id, state_version, created_at, updated_at)
      values (${id}, ${'TKT-' + id.slice(0, 8)}, 'subject', 'd', ${priority}, ${status}, 'api', 'c@example.com', ${assignee}, ${orgId}, ${'ticket:' + id}, 1, now(), now())`.execute(t.db);
    return id;
  }

  before(async () => {
    t = await createTestDatabase();
    await t.db.insertInto('organizations').values({ id: orgId, name: 'Org', tier: 'enterprise', email_domains: '[]' }).execute();
    for (const [id, email] of [[agentId, 'a@pacer.test'], [otherId, 'b@pacer.test']] as const) {
      await t.db.insertInto('users').values({ id, email, name: email, role: 'agent', organization_id: null, password_hash: 'x', disabled_at: null }).execute();
    }
  });
  after(async () => t.drop());

  it('keeps groups with unique names and members both ways', async () => {
    const g = await insertRoutingGroup(t.db, crypto.randomUUID(), { name: 'Billing', ...group });
    assert.equal(g.strategy, 'deadline_aware');
    assert.equal(g.answer_minutes, 30);
    await assert.rejects(insertRoutingGroup(t.db, crypto.randomUUID(), { name: 'Billing', ...group }));
    await assert.rejects(insertRoutingGroup(t.db, crypto.randomUUID(), { name: 'Bad', ...group, strategy: 'random' as never }));
    const changed = await updateRoutingGroup(t.db, g.id, { name: 'Billing', ...group, strategy: 'round_robin', awayReleaseMinutes: 15 });
    assert.equal(changed?.away_release_minutes, 15);
    await addGroupMember(t.db, g.id, agentId);
    await addGroupMember(t.db, g.id, agentId);
    assert.deepEqual((await listGroupMembers(t.db, g.id)).map((m) => m.email), ['a@pacer.test']);
    assert.deepEqual(await groupIdsOfUser(t.db, agentId), [g.id]);
    assert.equal(await removeGroupMember(t.db, g.id, agentId), true);
    assert.equal(await removeGroupMember(t.db, g.id, agentId), false);
    assert.equal((await findRoutingGroupByName(t.db, 'Billing'))?.id, g.id);
    assert.equal((await findRoutingGroup(t.db, g.id))?.name, 'Billing');
    assert.deepEqual((await listRoutingGroups(t.db)).map((x) => x.name), ['Billing']);
  });

  it('saves profiles with defaults, refuses a negative capacity, and moves status_since only on a change', async () => {
    assert.equal(await findAgentProfile(t.db, agentId), undefined);
    const at = new Date('2026-12-03T08:00:00Z');
    const first = await setAgentStatus(t.db, agentId, 'online', at);
    assert.equal(first.changed, true);
    assert.equal(first.row.capacity, 5);
    assert.deepEqual(first.row.skills, []);
    const again = await setAgentStatus(t.db, agentId, 'online', new Date('2026-12-03T09:00:00Z'));
    assert.equal(again.changed, false);
    assert.equal(again.row.status_since.toISOString(), at.toISOString());
    const p = await upsertAgentProfile(t.db, agentId, { capacity: 3, capacityByPriority: { urgent: 1 }, calendarId: null, daysOff: ['2026-12-24'], languages: ['en', 'de'], skills: [{ name: 'billing', level: 4 }] });
    assert.equal(p.status, 'online');
    assert.deepEqual(p.capacity_by_priority, { urgent: 1 });
    await assert.rejects(upsertAgentProfile(t.db, agentId, { capacity: -1, capacityByPriority: {}, calendarId: null, daysOff: [], languages: [], skills: [] }));
    await assert.rejects(setAgentStatus(t.db, agentId, 'lunch' as never, at));
    await t.db.transaction().execute(async (tx) => {
      assert.equal((await lockAgentProfiles(tx, [agentId]))[0]?.capacity, 3);
      await markRoundRobinPick(tx, agentId, at);
    });
    assert.equal((await findAgentProfile(t.db, agentId))?.round_robin_at?.toISOString(), at.toISOString());
    const all = await listAgentsWithProfiles(t.db);
    assert.equal(all.find((a) => a.user_id === agentId)?.profile?.capacity, 3);
    assert.equal(all.find((a) => a.user_id === otherId)?.profile, null);
  });

  it('keeps rules in a dense order, reorders by swapping inside a transaction, and refuses a duplicate position', async () => {
    const g = await insertRoutingGroup(t.db, crypto.randomUUID(), { name: 'Rules group', ...group });
    const fields = { enabled: true, conditions: { priorities: ['urgent'] }, groupId: g.id, requiredSkills: [{ name: 'billing', minLevel: 2 }] };
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      ids.push((await t.db.transaction().execute(async (tx) => { await lockRuleOrder(tx); return insertRoutingRule(tx, crypto.randomUUID(), { name, ...fields }); })).id);
    }
    assert.deepEqual((await listRoutingRules(t.db)).map((r) => r.position), [0, 1, 2]);
    await t.db.transaction().execute(async (tx) => { await lockRuleOrder(tx); await setRuleOrder(tx, [ids[2]!, ids[0]!, ids[1]!]); });
    assert.deepEqual((await listRoutingRules(t.db)).map((r) => r.name), ['three', 'one', 'two']);
    await assert.rejects(t.db.updateTable('routing_rules').set({ position: 0 }).where('id', '=', ids[0]!).execute());
    await updateRoutingRule(t.db, ids[1]!, { name: 'two', ...fields, enabled: false });
    assert.deepEqual((await listEnabledRoutingRules(t.db)).map((r) => r.name), ['three', 'one']);
    assert.equal(await countRulesOfGroup(t.db, g.id), 3);
    await assert.rejects(deleteRoutingGroup(t.db, g.id));
    assert.equal(await deleteRoutingRule(t.db, ids[2]!), true);
    assert.deepEqual((await listRoutingRules(t.db)).map((r) => [r.name, r.position]), [['one', 0], ['two', 1]]);
    assert.equal(await deleteRoutingRule(t.db, ids[2]!), false);
    assert.equal((await findRoutingRule(t.db, ids[0]!))?.position, 0);
  });

  it('counts open loads by priority, lists a group\'s unassigned queue, and writes a decision once', async () => {
    const g = await insertRoutingGroup(t.db, crypto.randomUUID(), { name: 'Queue', ...group });
    await addGroupMember(t.db, g.id, agentId);
    await ticket('urgent', 'a@pacer.test');
    await ticket('urgent', 'a@pacer.test');
    await ticket('normal', 'a@pacer.test');
    await ticket('normal', 'a@pacer.test', 'solved');
    const loads = await loadsOfAssignees(t.db, ['a@pacer.test', 'b@pacer.test']);
    assert.deepEqual(loads.get('a@pacer.test'), { total: 3, byPriority: { urgent: 2, normal: 1 } });
    assert.deepEqual(loads.get('b@pacer.test'), { total: 0, byPriority: {} });
    const queued = await ticket('high', null);
    await setTicketRouting(t.db, queued, g.id, [{ name: 'billing', minLevel: 2 }]);
    const queue = await unassignedOfGroup(t.db, g.id);
    assert.deepEqual(queue.map((q) => [q.id, q.required_skills]), [[queued, [{ name: 'billing', minLevel: 2 }]]]);
    const d = { id: `route:${queued}:1`, ticketId: queued, groupId: g.id, kind: 'assigned' as const, agentUserId: agentId, strategy: 'deadline_aware', reason: { deadline: 'x' }, at: new Date() };
    assert.equal(await insertRoutingDecision(t.db, d), true);
    assert.equal(await insertRoutingDecision(t.db, d), false);
    const decisions = await decisionsOfTicket(t.db, queued);
    assert.deepEqual(decisions.map((x) => [x.kind, x.group_name, x.agent_email, x.reason]), [['assigned', 'Queue', 'a@pacer.test', { deadline: 'x' }]]);
    assert.equal((await groupAgentsWithProfiles(t.db, g.id))[0]?.profile?.capacity, 3);
  });
});
