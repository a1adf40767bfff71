/**
 * The incident workflow on Temporal's time-skipping test server (the official Java server)
 * with the real activities on the real PostgreSQL test server, PagerDuty through pdjs to the
 * loopback Events API fake, the PagerDuty webhook through Pacer's own express app, and
 * email to the SMTP capture: hour- and week-long clocks run in seconds. Actions go in as
 * signals (the time-skipping server has no updates; the API tests cover that path).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { createPacerApp } from '../../src/app/http-app';
import type { IntegrationConfig } from '../../src/integrations/config';
import { incidentAlertDedupKey } from '../../src/integrations/pagerduty/alert-key';
import { createLogger } from '../../src/core/logger';
import { createPacerWorker } from '../../src/app/worker';
import { incidentPolicySnapshot } from '../../src/db/repositories/incident-policies';
import { incidentActionSignal, incidentStateQuery, incidentWorkflowId, type IncidentAction, type IncidentSeverity, type IncidentWorkflowInput } from '../../workflows/contract/incident';
import { slaInputsQuery, ticketWorkflowId, type Actor, type TicketWorkflowInput } from '../../workflows/contract/ticket';
import { describeSla } from '../../workflows/ticket/sla-state';
import { eventually } from '../api/api-helpers';
import { workflowBundle } from '../support/api-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { timeSkippingServerPath } from '../support/env';
import { sentEvent, startPagerDutyEventsFake, type PagerDutyEventsFake } from '../support/fakes/pagerduty-events-server';
import { answerStatus, deliverPagerDutyWebhook, incidentEvent } from '../support/fakes/pagerduty-webhook-signer';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { policy, ticketInput } from '../support/ticket-fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const agent: Actor = { type: 'agent', name: 'riley' };

describe('incident workflow (time skipping)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let fake: PagerDutyEventsFake;
  let smtp: SmtpCapture;
  let server: Server;
  let webhookUrl: string;
  let organizationId: string;
  let taskQueue: string;
  let started: string[];
  const webhookSecret = `whsec-${crypto.randomBytes(8).toString('hex')}`;
  let integrations: IntegrationConfig;

  before(async function () {
    this.timeout(120_000);
    database = await createTestDatabase();
    fake = await startPagerDutyEventsFake();
    smtp = await startSmtpCapture();
    integrations = {
      publicUrl: 'https://pacer.example.test',
      pagerduty: { routingKey: crypto.randomBytes(16).toString('hex'), eventsHost: fake.host, webhookSecret, ca: fake.ca },
      pagerdutyWebhookSecret: webhookSecret,
      email: { smtpUrl: smtp.url, from: 'Pacer <pacer@pacer.test>', roleEmails: {} },
    };
    organizationId = crypto.randomUUID();
    await database.db.insertInto('organizations').values({ id: organizationId, name: 'Acme', tier: 'enterprise', email_domains: '[]' }).execute();
  });
  after(async () => {
    await fake?.close();
    await smtp?.close();
    await database?.drop();
  });
  // A server of its own per test: long clocks left by one test can never hold time still for the next.
  beforeEach(async function () {
    this.timeout(60_000);
    taskQueue = `inc-${crypto.randomBytes(4).toString('hex')}`;
    started = [];
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
    // The webhook is answered by Pacer's own app, signalling workflows on the time-skipping server.
    const { app } = createPacerApp({ db: database.db, temporal: env.client, taskQueue, adminApiKey: undefined, log: createLogger('warn'), integrations });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/integrations/pagerduty/webhook`;
  });
  afterEach(async () => {
    for (const id of started) await env.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await env?.teardown();
  });

  /** A worker with the real activities (overrides for fault injection); no cache, as in the ticket tests. */
  async function newWorker(overrides: Partial<Activities> = {}): Promise<Worker> {
    return createPacerWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      db: database.db,
      workflowBundle: await workflowBundle(),
      workflowCacheSize: 0,
      integrations,
      activities: overrides,
    });
  }

  async function incidentInput(severity: IncidentSeverity, over: Partial<IncidentWorkflowInput['incident']> = {}): Promise<IncidentWorkflowInput> {
    const id = crypto.randomUUID();
    return {
      version: 1,
      incident: {
        id,
        number: `INC-TEST-${id.slice(0, 8)}`,
        title: 'Checkout is failing',
        description: 'Payments time out',
        severity,
        commander: 'ic@corp.test',
        responders: [],
        impact: 'major_outage',
        affectedComponents: [],
        affectedCustomers: null,
        sourceTicketId: null,
        createdBy: 'agent:riley',
        createdAt: new Date(Number(await env.currentTimeMs())).toISOString(),
        ...over,
      },
      policy: await incidentPolicySnapshot(database.db, severity),
    };
  }

  /**
   * Waits until a workflow has nothing in flight (no activity, no workflow task). A test must
   * not stop its worker before then: an activity left scheduled on a queue nobody polls keeps
   * the time-skipping server from skipping time in the tests after it.
   */
  async function settled(workflowId: string) {
    await eventually(async () => {
      const d = await env.client.workflow.getHandle(workflowId).describe();
      return d.status.name !== 'RUNNING' || ((d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask);
    }, 15_000, `${workflowId} to settle`);
  }

  async function start(input: IncidentWorkflowInput) {
    started.push(incidentWorkflowId(input.incident.id));
    return env.client.workflow.start('incidentWorkflow', { workflowId: incidentWorkflowId(input.incident.id), taskQueue, args: [input] });
  }
  async function startTicket(input: TicketWorkflowInput) {
    started.push(ticketWorkflowId(input.ticket.id));
    return env.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue, args: [input] });
  }
  type ActionBody = IncidentAction extends infer A ? (A extends IncidentAction ? Omit<A, 'actionId' | 'actor'> : never) : never;
  const signal = (input: IncidentWorkflowInput, action: ActionBody) =>
    env.client.workflow.getHandle(incidentWorkflowId(input.incident.id)).signal(incidentActionSignal, { actionId: crypto.randomUUID(), actor: agent, ...action } as IncidentAction);
  const state = (input: IncidentWorkflowInput) => env.client.workflow.getHandle(incidentWorkflowId(input.incident.id)).query(incidentStateQuery);
  const timeline = (incidentId: string) => database.db.selectFrom('incident_events').selectAll().where('incident_id', '=', incidentId).orderBy('seq').execute();
  const row = (incidentId: string) => database.db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirstOrThrow();

  /** Paged at once, re-paged a level up while unacknowledged, acknowledged through a signed PagerDuty webhook, then resolved. */
  async function pagedUntilAcknowledged(input: IncidentWorkflowInput, level: (n: number) => string): Promise<void> {
    const id = input.incident.id;
    await start(input);
    await fake.waitFor(() => fake.accepted('trigger', level(1)).length === 1, 15_000, 'the level-1 page at detection');
    const first = sentEvent(fake.accepted('trigger', level(1))[0]!);
    assert.ok(first.payload, 'a trigger carries a payload');
    assert.equal(first.payload.severity, 'critical');
    assert.match(first.payload.summary, new RegExp(`^${input.incident.number}: Checkout is failing \\(critical, not acknowledged\\)$`));
    assert.equal(first.payload.custom_details?.incident_url, `https://pacer.example.test/api/v1/incidents/${id}`);

    // Critical: acknowledge within 15 minutes. At 10 minutes nobody else has been paged.
    await env.sleep('10 minutes');
    assert.equal(fake.accepted('trigger', level(2)).length, 0);
    await env.sleep('6 minutes');
    await fake.waitFor(() => fake.accepted('trigger', level(2)).length === 1, 15_000, 'the level-2 page at the acknowledgement target');
    assert.match(sentEvent(fake.accepted('trigger', level(2))[0]!).payload?.summary ?? '', /escalation level 2/);
    assert.equal(fake.alertsFor(level(2)).length, 1, 'a new level is a new alert, so PagerDuty notifies again');

    // The on-call engineer acknowledges the level-2 page in PagerDuty; its signed webhook comes back.
    const alert = fake.act(level(2), 'acknowledged', 'Dana On-Call');
    const delivered = await deliverPagerDutyWebhook(webhookUrl, { body: incidentEvent('incident.acknowledged', alert, { agent: { name: 'Dana On-Call' } }), secrets: [webhookSecret] });
    assert.equal(delivered.status, 200, JSON.stringify(delivered.body));
    assert.equal(answerStatus(delivered.body), 'acknowledged');
    await eventually(async () => (await row(id)).acknowledged_by === 'Dana On-Call', 10_000, 'the acknowledgement on the record');
    // Pacer acknowledges the other open page too, so nobody keeps being woken.
    await fake.waitFor(() => fake.alertsFor(level(1))[0]!.status === 'acknowledged', 10_000, 'the level-1 page acknowledged');

    // At twice the target the ladder would page level 3: acknowledged, the clock is met and it never fires.
    await env.sleep('20 minutes');
    const s = await state(input);
    assert.notEqual(s.acknowledgement.metAt, null);
    assert.equal(s.acknowledged?.source, 'pagerduty');
    assert.deepEqual(s.acknowledgement.escalations.map((e) => [e.percent, e.fired]), [[0, true], [100, true], [200, false]]);
    assert.equal(fake.accepted('trigger', level(3)).length, 0, 'nobody paged after the acknowledgement');

    await signal(input, { kind: 'update', status: 'resolved', body: 'Rolled back the payment gateway config.', public: true });
    await fake.waitFor(() => fake.alertsFor(level(1))[0]!.status === 'resolved' && fake.alertsFor(level(2))[0]!.status === 'resolved', 10_000, 'both pages resolved');
    await settled(incidentWorkflowId(id));
  }

  it('pages on-call at once, re-pages a new level while unacknowledged, and a signed PagerDuty acknowledgement stops it; resolving resolves the pages', async () => {
    const worker = await newWorker();
    const input = await incidentInput('critical');
    const id = input.incident.id;
    const level = (n: number) => incidentAlertDedupKey(id, n);
    const created = Date.parse(input.incident.createdAt);
    await worker.runUntil(() => pagedUntilAcknowledged(input, level));
    const events = await timeline(id);
    const ack = events.find((e) => e.type === 'incident.acknowledged')!;
    const tta = Number(ack.data.secondsToAcknowledge);
    assert.ok(tta >= 16 * 60 && tta < 17 * 60, `MTTA recorded from detection: ${tta}s`);
    assert.ok(events.find((e) => e.type === 'incident.resolved'), 'MTTR recorded');
    const breach = events.find((e) => e.type === 'incident.sla_breached' && e.data.clock === 'acknowledgement')!;
    assert.equal(breach.data.scheduledAt, new Date(created + 15 * MIN).toISOString(), 'the acknowledgement breach at exactly 15 minutes');
    const r = await row(id);
    assert.equal(r.status, 'resolved');
    assert.equal(new Date(r.ack_due_at!).toISOString(), new Date(created + 15 * MIN).toISOString());
  });

  /** Post-mortem reminders on schedule, a close refused without it, then the post-mortem recorded. */
  async function postmortemChased(input: IncidentWorkflowInput, reminders: () => Promise<unknown[]>): Promise<void> {
    const id = input.incident.id;
    await start(input);
    await signal(input, { kind: 'acknowledge', source: 'api' });
    await env.sleep('1 hour');
    await signal(input, { kind: 'update', status: 'resolved', public: true });
    await eventually(async () => (await row(id)).status === 'resolved', 10_000, 'resolved');

    await env.sleep('23 hours');
    assert.equal((await reminders()).length, 0, 'nothing before a day has passed');
    await env.sleep('2 hours');
    await eventually(async () => (await reminders()).length === 1, 10_000, 'the first reminder a day after resolution');
    await env.sleep('2 days');
    await eventually(async () => (await reminders()).length === 2, 10_000, 'the second reminder at three days');
    const mails = await smtp.waitFor((m) => m.filter((x) => x.subject.includes(input.incident.number)).length === 2, 10_000, 'two reminder mails');
    assert.deepEqual(mails.filter((x) => x.subject.includes(input.incident.number)).map((m) => m.to), [['ic@corp.test'], ['ic@corp.test']]);

    // Closing is refused while the post-mortem is owed.
    await signal(input, { kind: 'update', status: 'closed', public: false });
    await env.sleep('1 minute');
    assert.equal((await state(input)).status, 'resolved');

    await signal(input, {
      kind: 'record_postmortem',
      postmortem: { summary: 'A bad config push', rootCause: 'No canary for gateway config', actionItems: [{ description: 'Canary config pushes', owner: 'sam', dueDate: '2027-01-15' }] },
    });
    await eventually(async () => (await database.db.selectFrom('incident_postmortems').select('incident_id').where('incident_id', '=', id).executeTakeFirst()) !== undefined, 10_000, 'the post-mortem recorded');
    assert.equal((await state(input)).nextPostmortemReminderAt, null);
    // No more reminders; a week later the incident closes itself.
    await env.sleep('8 days');
    await eventually(async () => (await row(id)).status === 'closed', 10_000, 'auto-closed');
    // The workflow's last task runs after that write: wait for it while the worker is still up.
    assert.equal((await env.client.workflow.getHandle(incidentWorkflowId(id)).result()).status, 'closed');
  }

  it('chases a missing post-mortem on its schedule, refuses to close without it, and stops once it is recorded', async () => {
    const worker = await newWorker();
    const input = await incidentInput('high', { commander: 'ic@corp.test' });
    const id = input.incident.id;
    const reminders = async () => (await timeline(id)).filter((e) => e.type === 'incident.postmortem_reminder');
    await worker.runUntil(() => postmortemChased(input, reminders));
    assert.equal((await reminders()).length, 2, 'no reminder after the post-mortem');
  });

  const comments = (ticketId: string) => database.db.selectFrom('comments').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').execute();
  const ticketSla = async (t: TicketWorkflowInput) => describeSla(await env.client.workflow.getHandle(ticketWorkflowId(t.ticket.id)).query(slaInputsQuery), Number(await env.currentTimeMs()));

  /** What the worker below saw of the "investigating" update's write. */
  interface UpdateWrites {
    failedOnce: boolean;
    count: number;
  }

  /** A worker whose public "investigating" update write lands but loses its answer once: Temporal runs it again. */
  async function workerLosingOneUpdateAnswer(): Promise<{ worker: Worker; writes: UpdateWrites }> {
    const writes: UpdateWrites = { failedOnce: false, count: 0 };
    const real = createActivities({ db: database.db, integrations });
    const worker = await newWorker({
      applyIncidentChange: async (change) => {
        const deliveries = await real.applyIncidentChange(change);
        if (change.update?.public && change.update.body.includes('investigating')) {
          writes.count++;
          if (!writes.failedOnce) {
            writes.failedOnce = true;
            throw new Error('connection lost after the write');
          }
        }
        return deliveries;
      },
    });
    return { worker, writes };
  }

  /** Two tickets linked to the incident wait on it, hear its investigating and resolved updates, and run again after it. */
  async function linkedTicketsWaitAndHear(input: IncidentWorkflowInput, tickets: TicketWorkflowInput[]): Promise<void> {
    for (const t of tickets) await startTicket(t);
    await start(input);
    for (const t of tickets) await signal(input, { kind: 'link_ticket', ticketId: t.ticket.id });
    for (const t of tickets) {
      // Two workflows and the link's activity chain: generous on a loaded two-core machine.
      await eventually(async () => (await ticketSla(t)).firstResponse?.pauseReason === 'incident', 30_000, 'the ticket waiting on the incident');
    }
    const before = await ticketSla(tickets[0]!);
    assert.equal(before.resolution?.pauseReason, 'incident');
    assert.equal(before.firstResponse?.dueAt, null, 'no due instant while waiting');

    await signal(input, { kind: 'update', status: 'investigating', body: 'We are investigating failed payments.', public: true });
    for (const t of tickets) await eventually(async () => (await comments(t.ticket.id)).length === 1, 15_000, 'the update on the linked ticket');
    await env.sleep('2 hours');

    await signal(input, { kind: 'update', status: 'resolved', body: 'Payments work again.', public: true });
    for (const t of tickets) await eventually(async () => (await comments(t.ticket.id)).length === 2, 15_000, 'the resolution on the linked ticket');
    for (const t of tickets) await eventually(async () => (await ticketSla(t)).firstResponse?.pausedSince === null, 10_000, 'the ticket clock running again');
    for (const wf of started) await settled(wf);
    const after = await ticketSla(tickets[0]!);
    // The clocks started at creation and stood still while the ticket waited on the incident (about two hours).
    const fr = Date.parse(after.firstResponse!.dueAt!) - Date.parse(tickets[0]!.ticket.createdAt);
    assert.ok(fr >= 6 * HOUR && fr < 6 * HOUR + 2 * MIN, `first response due four business hours plus the wait: ${fr / MIN} min`);
  }

  /** Each public update once per linked ticket, and the wait's start and end on each ticket's timeline. */
  async function assertEachUpdateOncePerTicket(input: IncidentWorkflowInput, tickets: TicketWorkflowInput[]): Promise<void> {
    for (const t of tickets) {
      const cs = await comments(t.ticket.id);
      assert.deepEqual(
        cs.map((c) => [c.body, c.public, c.author_type]),
        [
          [`${input.incident.number} — Investigating: We are investigating failed payments.`, true, 'system'],
          [`${input.incident.number} — Resolved: Payments work again.`, true, 'system'],
        ],
        'each public update once per linked ticket',
      );
      const events = await database.db.selectFrom('ticket_events').select(['type', 'data']).where('ticket_id', '=', t.ticket.id).where('type', 'in', ['ticket.waiting_on_incident', 'ticket.incident_wait_ended']).orderBy('seq').execute();
      assert.deepEqual(events.map((e) => e.type), ['ticket.waiting_on_incident', 'ticket.incident_wait_ended']);
    }
  }

  it('linked tickets wait on the incident (pause reason incident) and get each public update exactly once, even when the write is retried', async () => {
    const { worker, writes } = await workerLosingOneUpdateAnswer();
    const now = Number(await env.currentTimeMs());
    const p = policy({ firstResponseMinutes: 240, resolutionMinutes: 480 });
    const tickets = [ticketInput(organizationId, now, p), ticketInput(organizationId, now, p)];
    const input = await incidentInput('medium');
    await worker.runUntil(() => linkedTicketsWaitAndHear(input, tickets));
    assert.equal(writes.failedOnce, true);
    assert.ok(writes.count >= 2, 'the write was retried');
    await assertEachUpdateOncePerTicket(input, tickets);
    const links = await database.db.selectFrom('incident_tickets').select('ticket_id').where('incident_id', '=', input.incident.id).execute();
    assert.equal(links.length, 2);
  });
});
