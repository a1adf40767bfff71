/**
 * Routing end to end on the dev server with the real worker (updates, not signals): a ticket
 * created through the API matches a rule and is assigned by its group's workflow, with the
 * decision and the reason on the timeline; a ticket no rule matches is left alone; unassigned by
 * hand it is routed again; its agent going offline hands it back with the reason; a ticket
 * assigned by hand at creation stays where it is.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createOrg, createTicket, eventually, sleep } from './api-helpers';
import { userResponse } from '../../src/http/api/openapi/responses';
import { groupResponse, ruleResponse } from '../../src/http/api/routes/routing';
import { ticketResponse } from '../../src/http/api/openapi/responses';

describe('API: routing flow', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let org: { id: string };
  let ada: { id: string; email: string };
  let bo: { id: string; email: string };

  const user = async (email: string) => bodyOf(await h.api('/api/v1/users', { body: { email, name: email, role: 'agent', password: 'long enough pw' } }), userResponse, 201);
  const status = async (userId: string, s: 'online' | 'away' | 'offline') => {
    const res = await h.api(`/api/v1/routing/agents/${userId}/status`, { method: 'PUT', body: { status: s } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const assigneeOf = async (ticketId: string) => (await h.database.db.selectFrom('tickets').select('assignee').where('id', '=', ticketId).executeTakeFirstOrThrow()).assignee;
  const eventsOf = async (ticketId: string, type: string) =>
    (await h.database.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute()).filter((e) => e.type === type);
  const decisionsOf = (ticketId: string) => h.database.db.selectFrom('routing_decisions').selectAll().where('ticket_id', '=', ticketId).orderBy('at').orderBy('id').execute();

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    org = await createOrg(h, 'enterprise');
    ada = await user('ada@routing.test');
    bo = await user('bo@routing.test');
    const group = bodyOf(await h.api('/api/v1/routing/groups', { body: { name: 'Billing', strategy: 'least_loaded' } }), groupResponse, 201);
    for (const u of [ada, bo]) assert.equal((await h.api(`/api/v1/routing/groups/${group.id}/members`, { body: { userId: u.id } })).status, 201);
    bodyOf(await h.api('/api/v1/routing/rules', { body: { name: 'invoices to billing', groupId: group.id, conditions: { subjectWords: ['invoice'] } } }), ruleResponse, 201);
    await status(ada.id, 'online');
  });
  after(async () => h?.close());

  it('assigns a new ticket that matches a rule, saying why on the timeline and in the decisions', async () => {
    const t = await createTicket(h, { subject: 'Invoice shows the wrong total', organizationId: org.id, priority: 'high' });
    await eventually(async () => (await assigneeOf(t.id)) === ada.email, 30_000, 'routed to the agent online');
    const routed = await eventually(async () => (await eventsOf(t.id, 'ticket.routed'))[0], 10_000, 'the routed event');
    const data = routed.data as { agent: string; strategy: string; reason: { rule: string; summary: string } };
    assert.deepEqual([data.agent, data.strategy, data.reason.rule], [ada.email, 'least_loaded', 'invoices to billing']);
    assert.equal(routed.actor, 'system:routing');
    assert.deepEqual((await decisionsOf(t.id)).map((d) => d.kind), ['queued', 'assigned']);
    assert.deepEqual((await eventsOf(t.id, 'ticket.assigned')).map((e) => e.actor), ['system:routing']);
  });

  it('leaves alone a ticket no rule matches', async () => {
    const t = await createTicket(h, { subject: 'Password reset', organizationId: org.id });
    await sleep(2_000);
    assert.equal(await assigneeOf(t.id), null);
    assert.deepEqual(await decisionsOf(t.id), []);
  });

  it('respects an assignee given by hand at creation', async () => {
    const t = await createTicket(h, { subject: 'Invoice copy please', organizationId: org.id, assignee: 'lead@routing.test' });
    await sleep(2_000);
    assert.equal(await assigneeOf(t.id), 'lead@routing.test');
    assert.equal((await eventsOf(t.id, 'ticket.routed')).length, 0);
  });

  it('routes again a ticket unassigned by hand', async () => {
    const t = await createTicket(h, { subject: 'Second invoice question', organizationId: org.id });
    await eventually(async () => (await assigneeOf(t.id)) === ada.email, 30_000, 'first routing');
    bodyOf(await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { assignee: null } }), ticketResponse);
    await eventually(async () => (await eventsOf(t.id, 'ticket.routed')).length === 2, 30_000, 'routed again');
    assert.equal(await assigneeOf(t.id), ada.email);
    assert.deepEqual((await decisionsOf(t.id)).map((d) => d.kind).filter((k) => k === 'queued').length, 2);
  });

  it('an agent going offline hands their tickets to an agent online, with the reason on the timeline', async () => {
    const t = await createTicket(h, { subject: 'Invoice overdue', organizationId: org.id });
    await eventually(async () => (await assigneeOf(t.id)) === ada.email, 30_000, 'routed to ada');
    await status(bo.id, 'online');
    await status(ada.id, 'offline');
    await eventually(async () => (await assigneeOf(t.id)) === bo.email, 30_000, 'handed to bo');
    const released = await eventually(async () => (await eventsOf(t.id, 'ticket.routing_released'))[0], 10_000, 'the release event');
    const data = released.data as { agent: string; reason: { cause: string } };
    assert.deepEqual([data.agent, data.reason.cause], [ada.email, 'offline']);
    // Every ticket ada held went to bo (and routing is at rest before the harness stops its worker).
    await eventually(async () => (await h.database.db.selectFrom('tickets').select('id').where('assignee', '=', ada.email).where('status', 'in', ['new', 'open']).execute()).length === 0, 30_000, 'all of ada\'s tickets moved');
  });
});
