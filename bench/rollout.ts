/**
 * npm run bench:rollout — one SLA policy edit re-targets BENCH_TICKETS open tickets (default
 * 10,000): the time from the save until the rollout has re-targeted the last ticket (each
 * update answers only once the ticket's workflow applied and stored it), checked afterwards
 * against every ticket's live state (the slaInputs query), and the API's read p95 (GET
 * /api/v1/tickets/:id at BENCH_RATE requests/s, open-loop, from a separate process) during the
 * rollout against the same reads just before it. Target: ≤ 60 s at 10,000 tickets.
 *
 * Pacer (API + worker) runs in this process on the test harness with the worker's defaults
 * (those of `npm start`); DATABASE_URL / TEMPORAL_ADDRESS name the PostgreSQL server and the
 * Temporal to run on, else the test PostgreSQL and an ephemeral dev server (bench/support.ts).
 */
import crypto from 'node:crypto';
import type { PacerHarness } from '../test/support/api-harness';
import type { LoadSpec } from './intake-load';
import type { ReadLoadResult, ReadLoadSpec } from './api-read-load';
import { describeLatencies, percentile, runLoadProcess, startBenchServices, waitForEvents } from './support';
import type { SlaInputs } from '../workflows/contract/ticket';
import { organizationResponse, slaPolicyResponse } from '../src/http/api/openapi/responses';
import { bodyOf } from '../test/api/api-helpers';
import { slaPolicySavedResponse } from '../src/http/api/openapi/rollout-responses';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const BEFORE_SECONDS = Number(process.env.BENCH_BEFORE_SECONDS ?? 15);
/** The read load during the rollout runs this long at most; only requests due before it finished count. */
const DURING_SECONDS = Number(process.env.BENCH_DURING_SECONDS ?? 90);

async function main(): Promise<void> {
  const services = await startBenchServices();
  const { startHarness } = await import('../test/support/api-harness');
  const h: PacerHarness = await startHarness();
  try {
    const db = h.database.db;
    const org = await h.api('/api/v1/organizations', { body: { name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' } });
    const opened = Date.now();
    const create: LoadSpec = { mode: 'api', n: TICKETS, concurrency: 24, organizationId: bodyOf(org, organizationResponse, 201).id, baseUrl: h.baseUrl, apiKey: h.adminKey, temporalAddress: process.env.PACER_TEST_TEMPORAL_ADDRESS!, taskQueue: h.taskQueue };
    await runLoadProcess('intake-load.ts', create);
    await waitForEvents(db, 'ticket.created', TICKETS);
    console.log(`open tickets: ${TICKETS} (opened in ${((Date.now() - opened) / 1000).toFixed(1)} s)`);

    // The edit: the policy most of them are on gets an hour more to resolve.
    const top = await db.selectFrom('tickets').select(['policy_id', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('policy_id').orderBy('n', 'desc').executeTakeFirstOrThrow();
    const policy = bodyOf(await h.api(`/api/v1/sla-policies/${top.policy_id}`), slaPolicyResponse);
    const { id, createdAt, updatedAt, ...body } = policy;
    const target = (body.resolutionMinutes ?? 0) + 60;
    const onPolicy = Number(top.n);

    const ids = (await db.selectFrom('tickets').select('id').execute()).map((r) => r.id).sort(() => Math.random() - 0.5);
    const reads = (seconds: number) => runLoadProcess<ReadLoadResult>('api-read-load.ts', { baseUrl: h.baseUrl, apiKey: h.adminKey, rate: RATE, seconds, paths: ids.map((t) => `/api/v1/tickets/${t}`) } satisfies ReadLoadSpec);
    await reads(3);
    const before = await reads(BEFORE_SECONDS);

    const during = reads(DURING_SECONDS);
    // The load process needs a moment to start; the save goes out when its first requests do.
    await new Promise((r) => setTimeout(r, 1_000));
    const saved = Date.now();
    const put = await h.api(`/api/v1/sla-policies/${id}`, { method: 'PUT', body: { ...body, resolutionMinutes: target } });
    if (put.status !== 200) throw new Error(`save refused: ${JSON.stringify(put.body)}`);
    let row;
    for (;;) {
      row = await db.selectFrom('rollouts').selectAll().where('id', '=', bodyOf(put, slaPolicySavedResponse).rolloutId).executeTakeFirstOrThrow();
      if (row.status === 'finished') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const rolloutMs = new Date(row.finished_at!).getTime() - saved;
    const load = await during;
    // Requests due while the rollout ran (the load began about a second before the save).
    const inWindow = load.latencies.filter((_, i) => (i * 1000) / RATE <= rolloutMs + 1_000);

    let stale = 0;
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const p = ((await h.lifecycle.slaInputs(ids[next++]!)) as SlaInputs | null)?.policy;
        if (p && p.policyId === id && p.resolutionMinutes !== target) stale++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, lane));

    console.log(`edit: policy "${policy.name}" (${onPolicy} of ${TICKETS} tickets), resolution ${body.resolutionMinutes} → ${target} min`);
    console.log(`rollout: affected ${row.affected}, re-targeted ${row.done}, unchanged ${row.unchanged}, failed ${row.failed}`);
    console.log(`time from save to the last ticket re-targeted: ${(rolloutMs / 1000).toFixed(1)} s (${(row.done / (rolloutMs / 1000)).toFixed(0)} tickets/s); live states still on the old target afterwards: ${stale}`);
    console.log(`reads before (GET /api/v1/tickets/:id, ${RATE}/s): ${describeLatencies(before.latencies)}, errors ${before.errors}`);
    console.log(`reads during the rollout:                       ${describeLatencies(inWindow)}, errors ${load.errors}`);
    const ratio = percentile(inWindow, 95) / percentile(before.latencies, 95);
    console.log(`ratio read p95 during / before: ${ratio.toFixed(2)}; target ≤ 60 s at 10,000 tickets: ${rolloutMs <= 60_000 && stale === 0 ? 'MET' : 'NOT MET'} (at ${TICKETS})`);
  } finally {
    await h.close();
    await services.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
