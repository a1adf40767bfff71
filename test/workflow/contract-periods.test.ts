/**
 * The contract-period workflow on Temporal's time-skipping server with the real activities on
 * the real PostgreSQL: a ticket's own workflow breaches its first response, and the period
 * workflow freezes the month's statement on time — with the worker stopped across the
 * period's end, once the next worker is up, exactly once.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createPacerWorker } from '../../src/app/worker';
import { ContractService } from '../../src/domain/contracts/contract-service';
import { ContractPeriodWorkflows } from '../../src/domain/contracts/contract-periods';
import { nthPeriod } from '../../src/domain/contracts/periods';
import type { StatementBody } from '../../src/domain/contracts/statement';
import { contractPeriodsWorkflowId } from '../../workflows/contract/contract-periods';
import { ticketWorkflowId, type TicketWorkflowInput } from '../../workflows/contract/ticket';
import { eventually, sleep } from '../api/api-helpers';
import { workflowBundle } from '../support/api-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { timeSkippingServerPath } from '../support/env';
import { policy, ticketInput } from '../support/ticket-fixtures';

describe('contract periods (time skipping)', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  const taskQueue = `contracts-${crypto.randomBytes(4).toString('hex')}`;

  before(async function () {
    this.timeout(120_000);
    database = await createTestDatabase();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
  });
  after(async () => {
    await env?.teardown();
    await database?.drop();
  });

  const newWorker = async (): Promise<Worker> =>
    createPacerWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, db: database.db, workflowBundle: await workflowBundle(), workflowCacheSize: 0 });

  /** A ticket's own workflow records its first-response breach, then ends: only the period workflow's timer is left. */
  async function breachFirstResponse(ticket: TicketWorkflowInput): Promise<void> {
    await env.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(ticket.ticket.id), taskQueue, args: [ticket] });
    await env.sleep('2 hours');
    await eventually(async () => (await database.db.selectFrom('ticket_events').select('id').where('ticket_id', '=', ticket.ticket.id).where('type', '=', 'sla.breached').execute()).length === 1, 20_000, 'the breach recorded');
    // Only the period workflow's timer stays: the server skips time to it and holds there for a worker.
    await env.client.workflow.getHandle(ticketWorkflowId(ticket.ticket.id)).terminate('breach recorded');
  }

  /** The month's statement is final, holds the one breach and its credit, and was computed after the month ended. */
  function assertFinalStatement(body: StatementBody, month: ReturnType<typeof nthPeriod>, ticketId: string, dueAt: string): void {
    assert.equal(body.status, 'final');
    assert.equal(body.period.key, month.key);
    assert.deepEqual(body.breaches.map((b) => [b.ticketId, b.clock, b.dueAt]), [[ticketId, 'first_response', dueAt]]);
    assert.deepEqual(body.lines.map((l) => l.amount), ['100.00']);
    assert.ok(Date.parse(body.computedAt) >= month.end.getTime(), 'frozen after the month ended, in workflow time');
  }

  it('freezes the month once, after a worker stopped across its end, with the breach the ticket recorded', async () => {
    const now = Number(await env.currentTimeMs());
    const org = crypto.randomUUID();
    await database.db.insertInto('organizations').values({ id: org, name: 'Acme', tier: 'enterprise', email_domains: '[]' }).execute();
    const startsOn = new Date(now).toISOString().slice(0, 8) + '01';
    const month = nthPeriod({ period: 'monthly', timezone: 'UTC', startsOn }, 0);
    const contracts = new ContractService(database.db, new ContractPeriodWorkflows(env.client, taskQueue), () => new Date(now));
    const contract = await contracts.put(org, { period: 'monthly', timezone: 'UTC', currency: 'EUR', feeMinor: 200_000n, startsOn, rules: [{ kind: 'per_breach', clock: 'first_response', priority: null, creditBp: 500 }], capBp: null, customerVisible: false });
    const ticket = ticketInput(org, now, policy({ firstResponseMinutes: 60, resolutionMinutes: 24 * 60, escalations: [{ percent: 100, actions: [] }] }));

    const first = await newWorker();
    await first.runUntil(() => breachFirstResponse(ticket));
    // No worker while the month ends: the timer fires, its task waits (and time with it).
    const pastTheEnd = env.sleep(month.end.getTime() - Number(await env.currentTimeMs()) + 60_000);
    const frozen = () => database.db.selectFrom('contract_statements').selectAll().where('contract_id', '=', contract.id).execute();
    await sleep(2_000);
    assert.equal((await frozen()).length, 0, 'nothing closes without a worker');

    const second = await newWorker();
    await second.runUntil(async () => {
      await eventually(async () => (await frozen()).length === 1, 30_000, 'the month frozen');
      await pastTheEnd;
    });
    const [row] = await frozen();
    assertFinalStatement(row!.body as StatementBody, month, ticket.ticket.id, new Date(now + 3_600_000).toISOString());
    assert.equal(await contracts.closePeriod(contract.id, month.start, month.end), 'already_closed', 'a repeat freezes nothing twice');
    await env.client.workflow.getHandle(contractPeriodsWorkflowId(contract.id)).terminate('test over');
  });
});
