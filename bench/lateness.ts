/**
 * npm run bench:lateness — how late the escalation ladder fires with BENCH_TICKETS open
 * tickets (default 10,000). The enterprise policies get an always-open calendar, no ladder
 * beyond the breach step, and first-response targets of BENCH_TARGET_MINUTES (default
 * 3,4,5,6 for urgent, high, normal, low); tickets are created through the API with those
 * priorities in turn, so their breaches come due spread over a few minutes after creation.
 * Each breach's lateness is its `sla.breached` event's `at` (the workflow clock when the
 * step ran) minus its `data.scheduledAt`; also shown: when this process first saw the row
 * in PostgreSQL (polled every 100 ms), so the activity's write is counted too.
 *
 * Baseline in the same run, on the same server and worker, under the same load: for every
 * BENCH_BASELINE_EVERY-th ticket (default 5) a bare workflow that only sleeps until that
 * ticket's due instant, by the same workflow clock — Temporal's own timer lateness.
 * Target: ladder lateness p99 ≤ 1 s.
 *
 * This process runs Pacer (API + worker); tickets come from bench/lateness-load.ts.
 */
import crypto from 'node:crypto';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { PacerHarness } from '../test/support/api-harness';
import { ALWAYS_OPEN } from '../test/support/ticket-fixtures';
import { runConcurrently } from './intake-load';
import type { LatenessLoadSpec } from './lateness-load';
import { describeLatencies, percentile, runLoadProcess, startBenchServices } from './support';

const N = Number(process.env.BENCH_TICKETS ?? 10_000);
const TARGETS = (process.env.BENCH_TARGET_MINUTES ?? '3,4,5,6').split(',').map(Number);
const BASELINE_EVERY = Number(process.env.BENCH_BASELINE_EVERY ?? 5);
const PRIORITIES = ['urgent', 'high', 'normal', 'low'].slice(0, TARGETS.length);

async function main(): Promise<void> {
  const services = await startBenchServices();
  const { startHarness } = await import('../test/support/api-harness');
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./lateness-workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never });
  const h: PacerHarness = await startHarness({ workflowBundle });
  const db = h.database.db;
  try {
    const cal = await h.api('/api/v1/calendars', { body: { name: `bench always open ${crypto.randomUUID()}`, ...ALWAYS_OPEN } });
    if (cal.status !== 201) throw new Error(`calendar: ${cal.status} ${JSON.stringify(cal.body)}`);
    const policies = (await h.api('/api/v1/sla-policies')).body.data as Array<{ id: string; tier: string; priority: string }>;
    for (const [i, priority] of PRIORITIES.entries()) {
      const p = policies.find((x) => x.tier === 'enterprise' && x.priority === priority)!;
      const put = await h.api(`/api/v1/sla-policies/${p.id}`, {
        method: 'PUT',
        body: { name: `bench ${priority}`, tier: 'enterprise', priority, calendarId: cal.body.id, firstResponseMinutes: TARGETS[i], resolutionMinutes: 7 * 24 * 60, pauseOn: ['pending'], escalations: [], autoCloseDays: 7, pauseOnIncident: true },
      });
      if (put.status !== 200) throw new Error(`policy: ${put.status} ${JSON.stringify(put.body)}`);
    }
    const org = await h.api('/api/v1/organizations', { body: { name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' } });

    // Watch the log for breaches as they land: first sight of each row, by this process's clock.
    const seen = new Map<string, { recorded: number; observed: number }>();
    let lastSeq = '0';
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const rows = await db.selectFrom('ticket_events').select(['id', 'seq', 'at', 'data']).where('type', '=', 'sla.breached').where('seq', '>', lastSeq).orderBy('seq').limit(5000).execute();
        const now = Date.now();
        for (const r of rows) {
          const scheduled = Date.parse(String((r.data as { scheduledAt: string }).scheduledAt));
          seen.set(r.id, { recorded: new Date(r.at).getTime() - scheduled, observed: now - scheduled });
          lastSeq = r.seq;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const started = Date.now();
    const spec: LatenessLoadSpec = { n: N, concurrency: 24, priorities: PRIORITIES, baselineEvery: BASELINE_EVERY, organizationId: org.body.id, baseUrl: h.baseUrl, apiKey: h.adminKey, temporalAddress: process.env.PACER_TEST_TEMPORAL_ADDRESS!, taskQueue: h.taskQueue };
    const { seconds, sleepers } = await runLoadProcess<{ seconds: number; sleepers: string[] }>('lateness-load.ts', spec);
    const lastDue = started + seconds * 1000 + Math.max(...TARGETS) * 60_000;
    console.log(`open tickets: ${N} (created in ${seconds.toFixed(1)} s), first-response targets ${TARGETS.join('/')} min for ${PRIORITIES.join('/')}, baseline sleepers: ${sleepers.length}`);
    console.log(`breaches come due from ${TARGETS[0]} min after the first ticket to about ${((lastDue - started) / 60_000).toFixed(1)} min; waiting…`);

    while (seen.size < N && Date.now() < lastDue + 120_000) await new Promise((r) => setTimeout(r, 500));
    watching = false;
    await watcher;
    // Only now collect the baseline, so waiting on it adds no load while timers fire.
    const baseline: number[] = [];
    await runConcurrently(sleepers.length, 16, async (i) => void baseline.push((await h.client.workflow.getHandle(sleepers[i]!).result()) as number));

    const recorded = [...seen.values()].map((s) => s.recorded);
    const observed = [...seen.values()].map((s) => s.observed);
    console.log(`breaches fired: ${seen.size} of ${N}${seen.size < N ? ' (the rest had not fired two minutes after the last was due)' : ''}`);
    console.log(`baseline, bare sleeping workflow:        ${describeLatencies(baseline)}`);
    console.log(`ladder lateness, event at (workflow):    ${describeLatencies(recorded)}`);
    console.log(`ladder lateness, row seen in PostgreSQL: ${describeLatencies(observed)}`);
    const p99 = percentile(recorded, 99);
    const ok = seen.size === N && p99 <= 1000 && percentile(observed, 99) <= 1000;
    console.log(`ratio ladder p99 / baseline p99: ${(p99 / percentile(baseline, 99)).toFixed(2)}; target p99 ≤ 1 s: ${ok ? 'MET' : 'NOT MET'}`);
  } finally {
    await h.close();
    await services.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
