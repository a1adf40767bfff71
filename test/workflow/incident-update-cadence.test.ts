/**
 * The incident update cadence on Temporal's time-skipping test server with the real
 * activities on the real PostgreSQL test server: while active, a public update is owed every
 * `updateEveryMinutes`; the commander is reminded at 80% and the incident manager escalated
 * to at 100%, once per late cycle; each public update starts a new cycle, an internal one
 * does not, and resolution ends the cadence. A policy snapshot without the field owes none.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { createPacerWorker } from '../../src/app/worker';
import { AROUND_THE_CLOCK } from '../../src/db/repositories/incident-policies';
import { incidentActionSignal, incidentStateQuery, incidentWorkflowId, type IncidentAction, type IncidentPolicySnapshot, type IncidentWorkflowInput } from '../../workflows/contract/incident';
import type { Actor } from '../../workflows/contract/ticket';
import { eventually } from '../api/api-helpers';
import { workflowBundle } from '../support/api-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { timeSkippingServerPath } from '../support/env';

const commander: Actor = { type: 'agent', name: 'ic@corp.test' };

/** Medium severity's shape, with long clocks so only the cadence's ladder fires in these tests. */
function mediumPolicy(over: Partial<IncidentPolicySnapshot> = {}): IncidentPolicySnapshot {
  return {
    severity: 'medium',
    acknowledgeMinutes: 24 * 60,
    resolveMinutes: 72 * 60,
    calendar: AROUND_THE_CLOCK,
    acknowledgementEscalations: [{ percent: 100, actions: [{ type: 'notify', role: 'incident_manager' }] }],
    resolutionEscalations: [{ percent: 100, actions: [{ type: 'notify', role: 'incident_manager' }] }],
    postmortemRequired: false,
    postmortemReminderHours: [24],
    solveLinkedTickets: false,
    ...over,
  };
}

describe('incident workflow: update cadence (time skipping)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let taskQueue: string;
  let actionCalls: string[];
  let started: string[];

  before(async function () {
    this.timeout(120_000);
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
    database = await createTestDatabase();
  });
  after(async () => {
    await env?.teardown();
    await database?.drop();
  });
  beforeEach(() => {
    taskQueue = `cad-${crypto.randomBytes(4).toString('hex')}`;
    actionCalls = [];
    started = [];
  });
  afterEach(async () => {
    for (const id of started) await env.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  });

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
        runIncidentAction: async (input) => {
          actionCalls.push(`${input.stepId}#${input.actionIndex}`);
          return real.runIncidentAction(input);
        },
      },
    });
  }

  async function incidentInput(policy: IncidentPolicySnapshot): Promise<IncidentWorkflowInput> {
    const id = crypto.randomUUID();
    return {
      version: 1,
      incident: {
        id, number: `INC-TEST-${id.slice(0, 8)}`, title: 'Search is slow', description: 'p99 at 4 s', severity: 'medium', commander: commander.name, responders: [],
        impact: 'degraded', affectedComponents: [], affectedCustomers: null, sourceTicketId: null, createdBy: 'agent:riley',
        createdAt: new Date(Number(await env.currentTimeMs())).toISOString(),
      },
      policy,
    };
  }
  const start = async (input: IncidentWorkflowInput) => {
    started.push(incidentWorkflowId(input.incident.id));
    await env.client.workflow.start('incidentWorkflow', { workflowId: incidentWorkflowId(input.incident.id), taskQueue, args: [input] });
  };
  const update = (input: IncidentWorkflowInput, body: { status?: 'investigating' | 'resolved'; body?: string; public: boolean }) =>
    env.client.workflow.getHandle(incidentWorkflowId(input.incident.id)).signal(incidentActionSignal, { kind: 'update', actionId: crypto.randomUUID(), actor: commander, ...body } as IncidentAction);
  const state = (input: IncidentWorkflowInput) => env.client.workflow.getHandle(incidentWorkflowId(input.incident.id)).query(incidentStateQuery);
  const cadenceSteps = async (input: IncidentWorkflowInput) =>
    (await database.db.selectFrom('incident_events').selectAll().where('incident_id', '=', input.incident.id).orderBy('seq').execute())
      .filter((e) => (e.type === 'incident.escalation' || e.type === 'incident.sla_breached') && (e.data as { clock?: string }).clock === 'update')
      .map((e) => {
        const d = e.data as { cycle: number; percent: number; scheduledAt: string };
        return { type: e.type, cycle: d.cycle, percent: d.percent, lateMs: new Date(e.at).getTime() - Date.parse(d.scheduledAt) };
      });

  /** Cycle 0 answered late, an internal update that restarts nothing, cycle 1 answered in time, then resolution ends the cadence. */
  async function lateThenInTimeUpdates(input: Awaited<ReturnType<typeof incidentInput>>, created: number): Promise<void> {
    await start(input);
    await eventually(async () => (await state(input)).updateCadence !== null, 10_000, 'the cadence planned');
    const first = (await state(input)).updateCadence!;
    assert.equal(Date.parse(first.dueAt!), created + 30 * 60_000, 'owed from detection');
    await env.sleep('35 minutes'); // cycle 0 late: 80% at 24 min, 100% at 30 min
    await update(input, { status: 'investigating', body: 'Looking at the search cluster.', public: true }); // cycle 1
    await env.sleep('15 minutes');
    await update(input, { body: 'Shard 3 is hot.', public: false }); // internal: the cycle runs on
    await env.sleep('5 minutes');
    const mid = (await state(input)).updateCadence!;
    assert.equal(mid.cycle, 1);
    assert.equal(mid.metAt, null);
    await update(input, { body: 'Rebalancing shards.', public: true }); // 20 min into cycle 1: in time; cycle 2
    await env.sleep('10 minutes');
    await update(input, { status: 'resolved', body: 'Search is fast again.', public: true }); // ends the cadence
    await env.sleep('3 hours');
    const end = (await state(input)).updateCadence!;
    assert.equal(end.cycle, 2);
    assert.notEqual(end.metAt, null);
    assert.equal(end.breached, false);
  }

  it('reminds the commander at 80% and escalates at 100% of a late cycle, once; public updates restart it, internal ones do not; resolution ends it', async () => {
    const worker = await newWorker();
    const input = await incidentInput(mediumPolicy({ updateEveryMinutes: 30 }));
    const created = Date.parse(input.incident.createdAt);
    await worker.runUntil(() => lateThenInTimeUpdates(input, created));
    const steps = await cadenceSteps(input);
    assert.deepEqual(steps.map((s) => [s.type, s.cycle, s.percent]), [
      ['incident.escalation', 0, 80],
      ['incident.sla_breached', 0, 100],
    ]);
    // A timer counts from the completion of the task that set it; the 80% one is set by the first task of a
    // fresh worker, which took up to 2 s here on the shared machine (measured from the history), the later ones by fast tasks.
    for (const s of steps) assert.ok(s.lateMs < 3000, `update ${s.percent}% fired ${s.lateMs} ms late`);
    assert.deepEqual(actionCalls.filter((c) => c.startsWith('update')).sort(), ['update:0:100#0', 'update:0:80#0']);
  });

  it('a policy snapshot without updateEveryMinutes owes no updates', async () => {
    const worker = await newWorker();
    const input = await incidentInput(mediumPolicy());
    await worker.runUntil(async () => {
      await start(input);
      await env.sleep('3 hours');
      assert.equal((await state(input)).updateCadence, null);
    });
    assert.deepEqual(await cadenceSteps(input), []);
    assert.deepEqual(actionCalls.filter((c) => c.startsWith('update')), []);
  });
});
