/**
 * The next-reply and update-cadence clocks in the ticket workflow on Temporal's time-skipping
 * test server, with the real activities on the real PostgreSQL test server: each cycle's
 * ladder steps fire once, at their instants, and only for the cycle that was late; tickets
 * whose snapshot predates the clocks have none until a re-target brings them. Actions go in
 * as signals (the time-skipping server has no updates).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { createPacerWorker } from '../../src/app/worker';
import { slaInputsQuery, ticketActionSignal, ticketWorkflowId, type TicketAction, type TicketWorkflowInput } from '../../workflows/contract/ticket';
import { describeSla } from '../../workflows/ticket/sla-state';
import { workflowBundle } from '../support/api-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { timeSkippingServerPath } from '../support/env';
import { act, NOTIFY_LADDER, policy, ticketInput } from '../support/ticket-fixtures';

const MIN = 60_000;

describe('ticket workflow: next-reply and update clocks (time skipping)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let organizationId: string;
  let taskQueue: string;
  let actionCalls: string[];
  let started: string[];

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
  beforeEach(() => {
    taskQueue = `rc-${crypto.randomBytes(4).toString('hex')}`;
    actionCalls = [];
    started = [];
  });
  afterEach(async () => {
    for (const id of started) await env.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  });

  /** No workflow cache: every task replays the whole history, a determinism check on every step. */
  async function newWorker(): Promise<Worker> {
    const real: Activities = createActivities({ db: database.db });
    return createPacerWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      db: database.db,
      workflowBundle: await workflowBundle(),
      workflowCacheSize: 0,
      activities: {
        runLadderAction: async (input) => {
          actionCalls.push(`${input.stepId}#${input.actionIndex}`);
          return real.runLadderAction(input);
        },
      },
    });
  }

  const start = async (input: TicketWorkflowInput) => {
    started.push(ticketWorkflowId(input.ticket.id));
    await env.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue, args: [input] });
  };
  const signal = (input: TicketWorkflowInput, action: TicketAction) => env.client.workflow.getHandle(ticketWorkflowId(input.ticket.id)).signal(ticketActionSignal, action);
  const sla = async (input: TicketWorkflowInput) => describeSla(await env.client.workflow.getHandle(ticketWorkflowId(input.ticket.id)).query(slaInputsQuery), Number(await env.currentTimeMs()));
  const row = (input: TicketWorkflowInput) => database.db.selectFrom('tickets').selectAll().where('id', '=', input.ticket.id).executeTakeFirstOrThrow();
  /** The ladder events of one clock, as [type, cycle, percent], in order. */
  const ladderOf = async (input: TicketWorkflowInput, clock: string) =>
    (await database.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', input.ticket.id).orderBy('seq').execute())
      .filter((e) => e.type.startsWith('sla.') && (e.data as { clock?: string }).clock === clock)
      .map((e) => {
        const d = e.data as { cycle: number; percent: number; scheduledAt: string };
        return { type: e.type, cycle: d.cycle, percent: d.percent, lateMs: new Date(e.at).getTime() - Date.parse(d.scheduledAt) };
      });

  /** Cycle 0 of the next-reply clock answered late (past 80%, 100% and 120%), cycle 1 answered before its 80%. */
  async function lateCycleThenCycleInTime(input: TicketWorkflowInput, created: number): Promise<void> {
    await start(input);
    await env.sleep('10 minutes');
    await signal(input, act.reply()); // first response
    await env.sleep('10 minutes');
    await signal(input, act.customerReply()); // cycle 0 from ~20 min, due 60 min later
    await env.sleep('5 minutes');
    await signal(input, act.customerReply()); // while cycle 0 runs: no new cycle
    const running = await sla(input);
    assert.equal(running.nextReply!.length, 1);
    const cycle0Start = Date.parse(running.nextReply![0]!.startedAt);
    assert.ok(cycle0Start - created >= 20 * MIN && cycle0Start - created < 21 * MIN);
    assert.equal(Date.parse(running.nextReply![0]!.dueAt!), cycle0Start + 60 * MIN);
    assert.equal((await row(input)).nr_due_at?.getTime(), cycle0Start + 60 * MIN, 'the row carries the running cycle for the lists');
    await env.sleep('2 hours'); // past 80%, 100% and 120% of cycle 0
    await signal(input, act.reply()); // meets cycle 0, late
    await env.sleep('5 minutes');
    await signal(input, act.customerReply()); // cycle 1
    await env.sleep('30 minutes');
    await signal(input, act.reply()); // meets cycle 1 before its 80%
    await env.sleep('3 hours');
    const state = await sla(input);
    assert.deepEqual(state.nextReply!.map((c) => [c.cycle, c.breached, c.metAt !== null]), [[0, true, true], [1, false, true]]);
  }

  it('fires a late next-reply cycle\'s ladder once, at its instants, and nothing for a cycle answered in time', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: 60, resolutionMinutes: 100_000, nextReplyMinutes: 60, nextReplyEscalations: NOTIFY_LADDER }));
    const created = Date.parse(input.ticket.createdAt);
    await worker.runUntil(() => lateCycleThenCycleInTime(input, created));
    const steps = await ladderOf(input, 'next_reply');
    assert.deepEqual(steps.map((s) => [s.type, s.cycle, s.percent]), [
      ['sla.escalation', 0, 80],
      ['sla.breached', 0, 100],
      ['sla.escalation', 0, 120],
    ]);
    for (const s of steps) assert.ok(s.lateMs < 1000, `next_reply ${s.percent}% fired ${s.lateMs} ms late`);
    assert.deepEqual(actionCalls.filter((c) => c.startsWith('next_reply')).sort(), ['next_reply:0:100#0', 'next_reply:0:120#0', 'next_reply:0:120#1', 'next_reply:0:80#0']);
    const r = await row(input);
    assert.equal(r.nr_breaches, 1, 'one cycle answered late');
    assert.equal(r.nr_due_at, null, 'no cycle runs');
  });

  it('a ticket whose snapshot has no next-reply field keeps two clocks; the re-target that brings one fires the running cycle\'s past steps at once, once', async () => {
    const worker = await newWorker();
    const old = policy({ firstResponseMinutes: 60, resolutionMinutes: 100_000 });
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), old);
    await worker.runUntil(async () => {
      await start(input);
      await env.sleep('10 minutes');
      await signal(input, act.reply());
      await env.sleep('10 minutes');
      await signal(input, act.customerReply());
      await env.sleep('2 hours');
      assert.equal((await sla(input)).nextReply, null);
      assert.deepEqual(await ladderOf(input, 'next_reply'), []);
      await signal(input, act.retarget({ ...old, nextReplyMinutes: 60, nextReplyEscalations: NOTIFY_LADDER }));
      await env.sleep('1 hour');
      const state = await sla(input);
      assert.equal(state.nextReply!.length, 1);
      assert.equal(state.nextReply![0]!.breached, true);
    });
    const steps = await ladderOf(input, 'next_reply');
    assert.deepEqual(steps.map((s) => [s.type, s.cycle, s.percent]), [
      ['sla.escalation', 0, 80],
      ['sla.breached', 0, 100],
      ['sla.escalation', 0, 120],
    ]);
    assert.equal(actionCalls.filter((c) => c.startsWith('next_reply')).length, 4, 'each action of the three steps once');
  });

  it('reminds at 80% and escalates at 100% of the update cadence while open, restarts at each public update, and owes nothing while pending', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: 60, resolutionMinutes: 100_000, updateEveryMinutes: 60 }));
    await worker.runUntil(async () => {
      await start(input);
      await env.sleep('10 minutes');
      await signal(input, act.reply()); // open: cadence cycle 0 from ~10 min
      await env.sleep('75 minutes'); // past 80% (48 min) and 100% (60 min) of cycle 0
      await signal(input, act.reply()); // an update: cycle 1
      await env.sleep('20 minutes');
      await signal(input, act.status('pending')); // nothing owed while waiting on the customer
      await env.sleep('3 hours');
      const state = await sla(input);
      assert.equal(state.updateCadence!.cycle, 1);
      assert.notEqual(state.updateCadence!.metAt, null, 'pending ended the cycle');
      assert.equal(state.updateCadence!.breached, false);
    });
    const steps = await ladderOf(input, 'update');
    assert.deepEqual(steps.map((s) => [s.type, s.cycle, s.percent]), [
      ['sla.escalation', 0, 80],
      ['sla.breached', 0, 100],
    ]);
    for (const s of steps) assert.ok(s.lateMs < 1000, `update ${s.percent}% fired ${s.lateMs} ms late`);
    assert.deepEqual(actionCalls.filter((c) => c.startsWith('update')).sort(), ['update:0:100#0', 'update:0:80#0']);
    const outcomes = (await database.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', input.ticket.id).execute()).filter((e) => e.type === 'action.done');
    assert.ok(outcomes.some((e) => JSON.stringify(e.data).includes('assignee')), 'the 80% step reminded the assignee');
  });
});
