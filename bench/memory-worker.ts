/**
 * The worker of bench:memory, in its own process (forked by bench/memory.ts with an IPC
 * channel) so its resident memory is the worker's alone: Pacer's worker as `npm run worker`
 * builds it (src/app/worker.ts, Pacer's own workflows, the workflow cache
 * PACER_WORKFLOW_CACHE_SIZE sets, 2000 by default). Answers "sample" with
 * {rss, heapUsed, cachedWorkflows}; "stop" shuts it down.
 */
import os from 'node:os';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfig } from '../src/core/config';
import { openDatabase } from '../src/db/connect';
import { createLogger } from '../src/core/logger';
import { createPacerWorker } from '../src/app/worker';

export interface WorkerSample {
  rss: number;
  heapUsed: number;
  cachedWorkflows: number;
}

async function main(): Promise<void> {
  const log = createLogger('warn');
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  const database = await openDatabase({ url: process.env.PACER_BENCH_DATABASE_URL!, dataDir: os.tmpdir(), log });
  const connection = await NativeConnection.connect({ address: process.env.PACER_BENCH_TEMPORAL_ADDRESS! });
  const worker = await createPacerWorker({
    connection,
    namespace: process.env.PACER_BENCH_NAMESPACE!,
    taskQueue: process.env.PACER_BENCH_TASK_QUEUE!,
    db: database.db,
    workflowCacheSize: loadConfig().workflowCacheSize,
    log,
  });
  const running = worker.run();
  process.on('message', (m) => {
    if (m === 'sample') {
      const mem = process.memoryUsage();
      process.send!({ rss: mem.rss, heapUsed: mem.heapUsed, cachedWorkflows: worker.getStatus().numCachedWorkflows } satisfies WorkerSample);
    } else if (m === 'stop') {
      worker.shutdown();
    }
  });
  process.send!('ready');
  await running;
  await connection.close();
  await database.close();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
