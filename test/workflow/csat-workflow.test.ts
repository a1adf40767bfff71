/**
 * Customer satisfaction through the ticket workflow on Temporal's time-skipping test server,
 * with the real activities on the real PostgreSQL test server and the survey mailed through
 * real SMTP to a loopback capture: the 24-hour delay runs at its real length in seconds.
 * Ratings go in as signals (the time-skipping server has no updates; the API's update path
 * is covered by test/api/csat.test.ts).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { createPacerWorker } from '../../src/app/worker';
import { DEFAULT_CSAT_SETTINGS } from '../../src/core/csat-settings';
import type { IntegrationConfig } from '../../src/integrations/config';
import { CsatService } from '../../src/domain/csat/csat-service';
import { ticketActionSignal, ticketWorkflowId, type TicketAction, type TicketWorkflowInput } from '../../workflows/contract/ticket';
import { workflowBundle } from '../support/api-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { timeSkippingServerPath } from '../support/env';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { act, policy, ticketInput } from '../support/ticket-fixtures';

const customer = { type: 'customer' as const, name: 'ann@example.com' };
const agent = { type: 'agent' as const, name: 'lead' };
const rate = (rating: number, reason: string | null = null): TicketAction => ({
  kind: 'rate', actionId: crypto.randomUUID(), actor: customer, rating, reason, comment: rating <= 2 ? 'took ages' : null, lowRatingActions: [{ type: 'notify', role: 'manager' }],
});
const assign = (assignee: string): TicketAction => ({ kind: 'assign', actionId: crypto.randomUUID(), actor: agent, assignee });

describe('CSAT survey through the ticket workflow (time skipping)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let smtp: SmtpCapture;
  let organizationId: string;
  let integrations: IntegrationConfig;
  let sendAttempts: number;
  let taskQueue: string;
  const started: string[] = [];

  before(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
    database = await createTestDatabase();
    smtp = await startSmtpCapture();
    organizationId = crypto.randomUUID();
    await database.db.insertInto('organizations').values({ id: organizationId, name: 'Acme', tier: 'enterprise', email_domains: '[]' }).execute();
    integrations = {
      publicUrl: 'https://pacer.test',
      email: { smtpUrl: smtp.url, from: 'Acme Support <support@pacer.test>', roleEmails: {} },
      csat: { ...DEFAULT_CSAT_SETTINGS, secret: 'csat-test-secret-0123456789' },
    };
  });
  after(async () => {
    await env?.teardown();
    await smtp?.close();
    await database?.drop();
  });
  afterEach(async () => {
    for (const id of started.splice(0)) await env.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  });

  /**
   * The real activities; with `loseFirstSend` (and mail) the survey's first send fails after it
   * has mailed, so its retry must not mail again. Without it no mail is configured: the survey
   * still goes out (its row and event) for the portal.
   */
  async function newWorker(loseFirstSend = false): Promise<Worker> {
    sendAttempts = 0;
    taskQueue = `csat-wf-${crypto.randomBytes(4).toString('hex')}`;
    const config: IntegrationConfig = loseFirstSend ? integrations : { publicUrl: integrations.publicUrl, csat: integrations.csat };
    const real: Activities = createActivities({ db: database.db, integrations: config });
    return createPacerWorker({
      connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, db: database.db, integrations: config,
      workflowBundle: await workflowBundle(), workflowCacheSize: 0,
      activities: {
        sendCsatSurvey: async (input) => {
          const answer = await real.sendCsatSurvey(input);
          if (++sendAttempts === 1 && loseFirstSend) throw new Error('worker lost after sending (test)');
          return answer;
        },
      },
    });
  }

  async function start(input: TicketWorkflowInput) {
    started.push(ticketWorkflowId(input.ticket.id));
    return env.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue, args: [input] });
  }
  const signal = (input: TicketWorkflowInput, action: TicketAction) => env.client.workflow.getHandle(ticketWorkflowId(input.ticket.id)).signal(ticketActionSignal, action);
  const survey = (ticketId: string) => database.db.selectFrom('csat_surveys').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
  const eventsOf = async (ticketId: string, type: string) =>
    (await database.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute()).filter((e) => e.type === type);
  const surveyMails = (number: string) => smtp.attempts.filter((m) => m.subject.startsWith(`[${number}] How did we do?`));
  const newTicket = async () => ticketInput(organizationId, Number(await env.currentTimeMs()), policy({ firstResponseMinutes: null, resolutionMinutes: 48 * 60, escalations: [] }));

  it('sends one survey 24 hours after the solve, mailed once with a signed link although its activity was retried', async () => {
    const worker = await newWorker(true);
    const input = await newTicket();
    await worker.runUntil(async () => {
      await start(input);
      await signal(input, act.status('solved'));
      await env.sleep('23 hours');
      assert.equal(await survey(input.ticket.id), undefined, 'not before the delay');
      await env.sleep('2 hours');
      await smtp.waitFor(() => surveyMails(input.ticket.number).length > 0, 15_000, 'the survey mail');
      await env.sleep('3 days');
    });
    const row = await survey(input.ticket.id);
    assert.ok(row, 'the survey was sent');
    assert.equal(sendAttempts, 2, 'the send was retried');
    assert.equal(surveyMails(input.ticket.number).length, 1, 'mailed once');
    assert.equal((await eventsOf(input.ticket.id, 'csat.survey_sent')).length, 1);
    const link = /https:\/\/pacer\.test\/csat\/(\S+)/.exec(surveyMails(input.ticket.number)[0]!.text)?.[1];
    const links = new CsatService({ db: database.db, settings: integrations.csat, publicUrl: integrations.publicUrl, act: async () => undefined }).links;
    assert.deepEqual(await links.check(link ?? '', Date.now()), { ticketId: input.ticket.id, expiresAt: row.expires_at });
  });

  it('cancels a pending survey when the ticket is reopened, and waits the full delay again after the next solve', async () => {
    const worker = await newWorker();
    const input = await newTicket();
    await worker.runUntil(async () => {
      await start(input);
      await signal(input, act.status('solved'));
      await env.sleep('1 hour');
      await signal(input, act.status('open'));
      await env.sleep('1 day');
      assert.equal(await survey(input.ticket.id), undefined, 'the reopen cancelled it');
      await signal(input, act.status('solved'));
      await env.sleep('23 hours');
      assert.equal(await survey(input.ticket.id), undefined, 'a fresh 24 hours from the second solve');
      await env.sleep('2 hours');
      assert.ok(await survey(input.ticket.id), 'sent after the second solve');
      await env.sleep('1 hour');
    });
    assert.equal((await eventsOf(input.ticket.id, 'csat.survey_sent')).length, 1);
  });

  it('counts a changed rating once, credits whoever held the ticket when rated, and notifies the manager once for the low one', async () => {
    const worker = await newWorker();
    const input = await newTicket();
    const csat = new CsatService({ db: database.db, settings: integrations.csat, publicUrl: integrations.publicUrl, act: async () => undefined });
    await worker.runUntil(async () => {
      await start(input);
      await signal(input, assign('agent-a'));
      await signal(input, act.status('solved'));
      await env.sleep('25 hours');
      await signal(input, rate(2, 'Too slow'));
      await signal(input, assign('agent-b'));
      await signal(input, rate(1, 'Too slow'));
      await signal(input, rate(5));
      await env.sleep('1 minute');
    });
    const rated = await eventsOf(input.ticket.id, 'csat.rated');
    assert.deepEqual(rated.map((e) => [(e.data as { rating: number }).rating, (e.data as { previous: number | null }).previous, (e.data as { assignee: string }).assignee]), [[2, null, 'agent-a'], [1, 2, 'agent-b'], [5, 1, 'agent-b']]);
    const actions = (await eventsOf(input.ticket.id, 'action.done')).filter((e) => (e.data as { trigger?: string }).trigger === 'csat.low_rating');
    assert.equal(actions.length, 1, 'the manager is told once: the rating became low once');
    const range = { from: new Date(Date.now() - 365 * 86_400_000), to: new Date(Date.now() + 365 * 86_400_000) };
    const byAgent = await csat.score(range, 'agent');
    const mine = byAgent.groups.filter((g) => g.key === 'agent-a' || g.key === 'agent-b');
    assert.deepEqual(mine, [{ key: 'agent-b', label: 'agent-b', ratings: 1, satisfied: 1, score: 1 }]);
  });
});
