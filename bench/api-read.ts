/**
 * npm run bench:api-read — API reads with BENCH_TICKETS open tickets (default 1,000) at a
 * fixed BENCH_RATE requests/s (default 200), open-loop, from a separate load process
 * (bench/api-read-load.ts), for BENCH_SECONDS (default 30) per phase: GET
 * /api/v1/tickets/:id (record plus live SLA state) and GET /api/v1/tickets?limit=50, in turn.
 * Baseline in the same run, same express process, same rate: GET /healthz (a `select 1`
 * through the same pool and a Temporal round trip). Target: reads p95 ≤ 50 ms.
 *
 * This process runs Pacer (API + worker) on the test harness; DATABASE_URL / TEMPORAL_ADDRESS
 * name the PostgreSQL server and the Temporal to run on (bench/support.ts).
 */
import crypto from 'node:crypto';
import type { PacerHarness } from '../test/support/api-harness';
import type { LoadSpec } from './intake-load';
import type { ReadLoadResult, ReadLoadSpec } from './api-read-load';
import { describeLatencies, percentile, runLoadProcess, startBenchServices, waitForEvents } from './support';
import { organizationResponse } from '../src/http/api/openapi/responses';
import { bodyOf } from '../test/api/api-helpers';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARM_UP_SECONDS = 5;

async function main(): Promise<void> {
  const services = await startBenchServices();
  const { startHarness } = await import('../test/support/api-harness');
  const h: PacerHarness = await startHarness();
  try {
    const org = await h.api('/api/v1/organizations', { body: { name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' } });
    const started = Date.now();
    const create: LoadSpec = { mode: 'api', n: TICKETS, concurrency: 24, organizationId: bodyOf(org, organizationResponse, 201).id, baseUrl: h.baseUrl, apiKey: h.adminKey, temporalAddress: process.env.PACER_TEST_TEMPORAL_ADDRESS!, taskQueue: h.taskQueue };
    await runLoadProcess('intake-load.ts', create);
    await waitForEvents(h.database.db, 'ticket.created', TICKETS);
    console.log(`open tickets: ${TICKETS} (created in ${((Date.now() - started) / 1000).toFixed(1)} s)`);

    const ids = (await h.database.db.selectFrom('tickets').select('id').execute()).map((r) => r.id).sort(() => Math.random() - 0.5);
    const readPaths = ids.flatMap((id) => [`/api/v1/tickets/${id}`, '/api/v1/tickets?limit=50']);
    const run = (paths: string[], seconds: number) => runLoadProcess<ReadLoadResult>('api-read-load.ts', { baseUrl: h.baseUrl, apiKey: h.adminKey, rate: RATE, seconds, paths } satisfies ReadLoadSpec);

    await run(['/healthz'], WARM_UP_SECONDS);
    await run(readPaths, WARM_UP_SECONDS);
    console.log(`rate: ${RATE} requests/s open-loop, ${SECONDS} s per phase`);
    const base = await run(['/healthz'], SECONDS);
    const reads = await run(readPaths, SECONDS);
    const byId = reads.latencies.filter((_, i) => i % 2 === 0);
    const list = reads.latencies.filter((_, i) => i % 2 === 1);
    console.log(`baseline GET /healthz:          ${describeLatencies(base.latencies)}, errors ${base.errors}, max send lag ${base.maxSendLagMs.toFixed(1)} ms`);
    console.log(`reads (both, in turn):          ${describeLatencies(reads.latencies)}, errors ${reads.errors}, max send lag ${reads.maxSendLagMs.toFixed(1)} ms`);
    console.log(`  GET /api/v1/tickets/:id:      ${describeLatencies(byId)}`);
    console.log(`  GET /api/v1/tickets?limit=50: ${describeLatencies(list)}`);
    const p95 = percentile(reads.latencies, 95);
    const ok = p95 <= 50 && reads.errors === 0;
    console.log(`ratio reads p95 / baseline p95: ${(p95 / percentile(base.latencies, 95)).toFixed(2)}; target reads p95 ≤ 50 ms: ${ok ? 'MET' : 'NOT MET'}`);
  } finally {
    await h.close();
    await services.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
