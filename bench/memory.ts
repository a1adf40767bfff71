/**
 * npm run bench:memory — the worker's resident memory with BENCH_TICKETS open tickets
 * (default 50,000), each ticket's workflow having run its first task (ticket.created is in
 * the log) and now sleeping on its SLA timers. The worker runs in its own process
 * (bench/memory-worker.ts), so process.memoryUsage().rss there is the worker's alone.
 * Baseline in the same run: the same worker process, idle, before any ticket exists.
 * Target: worker RSS ≤ 1 GiB. What keeps it flat is the bounded workflow cache
 * (maxCachedWorkflows in src/temporal/worker.ts, 2000 by default): beyond it, sleeping
 * workflows are evicted and rebuilt from history when a timer or signal wakes them.
 *
 * BENCH_WAIT_MINUTES (default 10) bounds the wait for the worker once the API has created
 * the last ticket; a worker that has not caught up by then is reported, and not MET.
 *
 * This process runs the API; tickets come through it from bench/intake-load.ts.
 */
import crypto from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createPacerApp } from '../src/api/app';
import { createLogger } from '../src/logger';
import { createTestDatabase } from '../test/support/database';
import type { LoadSpec } from './intake-load';
import type { WorkerSample } from './memory-worker';
import { runLoadProcess, startBenchServices, waitForEvents } from './support';

const N = Number(process.env.BENCH_TICKETS ?? 50_000);
const WAIT_MINUTES = Number(process.env.BENCH_WAIT_MINUTES ?? 10);
const GiB = 1024 ** 3;
const mib = (b: number) => `${(b / 1024 ** 2).toFixed(0)} MiB`;

function sample(child: ChildProcess): Promise<WorkerSample> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as WorkerSample));
    child.send('sample');
  });
}

async function main(): Promise<void> {
  const services = await startBenchServices();
  const log = createLogger('warn');
  const database = await createTestDatabase();
  const taskQueue = `pacer-bench-${crypto.randomBytes(4).toString('hex')}`;
  const address = process.env.PACER_TEST_TEMPORAL_ADDRESS!;
  const child = fork(path.join(__dirname, 'memory-worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PACER_BENCH_DATABASE_URL: database.url, PACER_BENCH_TASK_QUEUE: taskQueue },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const connection = await Connection.connect({ address });
  const adminApiKey = `admin-${crypto.randomBytes(16).toString('hex')}`;
  const { app } = createPacerApp({ db: database.db, temporal: new Client({ connection }), taskQueue, adminApiKey, log });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 10_000));
    const idle = await sample(child);
    console.log(`worker idle (before any ticket): RSS ${mib(idle.rss)}, heap ${mib(idle.heapUsed)}`);

    const res = await fetch(`${baseUrl}/api/v1/organizations`, { method: 'POST', headers: { authorization: `Bearer ${adminApiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Bench ${crypto.randomUUID()}`, tier: 'enterprise' }) });
    const org = (await res.json()) as { id: string };
    let peak = idle.rss;
    let sampling = true;
    const started = Date.now();
    const sampler = (async () => {
      let lastPrint = Date.now();
      while (sampling) {
        const s = await sample(child);
        peak = Math.max(peak, s.rss);
        if (Date.now() - lastPrint >= 60_000) {
          lastPrint = Date.now();
          const { n } = await database.db.selectFrom('ticket_events').select((eb) => eb.fn.countAll<string>().as('n')).where('type', '=', 'ticket.created').executeTakeFirstOrThrow();
          console.log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: ${n} tickets started, worker RSS ${mib(s.rss)}, ${s.cachedWorkflows} workflows cached`);
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    const spec: LoadSpec = { mode: 'api', n: N, concurrency: 24, organizationId: org.id, baseUrl, apiKey: adminApiKey, temporalAddress: address, taskQueue };
    await runLoadProcess('intake-load.ts', spec);
    // The worker may lag far behind the API; report what it reached rather than wait without end.
    const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), WAIT_MINUTES * 60_000).unref());
    const caughtUp = (await Promise.race([waitForEvents(database.db, 'ticket.created', N, 1000), deadline])) !== 'late';
    const openedIn = (Date.now() - started) / 1000;
    const { n: startedCount } = await database.db.selectFrom('ticket_events').select((eb) => eb.fn.countAll<string>().as('n')).where('type', '=', 'ticket.created').executeTakeFirstOrThrow();
    if (!caughtUp) console.log(`the worker had run the first task of only ${startedCount} of ${N} ticket workflows ${WAIT_MINUTES} min after the API created the last ticket`);
    await new Promise((r) => setTimeout(r, 10_000));
    sampling = false;
    await sampler;
    const after = await sample(child);
    peak = Math.max(peak, after.rss);
    console.log(`open tickets: ${N}, ${startedCount} of their workflows past their first task, ${openedIn.toFixed(0)} s after the first was created`);
    console.log(`worker with ${N} open tickets: RSS ${mib(after.rss)}, heap ${mib(after.heapUsed)}, ${after.cachedWorkflows} workflows cached (maxCachedWorkflows bound: 2000 by default); peak RSS while opening ${mib(peak)}`);
    console.log(`ratio RSS with tickets / idle: ${(after.rss / idle.rss).toFixed(2)}; target RSS ≤ 1 GiB: ${caughtUp && after.rss <= GiB && peak <= GiB ? 'MET' : 'NOT MET'}`);
  } finally {
    child.send('stop');
    await exited;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await connection.close();
    await database.drop();
    await services.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
