/**
 * npm run bench:cache-cost — what one cached workflow costs the worker, measured where it
 * lives: the JavaScript heap after a full collection. The worker of this process (the
 * benchmarks' bundle: every Pacer workflow plus the bare same-shape workflow, on Pacer's
 * worker settings) caches BENCH_TICKETS bare workflows first, then as many ticket
 * workflows created through the API; after each phase, with every workflow's first task
 * done and the cache holding them all, the heap is measured after `gc()` twice. The cost
 * per workflow is the growth over the phase divided by its count; the bare workflow's is
 * the baseline, so the ratio says what Pacer's own code adds.
 *
 * It is the diagnostic behind bench:memory's per-workflow figure: minutes instead of an
 * hour, and heap bytes, which do not depend on what else the machine runs (RSS is printed
 * beside them). Run with `node --expose-gc` (the npm script does).
 */
import crypto from 'node:crypto';
import v8 from 'node:v8';
import { sql } from 'kysely';
import { startBenchPacer } from './pacer';
import { startBenchStack } from './stack';
import { runConcurrently } from './intake-load';
import { waitForEvents } from './support';
import { SHARED_WORKFLOW_MODULES } from '../src/app/workflow-bundle';

const N = Number(process.env.BENCH_TICKETS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const KiB = 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Memory {
  heap: number;
  rss: number;
}

async function settledMemory(): Promise<Memory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:cache-cost does)');
  await sleep(2000);
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

/** BENCH_HEAP_SNAPSHOT=prefix writes the heap after each phase (with BENCH_MAIN_THREAD=1 it holds the workflows), for a diff in Chrome's memory tool. */
function snapshot(phase: string): void {
  const prefix = process.env.BENCH_HEAP_SNAPSHOT;
  if (prefix) console.log(`heap snapshot: ${v8.writeHeapSnapshot(`${prefix}-${phase}.heapsnapshot`)}`);
}

async function main(): Promise<void> {
  // Every workflow of both phases stays cached: the figure is the cost of a cached one.
  process.env.PACER_WORKFLOW_CACHE_SIZE = String(2 * N + 100);
  const stack = await startBenchStack();
  // Workflows run in a worker thread whose heap this process cannot collect or read; BENCH_MAIN_THREAD=1 runs them in
  // the main thread (the SDK's debugMode), the same code, so the heap figures are theirs.
  const mainThread = process.env.BENCH_MAIN_THREAD === '1';
  const pacer = await startBenchPacer(stack, { workerOptions: mainThread ? { debugMode: true } : {} });
  try {
    const org = await pacer.api<{ id: string }>('/api/v1/organizations', { body: { name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' }, expect: 201 });
    // One ticket first, so what every ticket shares (the first policy lookup, prepared statements, the bundle's shared modules) is in the idle figure.
    await pacer.api('/api/v1/tickets', { body: { subject: 'warm-up', description: 'warm-up', requester: { email: 'w@bench.test' }, organizationId: org.id }, expect: 201 });
    await waitForEvents(stack.db, 'ticket.created', 1);
    const idle = await settledMemory();
    console.log(`workflows: ${N} bare, then ${N} tickets; cache ${pacer.workflowCacheSize}; concurrency ${CONCURRENCY}; workflows run in ${mainThread ? 'the main thread (heap figures include them)' : "the SDK's workflow thread (heap figures are the main thread's share only)"}`);

    const batch = crypto.randomBytes(4).toString('hex');
    await runConcurrently(N, CONCURRENCY, async (i) => {
      const id = `bench-bare-${batch}-${i}`;
      await pacer.client.workflow.start('bareTicketWorkflow', { workflowId: id, taskQueue: pacer.taskQueue, args: [id, null] });
    });
    await waitForMarks(stack.db, N);
    await waitForCache(pacer, N + 1);
    const bare = await settledMemory();
    snapshot('bare');

    await runConcurrently(N, CONCURRENCY, async (i) => {
      await pacer.api('/api/v1/tickets', { body: { subject: `Checkout fails #${i}`, description: 'Customers see an error at payment', requester: { email: `c${i}@bench.test` }, organizationId: org.id }, expect: 201 });
    });
    await waitForEvents(stack.db, 'ticket.created', N + 1);
    await waitForCache(pacer, 2 * N + 1);
    const tickets = await settledMemory();
    snapshot('tickets');

    const perBare = (bare.heap - idle.heap) / N;
    const perTicket = (tickets.heap - bare.heap) / N;
    const kib = (b: number) => `${(b / KiB).toFixed(1)} KiB`;
    console.log(`idle: heap ${kib(idle.heap)}, RSS ${kib(idle.rss)}`);
    console.log(`bare same-shape workflow: ${kib(perBare)} heap per cached workflow (RSS ${kib((bare.rss - idle.rss) / N)} each)`);
    console.log(`Pacer ticket workflow:    ${kib(perTicket)} heap per cached workflow (RSS ${kib((tickets.rss - bare.rss) / N)} each)`);
    // In the SDK's workflow thread (what the worker runs) the workflows' heap is not this thread's: RSS is the figure; in the main thread, the heap is.
    const [figure, ticketCost] = mainThread ? ['heap', perTicket] : ['RSS', (tickets.rss - bare.rss) / N];
    console.log(`ratio ticket / bare (heap): ${(perTicket / perBare).toFixed(2)}; target ≤ 100 KiB per cached ticket workflow (${figure}): ${ticketCost <= 100 * KiB ? 'MET' : 'NOT MET'} (${kib(ticketCost)})`);
    console.log(`shared workflow modules: ${SHARED_WORKFLOW_MODULES.length ? SHARED_WORKFLOW_MODULES.join(', ') : 'none (PACER_SHARE_WORKFLOW_MODULES=0)'}`);
  } finally {
    await pacer.close();
    await stack.stop();
  }
}

async function waitForMarks(db: Parameters<typeof waitForEvents>[0], count: number): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from bench_marks where kind = 'created'`.execute(db);
    if (Number(rows[0]!.n) >= count) return;
    await sleep(200);
  }
}

async function waitForCache(pacer: { cachedWorkflows(): number }, count: number): Promise<void> {
  while (pacer.cachedWorkflows() < count) await sleep(200);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
