/**
 * npm run bench:intake — ticket intake through the whole API (auth, validation, policy
 * match, number allocation, workflow start, record write) against the bare Temporal
 * workflow-start rate measured in the same run on the same server, printed as a ratio.
 * Target: intake ≥ 70% of bare starts.
 *
 * This process runs Pacer (API + worker, as `npm start` does); the load comes from a
 * separate process (bench/intake-load.ts), as real clients would. The baseline starts the
 * same ticket workflows straight through the Temporal client, with the same worker running
 * them, so the ratio is what Pacer's intake path costs on top of Temporal itself.
 *
 * Uses PACER_TEST_DATABASE_URL / PACER_TEST_TEMPORAL_ADDRESS when set; otherwise brings up
 * the test PostgreSQL server (scripts/ensure-test-postgres.sh) and an ephemeral Temporal
 * dev server, like the test suite does.
 */
import crypto from 'node:crypto';
import type { PacerHarness } from '../test/support/api-harness';
import type { LoadSpec } from './intake-load';
import { runLoadProcess, startBenchServices, waitForEvents } from './support';

const N = Number(process.env.BENCH_TICKETS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 24);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 600);

async function load(spec: LoadSpec): Promise<number> {
  return (await runLoadProcess<{ seconds: number }>('intake-load.ts', spec)).seconds;
}

/** Waits until the worker has run the first task of `count` ticket workflows (each writes ticket.created). */
const waitForWorker = (h: PacerHarness, count: number) => waitForEvents(h.database.db, 'ticket.created', count);

async function main(): Promise<void> {
  const services = await startBenchServices();
  // Imported after the environment is set: the harness reads it.
  const { startHarness } = await import('../test/support/api-harness');
  const h: PacerHarness = await startHarness();
  try {
    const org = await h.api('/api/v1/organizations', { body: { name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' } });
    const spec: Omit<LoadSpec, 'mode' | 'n'> = {
      concurrency: CONCURRENCY,
      organizationId: org.body.id,
      baseUrl: h.baseUrl,
      apiKey: h.adminKey,
      temporalAddress: process.env.PACER_TEST_TEMPORAL_ADDRESS!,
      taskQueue: h.taskQueue,
    };

    // Warm both paths (workflow bundle, JIT, connection pools) before measuring.
    await load({ ...spec, mode: 'api', n: WARM_UP });
    await load({ ...spec, mode: 'bare', n: WARM_UP });
    await waitForWorker(h, 2 * WARM_UP);

    // Alternate the phases over a few rounds: on two shared cores one run swings either way.
    const ratios: number[] = [];
    let expected = 2 * WARM_UP;
    console.log(`tickets per phase: ${N}, concurrency: ${CONCURRENCY}, rounds: ${ROUNDS}`);
    for (let round = 1; round <= ROUNDS; round++) {
      const bareRate = N / (await load({ ...spec, mode: 'bare', n: N }));
      // Let the worker finish each phase's first tasks so they don't slow the next phase.
      await waitForWorker(h, (expected += N));
      const apiRate = N / (await load({ ...spec, mode: 'api', n: N }));
      await waitForWorker(h, (expected += N));
      ratios.push(apiRate / bareRate);
      console.log(`round ${round}: bare Temporal workflow starts ${bareRate.toFixed(1)}/s, ticket intake through the API ${apiRate.toFixed(1)}/s, ratio ${(100 * apiRate / bareRate).toFixed(1)}%`);
    }
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    console.log(`median ratio: ${(median * 100).toFixed(1)}% (target ≥ 70%) ${median >= 0.7 ? 'MET' : 'NOT MET'}`);
  } finally {
    await h.close();
    await services.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
