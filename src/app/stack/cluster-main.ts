/**
 * `npm run cluster`: the real Temporal cluster of temporal-cluster.yaml (built on first use,
 * PostgreSQL persistence and visibility, 16 history shards), set up and run in the
 * foreground. Prints the TEMPORAL_ADDRESS and DATABASE_URL for `npm run api` / `npm run
 * worker`; Ctrl-C stops it cleanly (Pacer processes, then the server, then PostgreSQL).
 *
 *   npm run cluster -- --with-pacer[=N] [--api-port=3000]
 * also runs N API processes (ports 3000, 3001, ...) and N workers against it.
 */
import path from 'node:path';
import { createLogger } from '../../core/logger';
import { PROJECT_ROOT } from './config-file';
import { startPacerProcess, type PacerProcess } from './pacer-processes';
import { startTemporalCluster } from './temporal-cluster';

function parseArgs(argv: string[]): { withPacer: number; apiPort: number } {
  let withPacer = 0;
  let apiPort = 3000;
  for (const arg of argv) {
    const [flag, value] = arg.split('=', 2);
    if (flag === '--with-pacer') withPacer = value === undefined ? 2 : Number(value);
    else if (flag === '--api-port') apiPort = Number(value);
    else throw new Error(`unknown argument ${arg} (expected --with-pacer[=N], --api-port=P)`);
  }
  if (!Number.isInteger(withPacer) || withPacer < 0 || withPacer > 16) throw new Error('--with-pacer takes a count from 0 to 16');
  if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort + withPacer > 65535) throw new Error('--api-port must be a port');
  return { withPacer, apiPort };
}

async function main(): Promise<void> {
  const log = createLogger();
  const args = parseArgs(process.argv.slice(2));
  const pacer: PacerProcess[] = [];
  let cluster: Awaited<ReturnType<typeof startTemporalCluster>> | null = null;
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping the cluster');
    await Promise.all(pacer.map((p) => p.stop('SIGTERM')));
    // Interrupted during set-up: the 'exit' hooks of the stack modules end what was started.
    await cluster?.stop();
    process.exit(code);
  };
  // Installed before anything starts: without a handler a signal ends the process without
  // its 'exit' hooks, and the detached server and PostgreSQL would be left running.
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  cluster = await startTemporalCluster({ log });
  void cluster.exited.then(() => void shutdown('the Temporal server exited on its own', 1));

  const env = { TEMPORAL_ADDRESS: cluster.address, TEMPORAL_NAMESPACE: cluster.namespace, DATABASE_URL: cluster.databaseUrl };
  const banner = [
    '',
    `Temporal cluster ready: server ${cluster.version}, ${cluster.numHistoryShards} history shards, PostgreSQL persistence and visibility on ${cluster.postgres.host}:${cluster.postgres.port}`,
    `  TEMPORAL_ADDRESS=${cluster.address}`,
    `  DATABASE_URL=${cluster.databaseUrl}`,
    `  metrics: ${cluster.metricsUrl}`,
    'Run Pacer against it from other terminals, as many of each as you like (distinct PORTs for APIs):',
    `  TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS} DATABASE_URL=${env.DATABASE_URL} PORT=3000 npm run api`,
    `  TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS} DATABASE_URL=${env.DATABASE_URL} npm run worker`,
    'Ctrl-C stops it.',
    '',
  ];
  process.stdout.write(`${banner.join('\n')}\n`);

  const relay = (name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`);
  // A data directory each: what a process keeps locally (an embedded search index) is its own.
  const own = (name: string) => ({ ...env, PACER_DATA_DIR: path.join(PROJECT_ROOT, 'data', 'cluster-pacer', name) });
  for (let i = 0; i < args.withPacer; i++) {
    // The first API migrates the database; the rest start once it is done.
    const api = startPacerProcess({ part: 'api', name: `api-${i + 1}`, env: { ...own(`api-${i + 1}`), PORT: String(args.apiPort + i) }, onLine: relay });
    pacer.push(api);
    if (i === 0) await api.ready();
    pacer.push(startPacerProcess({ part: 'worker', name: `worker-${i + 1}`, env: own(`worker-${i + 1}`), onLine: relay }));
  }
  try {
    await Promise.all(pacer.map((p) => p.ready()));
  } catch (err) {
    // A Ctrl-C while they start ends them before they are ready: that is no failure.
    if (stopping) return;
    process.stderr.write(`npm run cluster: a Pacer process failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown('a Pacer process failed to start', 1);
    return;
  }
  if (pacer.length) process.stdout.write(`Pacer: ${pacer.filter((p) => p.url).map((p) => p.url).join(', ')} and ${args.withPacer} worker(s) running\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run cluster failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
