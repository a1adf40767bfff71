/**
 * The ticket workflow on Temporal's time-skipping test server (the official Java server),
 * with the real activities writing to the real PostgreSQL test server: hour- and day-long
 * SLA clocks run at their real length in seconds. Actions go in as signals because the
 * time-skipping server has no updates; the API's update path is covered by the API tests.
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
import { act, NEW_YORK_9_TO_5, policy, ticketInput } from '../support/ticket-fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('ticket workflow (time skipping)', function () {
  this.timeout(120_000);
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
    taskQueue = `wf-${crypto.randomBytes(4).toString('hex')}`;
    actionCalls = [];
    started = [];
  });
  // A workflow left running would later wake with no worker to take its task, and the
  // time-skipping server does not skip time past an outstanding task: end each test's tickets.
  afterEach(async () => {
    for (const id of started) await env.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  });

  /**
   * A worker with the real activities, counting every ladder action it runs. No workflow
   * cache: every task replays the whole history (a determinism check on every step), and no
   * sticky queue outlives a stopped worker — the time-skipping server cannot time one out
   * while it holds time still for the task waiting on it.
   */
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

  async function start(input: TicketWorkflowInput) {
    started.push(ticketWorkflowId(input.ticket.id));
    return env.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue, args: [input] });
  }

  async function events(ticketId: string) {
    return database.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute();
  }

  async function signal(input: TicketWorkflowInput, action: TicketAction) {
    await env.client.workflow.getHandle(ticketWorkflowId(input.ticket.id)).signal(ticketActionSignal, action);
  }

  async function sla(input: TicketWorkflowInput) {
    const inputs = await env.client.workflow.getHandle(ticketWorkflowId(input.ticket.id)).query(slaInputsQuery);
    return describeSla(inputs, Number(await env.currentTimeMs()));
  }

  it('fires each ladder step once, at its instant, and records the breach at 100%', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: 240, resolutionMinutes: 10_000 }));
    const created = Date.parse(input.ticket.createdAt);
    await worker.runUntil(async () => {
      await start(input);
      await env.sleep('5 hours');
      const state = await sla(input);
      assert.equal(state.firstResponse!.dueAt, new Date(created + 4 * HOUR).toISOString());
    });
    const fr = (await events(input.ticket.id)).filter((e) => e.type.startsWith('sla.') && (e.data as { clock?: string }).clock === 'first_response');
    assert.deepEqual(fr.map((e) => [e.type, (e.data as { percent: number }).percent]), [
      ['sla.escalation', 80],
      ['sla.breached', 100],
      ['sla.escalation', 120],
    ]);
    for (const e of fr) {
      const scheduled = Date.parse((e.data as { scheduledAt: string }).scheduledAt);
      // Fired at its instant: the time-skipping server wakes the timer exactly there.
      assert.ok(new Date(e.at).getTime() - scheduled < 1000, `${e.type} ${(e.data as { percent: number }).percent}% fired late`);
    }
    assert.equal(Date.parse((fr[0]!.data as { scheduledAt: string }).scheduledAt), created + 192 * MIN);
    // One activity per action: 80% and 100% have one action each, 120% has two.
    assert.deepEqual(actionCalls.filter((c) => c.startsWith('first_response')).sort(), ['first_response:0:100#0', 'first_response:0:120#0', 'first_response:0:120#1', 'first_response:0:80#0']);
    const outcomes = (await events(input.ticket.id)).filter((e) => e.type.startsWith('action.'));
    assert.equal(outcomes.filter((e) => e.type === 'action.skipped').length, 1, 'page has no integration configured: skipped, not failed');
  });

  it('stops the first-response clock at the first public agent reply, not at an internal note', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: 60, resolutionMinutes: 10_000 }));
    await worker.runUntil(async () => {
      await start(input);
      await env.sleep('10 minutes');
      await signal(input, act.note());
      await env.sleep('10 minutes');
      await signal(input, act.reply());
      await env.sleep('3 hours');
      const state = await sla(input);
      assert.equal(state.firstResponse!.breached, false);
      assert.equal(state.status, 'open', 'the first agent reply opens a new ticket');
    });
    const row = await database.db.selectFrom('tickets').selectAll().where('id', '=', input.ticket.id).executeTakeFirstOrThrow();
    assert.ok(row.fr_met_at);
    assert.equal(new Date(row.fr_met_at).getTime() - Date.parse(input.ticket.createdAt) >= 20 * MIN, true);
    assert.equal((await events(input.ticket.id)).filter((e) => e.type.startsWith('sla.') && (e.data as { clock?: string }).clock === 'first_response').length, 0);
  });

  it('pauses resolution while pending and resumes with the exact remaining time', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: null, resolutionMinutes: 8 * 60 }));
    const created = Date.parse(input.ticket.createdAt);
    await worker.runUntil(async () => {
      await start(input);
      await env.sleep('1 hour');
      await signal(input, act.status('pending'));
      const paused = await sla(input);
      assert.equal(paused.resolution!.dueAt, null, 'due is unknown while paused');
      assert.ok(paused.resolution!.pausedSince);
      await env.sleep('10 hours'); // would have hit 80% and 100% had the clock run
      assert.equal((await events(input.ticket.id)).filter((e) => e.type.startsWith('sla.')).length, 0);
      await signal(input, act.customerReply()); // a customer reply resumes a pending ticket
      const resumed = await sla(input);
      const pausedFor = Date.parse(resumed.resolution!.dueAt!) - (created + 8 * HOUR);
      assert.ok(Math.abs(pausedFor - 10 * HOUR) < 5_000, `due moved by the pause (${pausedFor} ms)`);
      assert.equal(resumed.status, 'open');
      await env.sleep('8 hours');
    });
    const res = (await events(input.ticket.id)).filter((e) => e.type.startsWith('sla.'));
    // Resumed at 11 h with 7 h left: 80% comes 5.4 h and 100% 7 h after resuming; 120% (8.6 h) not yet.
    assert.deepEqual(res.map((e) => (e.data as { percent: number }).percent), [80, 100]);
  });

  it('re-targets both clocks from the ticket start when the priority changes', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: 24 * 60, resolutionMinutes: 72 * 60 }));
    const created = Date.parse(input.ticket.createdAt);
    await worker.runUntil(async () => {
      await start(input);
      await env.sleep('90 minutes');
      assert.equal((await events(input.ticket.id)).filter((e) => e.type === 'sla.breached').length, 0);
      await signal(input, act.retarget(policy({ firstResponseMinutes: 60, resolutionMinutes: 4 * 60 })));
      await env.sleep('1 minute');
      const state = await sla(input);
      assert.equal(state.firstResponse!.dueAt, new Date(created + HOUR).toISOString());
      assert.equal(state.resolution!.dueAt, new Date(created + 4 * HOUR).toISOString());
      assert.equal(state.priority, 'urgent');
    });
    // 80% and 100% of the new one-hour target were already behind: they fire at once, once.
    const fr = (await events(input.ticket.id)).filter((e) => e.type.startsWith('sla.') && (e.data as { clock?: string }).clock === 'first_response');
    assert.deepEqual(fr.map((e) => (e.data as { percent: number }).percent), [80, 100, 120]);
  });

  it('restarts the resolution clock when a customer reopens a solved ticket, and auto-closes 7 days after solved', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: null, resolutionMinutes: 8 * 60 }));
    await worker.runUntil(async () => {
      const handle = await start(input);
      await env.sleep('2 hours');
      await signal(input, act.status('solved'));
      await env.sleep('1 hour');
      await signal(input, act.customerReply('Still broken'));
      const reopened = await sla(input);
      assert.equal(reopened.status, 'open');
      assert.equal(reopened.resolution!.cycle, 1);
      assert.equal(Date.parse(reopened.resolution!.dueAt!) - Date.parse(reopened.resolution!.startedAt), 8 * HOUR, 'a fresh full target');
      await signal(input, act.status('solved'));
      await env.sleep('8 days');
      assert.deepEqual(await handle.result(), { status: 'closed' });
    });
    const types = (await events(input.ticket.id)).map((e) => e.type);
    assert.ok(types.includes('ticket.reopened'));
    const row = await database.db.selectFrom('tickets').select(['status', 'closed_at']).where('id', '=', input.ticket.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'closed');
  });

  it('runs a 10-business-day clock over weekends and a holiday at its real length', async () => {
    const worker = await newWorker();
    const now = Number(await env.currentTimeMs());
    const p = policy({ calendar: NEW_YORK_9_TO_5, firstResponseMinutes: null, resolutionMinutes: 10 * 8 * 60, escalations: [] });
    const input = ticketInput(organizationId, now, p);
    await worker.runUntil(async () => {
      await start(input);
      const planned = await sla(input);
      await env.sleep('30 days');
      const breach = (await events(input.ticket.id)).find((e) => e.type === 'sla.breached');
      assert.ok(breach, 'the breach was recorded');
      assert.equal((breach.data as { scheduledAt: string }).scheduledAt, planned.resolution!.dueAt);
      assert.ok(new Date(breach.at).getTime() - Date.parse(planned.resolution!.dueAt!) < 1000);
      // Ten 8-hour business days are at least 11 days and 8 hours of calendar time (Monday 09:00 to
      // the next week's Friday 17:00, one weekend); the test server's clock decides which day it starts on.
      assert.ok(Date.parse(planned.resolution!.dueAt!) - now >= (11 * 24 + 8) * HOUR);
    });
  });

  it('fires the rest of the ladder once after a worker restart in the middle of it', async () => {
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: 100, resolutionMinutes: 100_000 }));
    const first = await newWorker();
    await first.runUntil(async () => {
      await start(input);
      await env.sleep('90 minutes'); // 80% (80 min) has fired
    });
    assert.deepEqual(actionCalls, ['first_response:0:80#0']);
    // A new worker with an empty cache rebuilds the workflow from its history and carries on.
    const second = await newWorker();
    await second.runUntil(async () => {
      await env.sleep('30 minutes');
    });
    assert.deepEqual(actionCalls.sort(), ['first_response:0:100#0', 'first_response:0:120#0', 'first_response:0:120#1', 'first_response:0:80#0']);
    const steps = (await events(input.ticket.id)).filter((e) => e.type.startsWith('sla.'));
    assert.deepEqual(steps.map((e) => (e.data as { percent: number }).percent), [80, 100, 120]);
  });

  it('cancel ends the workflow cleanly', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy());
    await worker.runUntil(async () => {
      const handle = await start(input);
      await signal(input, act.status('cancelled'));
      assert.deepEqual(await handle.result(), { status: 'cancelled' });
    });
    const row = await database.db.selectFrom('tickets').select('status').where('id', '=', input.ticket.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'cancelled');
  });

  it('continues as new before its history grows large, keeping its clocks and ladder progress', async () => {
    const worker = await newWorker();
    const input = ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: 60, resolutionMinutes: 600 }), { historyLimit: 40 });
    await worker.runUntil(async () => {
      const handle = await start(input);
      await env.sleep('50 minutes'); // first-response 80% fired in the first run
      for (let i = 0; i < 15; i++) await signal(input, act.note(`note ${i}`));
      await env.sleep('1 minute');
      const description = await handle.describe();
      assert.notEqual(description.runId, handle.firstExecutionRunId, 'a new run took over');
      const state = await sla(input);
      assert.equal(state.firstResponse!.dueAt, new Date(Date.parse(input.ticket.createdAt) + HOUR).toISOString());
      await env.sleep('1 hour');
    });
    assert.deepEqual(actionCalls.filter((c) => c.startsWith('first_response')).sort(), ['first_response:0:100#0', 'first_response:0:120#0', 'first_response:0:120#1', 'first_response:0:80#0']);
    assert.equal((await database.db.selectFrom('comments').select('id').where('ticket_id', '=', input.ticket.id).execute()).length, 15);
  });
});
