/**
 * npm run bench:memory — the worker's resident memory with BENCH_TICKETS open tickets
 * (default 50,000), each ticket's workflow having run its first task (ticket.created is in
 * the log) and now sleeping on its SLA timers. Tickets come through the API (this process)
 * from a separate load process (bench/intake-load.ts); the worker is Pacer's, as
 * `npm run worker` builds it, in a process of its own (bench/memory-worker.ts), so its
 * memory is its alone: read from /proc/<pid>/status every second (VmRSS now, VmHWM the
 * kernel's high-water mark), beside the worker's own count of cached workflows.
 *
 * It runs to the end: after the last ticket is created it waits for every first task,
 * bounded by BENCH_WAIT_MINUTES (default 60); a worker that has not caught up by then is
 * reported with how far it got, and not MET. Then, after BENCH_SETTLE_SECONDS (default 30),
 * the steady RSS is the median over the next 30 s.
 * Printed: idle RSS (the same worker process before any ticket), steady and peak RSS, and the
 * cost per cached workflow, (steady RSS − idle RSS) / cached workflows, with the cache full;
 * idle and steady, where the RSS lies (bench/memory-map.ts). BENCH_WORKER_NODE_FLAGS passes
 * node flags to the worker's process.
 * Targets: RSS ≤ 1 GiB steady and at peak; ≤ 100 KiB per cached ticket workflow.
 *
 * The worker runs in its own process, so the database is a PostgreSQL server: DATABASE_URL,
 * or the test PostgreSQL server (bench/stack.ts). TEMPORAL_ADDRESS names a real cluster.
 */
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IntakeLoadResult, LoadSpec } from './intake-load';
import { tailLog } from './log-tail';
import { formatMemoryMap, readMemoryMap } from './memory-map';
import type { WorkerSample } from './memory-worker';
import { PACER_NODE } from '../src/app/stack/pacer-processes';
import { startBenchPacer } from './pacer';
import { startBenchStack } from './stack';
import { median, runLoadProcess } from './support';

const N = Number(process.env.BENCH_TICKETS ?? 50_000);
const WAIT_MINUTES = Number(process.env.BENCH_WAIT_MINUTES ?? 60);
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 30);
/** Extra node flags for the worker's process (for example --trace-gc, whose lines tell each V8 heap's live and committed size). */
const WORKER_NODE_FLAGS = (process.env.BENCH_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const STEADY_SECONDS = 30;
const GiB = 1024 ** 3;
const mib = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM of `pid` in bytes. */
function procMemory(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

function ask(child: ChildProcess): Promise<WorkerSample> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as WorkerSample));
    child.send('sample');
  });
}

