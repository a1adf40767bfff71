/**
 * Pacer in the benchmark's own process, as `npm start` runs it in one: the worker (the
 * benchmarks' bundle, so the bare baseline workflows run on the very same worker and
 * settings as the tickets) and the API on a loopback port, on the services of a BenchStack.
 * PACER_WORKFLOW_CACHE_SIZE sizes the workflow cache as it does for `npm start`.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { createActivities } from '../activities';
import { classifyingFailures } from '../src/db/failure-classes';
import { createPacerApp } from '../src/app/http-app';
import { loadConfig } from '../src/core/config';
import type { Database } from '../src/db/schema';
import type { Logger } from '../src/core/logger';
import { createPacerWorker } from '../src/app/worker';
import { bundlePacerWorkflows } from '../src/app/workflow-bundle';
import { benchActivities, createBenchMarksTable } from './bench-activities';
import type { BenchStack } from './stack';

export interface BenchPacer {
  baseUrl: string;
  adminKey: string;
  client: Client;
  taskQueue: string;
  workflowCacheSize: number;
  /** Workflows the in-process worker holds in its cache now (0 without a worker). */
  cachedWorkflows(): number;
  /** fetch against the API with the admin key; throws unless the answer is `expect`. */
  api<T = unknown>(path: string, init: { method?: string; body?: unknown; expect: number }): Promise<T>;
  close(): Promise<void>;
}

export function benchWorkflowBundle(): Promise<WorkflowBundle> {
  return bundlePacerWorkflows(require.resolve('./bench-workflows'));
}

/** Pacer's worker on `taskQueue`, with the bare workflows' activity registered beside Pacer's. */
export async function createBenchWorker(o: { connection: NativeConnection; namespace: string; taskQueue: string; db: Kysely<Database>; log: Logger; workflowBundle: WorkflowBundle; workflowCacheSize: number; extra?: Partial<WorkerOptions> }): Promise<Worker> {
  await createBenchMarksTable(o.db);
  return createPacerWorker({
    ...o,
    // Registered as createPacerWorker registers Pacer's own, plus the bench activity (its `activities` option only overrides Pacer's names).
    extra: { ...o.extra, activities: classifyingFailures({ ...createActivities({ db: o.db, log: o.log }), ...benchActivities(o.db) }) },
  });
}

export async function startBenchPacer(stack: BenchStack, opts: { worker?: boolean; workerOptions?: Partial<WorkerOptions> } = {}): Promise<BenchPacer> {
  const { log, db } = stack;
  const workflowCacheSize = loadConfig().workflowCacheSize;
  const taskQueue = `pacer-bench-${crypto.randomBytes(4).toString('hex')}`;
  const adminKey = `admin-${crypto.randomBytes(16).toString('hex')}`;
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: stack.namespace });
  await createBenchMarksTable(db);

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  if (opts.worker !== false) {
    nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    worker = await createBenchWorker({ connection: nativeConnection, namespace: stack.namespace, taskQueue, db, log, workflowBundle: await benchWorkflowBundle(), workflowCacheSize, extra: opts.workerOptions });
    running = worker.run();
  }
  const { app } = createPacerApp({ db, temporal: client, taskQueue, adminApiKey: adminKey, log });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    adminKey,
    client,
    taskQueue,
    workflowCacheSize,
    cachedWorkflows: () => worker?.getStatus().numCachedWorkflows ?? 0,
    async api<T>(path: string, init: { method?: string; body?: unknown; expect: number }): Promise<T> {
      const res = await fetch(baseUrl + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${adminKey}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      if (res.status !== init.expect) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : null) as T;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker) {
        worker.shutdown();
        await running;
      }
      await connection.close();
      await nativeConnection?.close();
    },
  };
}
