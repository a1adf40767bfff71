/**
 * A business-hours-only `email` ladder step waits for the calendar's next open window, on
 * Temporal's time-skipping server with the real activities (nodemailer to the loopback
 * capture server, PostgreSQL records). The first-response target ends exactly at the close of
 * today's window, so the breach step fires at closing time: the unmarked email goes out at
 * once, the marked one only when the next window opens two hours later.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CalendarSpec } from '../../workflows/sla/business-calendar';
import { ticketWorkflowId } from '../../workflows/contract/ticket';
import { createPacerWorker } from '../../src/app/worker';
import { workflowBundle } from '../support/api-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { timeSkippingServerPath } from '../support/env';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { policy, ticketInput } from '../support/ticket-fixtures';
import { eventually, sleep } from '../api/api-helpers';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A UTC calendar open in one-hour windows starting at the given whole-hour instants. */
function calendarOpenAt(starts: number[]): CalendarSpec {
  const weekly: Record<string, Array<[string, string]>> = Object.fromEntries(DAYS.map((d) => [d, []]));
  for (const start of starts) {
    const d = new Date(start);
    const h = d.getUTCHours();
    weekly[DAYS[d.getUTCDay()]!]!.push([`${String(h).padStart(2, '0')}:00`, `${String(h + 1).padStart(2, '0')}:00`]);
  }
  return { timezone: 'UTC', weekly, holidays: [] };
}

describe('email: business-hours-only ladder step (time skipping)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let smtp: SmtpCapture;
  let organizationId: string;
  const started: string[] = [];

  before(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
    database = await createTestDatabase();
    smtp = await startSmtpCapture();
    organizationId = crypto.randomUUID();
    await database.db.insertInto('organizations').values({ id: organizationId, name: 'Acme', tier: 'enterprise', email_domains: '[]' }).execute();
  });
  after(async () => {
    for (const id of started) await env?.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    await env?.teardown();
    await database?.drop();
    await smtp?.close();
  });

  it('holds the email until the next open window, then sends it once', async () => {
    const now = Number(await env.currentTimeMs());
    const created = Math.floor(now / MIN) * MIN;
    const closesAt = Math.floor(created / HOUR) * HOUR + HOUR; // the end of the window the ticket starts in
    const opensAt = closesAt + 2 * HOUR;
    const p = policy({
      calendar: calendarOpenAt([closesAt - HOUR, opensAt]),
      firstResponseMinutes: (closesAt - created) / MIN,
      resolutionMinutes: null,
      escalations: [{ percent: 100, actions: [{ type: 'email', role: 'manager', businessHoursOnly: true }, { type: 'email', to: 'oncall@corp.test' }] }],
    });
    const input = ticketInput(organizationId, created, p);
    const taskQueue = `email-bh-${crypto.randomBytes(4).toString('hex')}`;
    const worker = await createPacerWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      db: database.db,
      workflowBundle: await workflowBundle(),
      workflowCacheSize: 0,
      integrations: { publicUrl: 'https://pacer.test', email: { smtpUrl: smtp.url, from: 'Pacer <support@pacer.test>', roleEmails: { manager: 'manager@corp.test' } } },
    });
    const to = (address: string) => smtp.messages.filter((m) => m.envelope.rcptTo.includes(address) && m.subject.includes(input.ticket.number));

    await worker.runUntil(async () => {
      started.push(ticketWorkflowId(input.ticket.id));
      await env.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue, args: [input] });
      await env.sleep(closesAt - now + 30 * MIN);
      await eventually(async () => to('oncall@corp.test').length === 1, 15_000, 'the unmarked email at the breach');
      await sleep(1_500);
      assert.equal(to('manager@corp.test').length, 0, 'nothing to the manager while the calendar is closed');

      await env.sleep(2 * HOUR);
      await eventually(async () => to('manager@corp.test').length === 1, 15_000, 'the held email once the window opens');
      await sleep(1_500);
    });

    assert.equal(to('manager@corp.test').length, 1, 'sent once');
    assert.equal(to('oncall@corp.test').length, 1);
    const events = await database.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', input.ticket.id).orderBy('seq').execute();
    const breach = events.find((e) => e.type === 'sla.breached');
    assert.ok(breach);
    assert.ok(new Date(breach.at).getTime() - closesAt < 1_000, 'the step fired at closing time');
    const done = events.filter((e) => e.type === 'action.done');
    const held = done.find((e) => (e.data as { action: { role?: string } }).action.role === 'manager');
    assert.ok(held, 'the held action is recorded as done');
    assert.ok(new Date(held.at).getTime() >= opensAt, `sent at ${new Date(held.at).toISOString()}, not before the window at ${new Date(opensAt).toISOString()}`);
    const immediate = done.find((e) => (e.data as { action: { to?: string } }).action.to === 'oncall@corp.test');
    assert.ok(immediate && new Date(immediate.at).getTime() < opensAt, 'the unmarked action did not wait');
  });
});
