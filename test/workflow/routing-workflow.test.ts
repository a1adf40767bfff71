/**
 * The routing workflow on Temporal's time-skipping test server, with the real activities on
 * the real PostgreSQL test server and real ticket workflows: deadline-aware order with capacity
 * respected, shift-end re-routing with the reason on the timeline, a worker lost in the middle of
 * an assignment (one assignment, one decision, one event), and a manual assignment respected.
 * The routing workflow signals its decisions to the tickets' workflows and settles them on a
 * later pass; the manual assignments here go in as signals too.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { createPacerWorker } from '../../src/app/worker';
import { addGroupMember, insertRoutingGroup, type RoutingGroupFields } from '../../src/db/repositories/routing-groups';
import { setAgentStatus, upsertAgentProfile, type AgentProfileFields } from '../../src/db/repositories/routing-agents';
import { setTicketRouting } from '../../src/db/repositories/routing-decisions';
import { agentChangedSignal, routeTicketSignal, routingWorkflowId } from '../../workflows/contract/routing';
import { ticketActionSignal, ticketWorkflowId, type TicketAction, type TicketWorkflowInput } from '../../workflows/contract/ticket';
import type { CalendarSpec, Weekday } from '../../workflows/contract/sla';
import { workflowBundle } from '../support/api-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { timeSkippingServerPath } from '../support/env';
import { policy, ticketInput } from '../support/ticket-fixtures';

const HOUR = 3_600_000;
const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('routing workflow (time skipping)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let organizationId: string;
  let taskQueue: string;
  const started: string[] = [];

  before(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
    database = await createTestDatabase();
    organizationId = crypto.randomUUID();
    await database.db.insertInto('organizations').values({ id: organizationId, name: 'Acme', tier: 'enterprise', email_domains: '[]' }).execute();
  });
  after(async () => {
    await env?.teardown();
    await database?.drop();
  });
  afterEach(async () => {
    for (const id of started.splice(0)) await env.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  });

  async function newWorker(activities: Partial<Activities> = {}): Promise<Worker> {
    return createPacerWorker({
      connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, db: database.db,
      workflowBundle: await workflowBundle(), workflowCacheSize: 0, activities,
    });
  }
  const db = () => database.db;
  const now = async () => Number(await env.currentTimeMs());

  async function newGroup(over: Partial<RoutingGroupFields> = {}): Promise<string> {
    const id = crypto.randomUUID();
    await insertRoutingGroup(db(), id, { name: `group-${id.slice(0, 8)}`, strategy: 'deadline_aware', releaseOnOffline: true, awayReleaseMinutes: null, releaseOnShiftEnd: true, answerMinutes: 30, ...over });
    return id;
  }
  async function newAgent(groupId: string, status: 'online' | 'offline', over: Partial<AgentProfileFields> = {}): Promise<{ id: string; email: string }> {
    const id = crypto.randomUUID();
    const email = `agent-${id.slice(0, 8)}@pacer.test`;
    await db().insertInto('users').values({ id, email, name: email, role: 'agent', organization_id: null, password_hash: 'x', disabled_at: null }).execute();
    await upsertAgentProfile(db(), id, { capacity: 5, capacityByPriority: {}, calendarId: null, daysOff: [], languages: [], skills: [], ...over });
    await setAgentStatus(db(), id, status, new Date(await now()));
    await addGroupMember(db(), groupId, id);
    return { id, email };
  }
  async function setStatus(groupId: string, userId: string, status: 'online' | 'offline') {
    await setAgentStatus(db(), userId, status, new Date(await now()));
    await env.client.workflow.getHandle(routingWorkflowId(groupId)).signal(agentChangedSignal, { userId });
  }
  /** A calendar open from now until `hours` from now (UTC), every week on those weekdays. */
  async function shiftEndingIn(hours: number): Promise<string> {
    const from = await now();
    const to = from + hours * HOUR;
    const weekly: CalendarSpec['weekly'] = {};
    const dayOf = (ms: number) => WEEKDAYS[new Date(ms).getUTCDay()]!;
    if (dayOf(from) === dayOf(to)) weekly[dayOf(from)] = [['00:00', hhmm(to)]];
    else {
      weekly[dayOf(from)] = [['00:00', '24:00']];
      weekly[dayOf(to)] = [['00:00', hhmm(to)]];
    }
    const id = crypto.randomUUID();
    await db().insertInto('calendars').values({ id, name: `shift-${id.slice(0, 8)}`, timezone: 'UTC', weekly: JSON.stringify(weekly), holidays: '[]' }).execute();
    return id;
  }
  /** A ticket workflow with a resolution clock of `resolutionMinutes`, in the group's queue. */
  async function newTicket(groupId: string, resolutionMinutes: number): Promise<TicketWorkflowInput> {
    const input = ticketInput(organizationId, await now(), policy({ firstResponseMinutes: null, resolutionMinutes, escalations: [] }));
    started.push(ticketWorkflowId(input.ticket.id));
    await env.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue, args: [input] });
    await waitFor(async () => (await db().selectFrom('tickets').select('id').where('id', '=', input.ticket.id).executeTakeFirst()) !== undefined, 'the ticket row');
    await setTicketRouting(db(), input.ticket.id, groupId, []);
    return input;
  }
  async function route(groupId: string, ticketId: string) {
    if (!started.includes(routingWorkflowId(groupId))) started.push(routingWorkflowId(groupId));
    await env.client.workflow.signalWithStart('routingWorkflow', {
      workflowId: routingWorkflowId(groupId), taskQueue, args: [{ groupId }], signal: routeTicketSignal, signalArgs: [{ ticketId, reason: 'new' }],
    });
  }
  const assigneeOf = async (ticketId: string) => (await db().selectFrom('tickets').select('assignee').where('id', '=', ticketId).executeTakeFirstOrThrow()).assignee;
  const eventsOf = async (ticketId: string, type: string) =>
    (await db().selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute()).filter((e) => e.type === type);
  const decisionsOf = (ticketId: string) => db().selectFrom('routing_decisions').selectAll().where('ticket_id', '=', ticketId).orderBy('at').orderBy('id').execute();

  /** A worker whose activity `name` does its work, then fails as if the worker were lost; `workerLost` settles when it has. */
  async function workerLostAfter(name: 'decideRoutedAssignments' | 'settleRoutedActions'): Promise<{ worker: Worker; workerLost: Promise<void>; attempts: () => number }> {
    const real = createActivities({ db: database.db });
    let attempts = 0;
    let lost!: () => void;
    const workerLost = new Promise<void>((resolve) => (lost = resolve));
    const losing: Partial<Activities> = {
      decideRoutedAssignments: async (input) => {
        const decided = await real.decideRoutedAssignments(input);
        if (name !== 'decideRoutedAssignments' || !decided.includes('decided') || attempts > 0) return decided;
        attempts += 1;
        lost();
        throw new Error('worker lost after deciding (test)');
      },
      settleRoutedActions: async (input) => {
        const settled = await real.settleRoutedActions(input);
        if (name !== 'settleRoutedActions' || !settled.outcomes.includes('assigned') || attempts > 0) return settled;
        attempts += 1;
        lost();
        throw new Error('worker lost after the assignment landed (test)');
      },
    };
    const worker = await newWorker(losing);
    return { worker, workerLost, attempts: () => attempts };
  }
  /** One ticket.routed by the deadline-aware strategy whose reason names at most `minutes` of business time left, and one decision. */
  async function assertRoutedOnceWithTimeLeft(ticketId: string, minutes: number) {
    const routed = await eventsOf(ticketId, 'ticket.routed');
    assert.equal(routed.length, 1);
    const data = routed[0]!.data as { strategy: string; reason: { businessMinutesLeft: number; summary: string } };
    assert.equal(data.strategy, 'deadline_aware');
    assert.ok(data.reason.businessMinutesLeft <= minutes, 'the reason names the time left');
    const decisions = await decisionsOf(ticketId);
    assert.deepEqual(decisions.map((d) => d.kind), ['assigned']);
  }
  /** Released from `leaving` for shift_end on the timeline, then routed to `staying`: the decisions and assignments in that order. */
  async function assertHandedOverAtShiftEnd(ticketId: string, leaving: string, staying: string) {
    const released = await eventsOf(ticketId, 'ticket.routing_released');
    assert.equal(released.length, 1);
    const data = released[0]!.data as { agent: string; reason: { cause: string; summary: string } };
    assert.equal(data.agent, leaving);
    assert.equal(data.reason.cause, 'shift_end');
    assert.deepEqual((await eventsOf(ticketId, 'ticket.routed')).map((e) => (e.data as { agent: string }).agent), [leaving, staying]);
    assert.deepEqual((await decisionsOf(ticketId)).map((d) => d.kind), ['assigned', 'released', 'assigned']);
    assert.deepEqual((await eventsOf(ticketId, 'ticket.assigned')).map((e) => (e.data as { to: string | null }).to), [leaving, null, staying]);
  }

  beforeEach(() => {
    taskQueue = `routing-wf-${crypto.randomBytes(4).toString('hex')}`;
  });

  it('deadline-aware: the least time left goes first, and no agent takes more than their capacity', async () => {
    const worker = await newWorker();
    await worker.runUntil(async () => {
      const groupId = await newGroup();
      const a = await newAgent(groupId, 'offline', { capacity: 2 });
      const b = await newAgent(groupId, 'offline', { capacity: 1 });
      const late = await newTicket(groupId, 600);
      const soon = await newTicket(groupId, 60);
      const mid = await newTicket(groupId, 180);
      const soonest = await newTicket(groupId, 45);
      for (const t of [late, soon, mid, soonest]) await route(groupId, t.ticket.id);
      await env.sleep('1 minute');
      for (const t of [late, soon, mid, soonest]) assert.equal(await assigneeOf(t.ticket.id), null, 'nobody online yet');
      // Both come online at once: one pass plans the whole queue.
      await setAgentStatus(db(), a.id, 'online', new Date(await now()));
      await setStatus(groupId, b.id, 'online');
      await waitFor(async () => (await assigneeOf(mid.ticket.id)) !== null, 'the third-soonest assigned');
      await env.sleep('1 minute');
      assert.equal(await assigneeOf(late.ticket.id), null, 'the latest deadline waits: three places for four tickets');
      const holders = await Promise.all([soonest, soon, mid].map((t) => assigneeOf(t.ticket.id)));
      assert.equal(holders.filter((h) => h === a.email).length, 2, 'a holds two (capacity 2)');
      assert.equal(holders.filter((h) => h === b.email).length, 1, 'b holds one (capacity 1)');
      await assertRoutedOnceWithTimeLeft(soonest.ticket.id, 45);
    });
  });

  it('re-routes at shift end the tickets due before the agent is back, with the reason on the timeline', async () => {
    const worker = await newWorker();
    await worker.runUntil(async () => {
      const groupId = await newGroup();
      const leaving = await newAgent(groupId, 'online', { calendarId: await shiftEndingIn(2) });
      const staying = await newAgent(groupId, 'offline');
      const t = await newTicket(groupId, 8 * 60);
      await route(groupId, t.ticket.id);
      await waitFor(async () => (await assigneeOf(t.ticket.id)) === leaving.email, 'assigned to the agent on shift');
      await setStatus(groupId, staying.id, 'online');
      await env.sleep('1 minute');
      assert.equal(await assigneeOf(t.ticket.id), leaving.email, 'still theirs while the shift lasts');
      await env.sleep('2 hours');
      await waitFor(async () => (await assigneeOf(t.ticket.id)) === staying.email, 're-routed to the agent still working');
      await assertHandedOverAtShiftEnd(t.ticket.id, leaving.email, staying.email);
    });
  });

  /** Routes one ticket on a worker lost after `name`, then finishes on a second worker: the ticket's id and its agent's email. */
  async function routedAcrossALostWorker(name: 'decideRoutedAssignments' | 'settleRoutedActions'): Promise<{ ticketId: string; agent: string; attempts: number }> {
    const { worker: first, workerLost, attempts } = await workerLostAfter(name);
    const groupId = await newGroup({ strategy: 'least_loaded' });
    const a = await newAgent(groupId, 'online');
    let ticketId = '';
    await first.runUntil(async () => {
      const t = await newTicket(groupId, 240);
      ticketId = t.ticket.id;
      await route(groupId, ticketId);
      await workerLost;
    });
    const second = await newWorker();
    await second.runUntil(async () => {
      await waitFor(async () => (await eventsOf(ticketId, 'ticket.routed')).length > 0, 'the retry finished the assignment');
      await env.sleep('10 minutes');
    });
    return { ticketId, agent: a.email, attempts: attempts() };
  }
  /** Assigned to `agent` once: one ticket.assigned, one ticket.routed, one decision. */
  async function assertAssignedOnce(ticketId: string, agent: string) {
    assert.equal(await assigneeOf(ticketId), agent);
    assert.equal((await eventsOf(ticketId, 'ticket.assigned')).length, 1, 'the ticket was assigned once');
    assert.equal((await eventsOf(ticketId, 'ticket.routed')).length, 1);
    assert.deepEqual((await decisionsOf(ticketId)).map((d) => d.kind), ['assigned']);
  }

  it('a worker lost right after the decision was recorded, before the signal: assigned once, one decision, one event', async () => {
    const { ticketId, agent, attempts } = await routedAcrossALostWorker('decideRoutedAssignments');
    assert.equal(attempts, 1);
    await assertAssignedOnce(ticketId, agent);
  });

  it('a worker lost right after the assignment landed: assigned once, one decision, one event', async () => {
    const { ticketId, agent, attempts } = await routedAcrossALostWorker('settleRoutedActions');
    assert.equal(attempts, 1);
    await assertAssignedOnce(ticketId, agent);
  });

  it('respects a manual assignment made while the ticket waited', async () => {
    const worker = await newWorker();
    await worker.runUntil(async () => {
      const groupId = await newGroup({ strategy: 'round_robin' });
      const a = await newAgent(groupId, 'offline');
      const t = await newTicket(groupId, 240);
      await route(groupId, t.ticket.id);
      await env.sleep('1 minute');
      const manual: TicketAction = { kind: 'assign', actionId: crypto.randomUUID(), actor: { type: 'agent', name: 'lead' }, assignee: 'lead@pacer.test' };
      await env.client.workflow.getHandle(ticketWorkflowId(t.ticket.id)).signal(ticketActionSignal, manual);
      await waitFor(async () => (await assigneeOf(t.ticket.id)) === 'lead@pacer.test', 'the manual assignment');
      await setStatus(groupId, a.id, 'online');
      await env.sleep('10 minutes');
      assert.equal(await assigneeOf(t.ticket.id), 'lead@pacer.test');
      assert.equal((await eventsOf(t.ticket.id, 'ticket.routed')).length, 0);
      assert.deepEqual(await decisionsOf(t.ticket.id), []);
    });
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}
