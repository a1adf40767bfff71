/**
 * npm run bench:intake — tickets per second end to end: from the first request until each
 * ticket's workflow has run its first task (its record written, its clocks armed, its
 * `ticket.created` event in the log), against bare workflows of the same shape
 * (bench/bench-workflows.ts: started through the Temporal client, a first task that runs
 * one local activity writing a row and arms a timer) on the same server and the same
 * worker, in the same run, printed as a ratio. Target: end-to-end intake ≥ 70% of bare.
 * Beside it, the accept-only figures (answers from the API / the start call, whatever the
 * worker has done by then), which is what this benchmark reported before.
 *
 * BENCH_TICKETS per phase (default 1000), BENCH_CONCURRENCY requests outstanding (default
 * 24), BENCH_ROUNDS (default 3; the phases alternate, and so does which goes first),
 * BENCH_WARM_UP per path before measuring (default 600), BENCH_WAIT_MINUTES bounding the
 * wait for one phase's first tasks (default 10; a phase that hits it is reported as such).
 * TEMPORAL_ADDRESS / DATABASE_URL run it on a real cluster / PostgreSQL (bench/stack.ts).
 *
 * This process runs Pacer (API + worker, as `npm start`); the load comes from a separate
 * process (bench/intake-load.ts), as real clients would.
 */
import crypto from 'node:crypto';
import type { IntakeLoadResult, LoadSpec } from './intake-load';
import { tailLog, type LogTail } from './log-tail';
import { startBenchPacer } from './pacer';
import { startBenchStack } from './stack';
import { median, runLoadProcess } from './support';
import { describeServerWork, readServerWork } from './server-work';

const N = Number(process.env.BENCH_TICKETS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 24);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 600);
const WAIT_MINUTES = Number(process.env.BENCH_WAIT_MINUTES ?? 10);

interface Phase {
  accepted: number;
  /** Per second, to the last first task; null when the wait bound was hit. */
  endToEnd: number | null;
  note: string;
}

async function phase(tail: LogTail, spec: LoadSpec, metricsUrl: string | null): Promise<Phase> {
  const before = await readServerWork(metricsUrl);
  const load = await runLoadProcess<IntakeLoadResult>('intake-load.ts', spec);
  const done = await tail.waitFor('created', load.ids, Date.now() + WAIT_MINUTES * 60_000);
  const work = describeServerWork(before, await readServerWork(metricsUrl), spec.n, 'start');
  const seen = load.ids.map((id) => tail.created.get(id)?.seen).filter((s) => s !== undefined);
  const accepted = spec.n / load.seconds;
  if (!done) return { accepted, endToEnd: null, note: `only ${seen.length} of ${spec.n} first tasks run ${WAIT_MINUTES} min after the last answer` };
  const seconds = (Math.max(...seen) - load.startedAt) / 1000;
  return { accepted, endToEnd: spec.n / seconds, note: `${seconds.toFixed(1)} s to the last first task, ${load.seconds.toFixed(1)} s to the last answer; server: ${work}` };
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const pacer = await startBenchPacer(stack);
  const tail = tailLog(stack.db, { lookback: stack.databaseUrl === null ? 0 : 256 });
  try {
    const org = await pacer.api<{ id: string }>('/api/v1/organizations', { body: { name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' }, expect: 201 });
    const spec: Omit<LoadSpec, 'mode' | 'n'> = { concurrency: CONCURRENCY, organizationId: org.id, baseUrl: pacer.baseUrl, apiKey: pacer.adminKey, temporalAddress: stack.temporalAddress, namespace: stack.namespace, taskQueue: pacer.taskQueue };
    console.log(`worker: one, in this process with the API (as npm start), workflow cache ${pacer.workflowCacheSize}`);

    // Warm both paths (workflow bundle, JIT, connection pools) before measuring.
    await phase(tail, { ...spec, mode: 'api', n: WARM_UP }, stack.temporalMetricsUrl);
    await phase(tail, { ...spec, mode: 'bare', n: WARM_UP }, stack.temporalMetricsUrl);

    console.log(`tickets per phase: ${N}, concurrency: ${CONCURRENCY}, rounds: ${ROUNDS}`);
    const ratios: number[] = [];
    const acceptRatios: number[] = [];
    const rate = (r: number | null) => (r === null ? 'n/a' : `${r.toFixed(1)}/s`);
    for (let round = 1; round <= ROUNDS; round++) {
      // Each phase ends only when its first tasks have run, so it leaves no backlog to the next.
      let bare: Phase;
      let api: Phase;
      if (round % 2 === 1) {
        bare = await phase(tail, { ...spec, mode: 'bare', n: N }, stack.temporalMetricsUrl);
        api = await phase(tail, { ...spec, mode: 'api', n: N }, stack.temporalMetricsUrl);
      } else {
        api = await phase(tail, { ...spec, mode: 'api', n: N }, stack.temporalMetricsUrl);
        bare = await phase(tail, { ...spec, mode: 'bare', n: N }, stack.temporalMetricsUrl);
      }
      const ratio = bare.endToEnd !== null && api.endToEnd !== null ? api.endToEnd / bare.endToEnd : NaN;
      if (!Number.isNaN(ratio)) ratios.push(ratio);
      acceptRatios.push(api.accepted / bare.accepted);
      console.log(
        `round ${round}${round % 2 === 1 ? ' (bare first)' : ' (API first)'}: end to end — bare workflows ${rate(bare.endToEnd)}, tickets through the API ${rate(api.endToEnd)}, ratio ${Number.isNaN(ratio) ? 'n/a' : `${(100 * ratio).toFixed(1)}%`}; ` +
          `accept only — bare starts ${bare.accepted.toFixed(1)}/s, API ${api.accepted.toFixed(1)}/s, ratio ${((100 * api.accepted) / bare.accepted).toFixed(1)}%`,
      );
      console.log(`  bare: ${bare.note}\n  API:  ${api.note}`);
    }
    const m = ratios.length ? median(ratios) : NaN;
    console.log(`median ratio, accept only: ${(100 * median(acceptRatios)).toFixed(1)}%`);
    console.log(`median ratio, end to end (first task run): ${Number.isNaN(m) ? 'n/a' : `${(100 * m).toFixed(1)}%`}${ratios.length < ROUNDS ? ` (${ROUNDS - ratios.length} round(s) hit the wait bound)` : ''} (target ≥ 70%) ${ratios.length === ROUNDS && m >= 0.7 ? 'MET' : 'NOT MET'}`);
  } finally {
    await tail.stop();
    await pacer.close();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
