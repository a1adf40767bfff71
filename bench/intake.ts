/**
 * npm run bench:intake — ticket intake through the whole API (auth, validation, number
 * allocation, policy match, workflow start, record write) against the bare Temporal
 * workflow-start rate measured in the same run on the same server, printed as a ratio.
 * Target: intake ≥ 70% of bare starts.
 *
 * Uses PACER_TEST_DATABASE_URL / PACER_TEST_TEMPORAL_ADDRESS when set; otherwise brings up
 * the test PostgreSQL server (scripts/ensure-test-postgres.sh) and an ephemeral Temporal
 * dev server, like the test suite does.
 */
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startTemporalDevServer, type TemporalDevServer } from '../src/stack/temporal-dev-server';
import { createLogger } from '../src/logger';
import { ticketWorkflowId } from '../workflows/ticket/contract';
import { policy, ticketInput } from '../test/support/ticket-fixtures';
import type { PacerHarness } from '../test/support/api-harness';

const N = Number(process.env.BENCH_TICKETS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 24);

async function runConcurrently(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const log = createLogger('warn');
  let dev: TemporalDevServer | undefined;
  if (!process.env.PACER_TEST_DATABASE_URL) {
    const out = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ensure-test-postgres.sh')], { encoding: 'utf8' });
    process.env.PACER_TEST_DATABASE_URL = out.trim().split('\n').pop()!;
  }
  if (!process.env.PACER_TEST_TEMPORAL_ADDRESS) {
    dev = await startTemporalDevServer({ log, ephemeral: true });
    process.env.PACER_TEST_TEMPORAL_ADDRESS = dev.address;
  }
  // Imported after the environment is set: the harness reads it.
  const { startHarness } = await import('../test/support/api-harness');
  const h: PacerHarness = await startHarness();
  try {
    const org = await h.api('/api/v1/organizations', { body: { name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' } });
    const orgId: string = org.body.id;

    // Warm both paths (bundles, JIT, connection pools) before measuring.
    await runConcurrently(50, 8, async () => {
      const r = await h.api('/api/v1/tickets', { body: { subject: 'warm-up', requester: { email: 'w@bench.test' }, organizationId: orgId } });
      if (r.status !== 201) throw new Error(`warm-up failed: ${r.status} ${JSON.stringify(r.body)}`);
    });

    // Baseline: the same workflow type started straight through the Temporal client, on a
    // task queue no worker polls, so only the server's start path is measured.
    const bareQueue = `bench-bare-${crypto.randomBytes(3).toString('hex')}`;
    const bareSeconds = await runConcurrently(N, CONCURRENCY, async () => {
      const input = ticketInput(orgId, Date.now(), policy());
      await h.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue: bareQueue, args: [input] });
    });

    const apiSeconds = await runConcurrently(N, CONCURRENCY, async (i) => {
      const r = await h.api('/api/v1/tickets', {
        body: { subject: `Checkout fails #${i}`, description: 'Customers see an error at payment', requester: { email: `c${i}@bench.test` }, organizationId: orgId },
      });
      if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
    });

    const bareRate = N / bareSeconds;
    const apiRate = N / apiSeconds;
    const ratio = apiRate / bareRate;
    console.log(`tickets: ${N}, concurrency: ${CONCURRENCY}`);
    console.log(`bare Temporal workflow starts: ${bareRate.toFixed(1)}/s`);
    console.log(`ticket intake through the API:  ${apiRate.toFixed(1)}/s`);
    console.log(`ratio: ${(ratio * 100).toFixed(1)}% (target ≥ 70%) ${ratio >= 0.7 ? 'MET' : 'NOT MET'}`);
  } finally {
    await h.close();
    await dev?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