async function main(): Promise<void> {
  const stack = await startBenchStack({ serverDatabase: true });
  const pacer = await startBenchPacer(stack, { worker: false });
  const tail = tailLog(stack.db, { pollMs: 500, lookback: 256 });
  // Run as `npm run worker` runs node (scripts/pacer-node.sh: the C allocator's settings).
  const child = fork(path.join(__dirname, 'memory-worker.ts'), [], {
    execPath: 'bash',
    execArgv: [PACER_NODE, '--import', 'tsx', ...WORKER_NODE_FLAGS],
    env: { ...process.env, PACER_BENCH_DATABASE_URL: stack.databaseUrl!, PACER_BENCH_TEMPORAL_ADDRESS: stack.temporalAddress, PACER_BENCH_NAMESPACE: stack.namespace, PACER_BENCH_TASK_QUEUE: pacer.taskQueue },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    const pid = child.pid!;
    console.log(`worker: Pacer's, as npm run worker builds and runs it, in its own process (pid ${pid}), workflow cache ${pacer.workflowCacheSize}; API in this process`);
    await sleep(10_000);
    const idleRss = median(await Promise.all(Array.from({ length: 5 }, (_, i) => sleep(i * 1000).then(() => procMemory(pid).rss))));
    const idle = await ask(child);
    console.log(`worker idle (before any ticket): RSS ${mib(idleRss)}, heap ${mib(idle.heapUsed)}`);
    console.log(`  where it lies: ${formatMemoryMap(readMemoryMap(pid))}`);

    const org = await pacer.api<{ id: string }>('/api/v1/organizations', { body: { name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' }, expect: 201 });
    const started = Date.now();
    let peakRss = idleRss;
    let sampling = true;
    let last: WorkerSample = idle;
    let firstFull: { rss: number; at: number; cached: number } | undefined;
    const sampler = (async () => {
      let lastPrint = Date.now();
      while (sampling) {
        const mem = procMemory(pid);
        last = await ask(child);
        peakRss = Math.max(peakRss, mem.rss);
        if (!firstFull && last.cachedWorkflows >= pacer.workflowCacheSize) firstFull = { rss: mem.rss, at: Date.now(), cached: last.cachedWorkflows };
        if (Date.now() - lastPrint >= 60_000) {
          lastPrint = Date.now();
          console.log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: ${tail.created.size} first tasks run, worker RSS ${mib(mem.rss)} (high-water ${mib(mem.hwm)}), ${last.cachedWorkflows} workflows cached`);
        }
        await sleep(1000);
      }
    })();
    const spec: LoadSpec = { mode: 'api', n: N, concurrency: 24, organizationId: org.id, baseUrl: pacer.baseUrl, apiKey: pacer.adminKey, temporalAddress: stack.temporalAddress, namespace: stack.namespace, taskQueue: pacer.taskQueue };
    const load = await runLoadProcess<IntakeLoadResult>('intake-load.ts', spec);
    console.log(`open tickets: ${N}, created through the API in ${load.seconds.toFixed(0)} s (${(N / load.seconds).toFixed(1)}/s); ${tail.created.size} first tasks run by then`);
    const caughtUp = await tail.waitFor('created', load.ids, Date.now() + WAIT_MINUTES * 60_000);
    const openedIn = (Date.now() - started) / 1000;
    if (caughtUp) console.log(`every first task run ${openedIn.toFixed(0)} s after the first ticket was created (${(N / openedIn).toFixed(1)} tickets/s end to end)`);
    else console.log(`the worker had run the first task of only ${tail.created.size} of ${N} ticket workflows ${WAIT_MINUTES} min after the API created the last ticket (${openedIn.toFixed(0)} s in)`);

    await sleep(SETTLE_SECONDS * 1000);
    const steadySamples: number[] = [];
    for (let i = 0; i < STEADY_SECONDS; i++) {
      steadySamples.push(procMemory(pid).rss);
      await sleep(1000);
    }
    const steadyMap = readMemoryMap(pid);
    sampling = false;
    await sampler;
    const end = procMemory(pid);
    const steady = median(steadySamples);
    const after = await ask(child);
    peakRss = Math.max(peakRss, end.hwm);
    console.log(`worker with ${N} open tickets${caughtUp ? '' : ` (${tail.created.size} past their first task)`}: steady RSS ${mib(steady)} (median of ${STEADY_SECONDS} s, ${SETTLE_SECONDS} s after catching up), heap ${mib(after.heapUsed)}, ${after.cachedWorkflows} workflows cached; peak RSS ${mib(peakRss)} (VmHWM)`);
    console.log(`  where it lies: ${formatMemoryMap(steadyMap)}`);
    const perWorkflow = after.cachedWorkflows > 0 ? (steady - idleRss) / after.cachedWorkflows : NaN;
    const full = after.cachedWorkflows >= pacer.workflowCacheSize;
    console.log(`cost per cached workflow: (steady RSS ${mib(steady)} − idle ${mib(idleRss)}) / ${after.cachedWorkflows} cached = ${(perWorkflow / 1024).toFixed(0)} KiB${full ? ' (cache full)' : ' (cache NOT full: fewer tickets than its bound)'}`);
    if (firstFull) console.log(`  when the cache first filled (${((firstFull.at - started) / 1000).toFixed(0)} s in, mid-intake): RSS ${mib(firstFull.rss)}, (RSS − idle) / cached = ${((firstFull.rss - idleRss) / firstFull.cached / 1024).toFixed(0)} KiB`);
    console.log(`ratio steady RSS / idle: ${(steady / idleRss).toFixed(2)}; target RSS ≤ 1 GiB steady and at peak: ${caughtUp && steady <= GiB && peakRss <= GiB ? 'MET' : 'NOT MET'}; target ≤ 100 KiB per cached workflow: ${full && perWorkflow <= 100 * 1024 ? 'MET' : 'NOT MET'}${N < 50_000 ? ` — with ${N} tickets, not the 50,000 the targets name, this run decides neither` : ''}`);
  } finally {
    child.send('stop');
    await exited;
    await tail.stop();
    await pacer.close();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
