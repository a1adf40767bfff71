/**
 * `npm start`: the whole service in one process — the Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), the database (PostgreSQL at DATABASE_URL or embedded PGlite),
 * migrations and default data, the worker and the API.
 * `--only=api` / `--only=worker` run one half, for scale-out against a shared Temporal
 * cluster and PostgreSQL.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, makeTelemetryFilterString, type Worker } from '@temporalio/worker';
import { loadConfig } from '../core/config';
import { createLogger, sdkLogFunction, type Logger } from '../core/logger';
import { openDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { seedDefaults } from '../db/seed-defaults';
import { createPacerApp } from './http-app';
import { loadIntegrationConfig } from '../integrations/config';
import { startIntegrationServers } from '../integrations/servers';
import { createPacerWorker } from './worker';
import { connectWorkerUntilUp } from './connect-until-up';
import { startOrphanReconciler } from '../domain/tickets/reconcile-orphans';
import { reconcileIncidentOrphans } from '../domain/incidents/reconcile-incident-orphans';
import { reconcilePendingRollouts } from '../domain/settings/rollouts';
import { reconcileContractPeriods } from '../domain/contracts/contract-periods';
import { buildIntegrations } from '../../activities/registries';
import { startTemporalDevServer, type TemporalDevServer } from './stack/temporal-dev-server';
import { startKbSearch } from '../domain/search/kb-search-stack';
import { startReportRefresher } from '../domain/reports/summary-refresh';
import { startMetricsServer } from './metrics-endpoint';
import { loadClassifySettings } from '../core/classify-settings';

type Part = 'api' | 'worker';

/** A loopback port free now, for the SDK's exporter when PACER_TEMPORAL_METRICS_ADDRESS names none. */
async function freeLoopbackAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

function partsFromArgs(argv: string[]): Part[] {
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (only === undefined) return ['api', 'worker'];
  if (only === 'api' || only === 'worker') return [only];
  throw new Error(`--only must be api or worker, not "${only}"`);
}

async function main(log: Logger): Promise<void> {
  const parts = partsFromArgs(process.argv.slice(2));
  const config = loadConfig();
  const integrations = loadIntegrationConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const metricsOn = config.metricsToken !== undefined || config.metricsPort !== undefined;
  // The SDK's own metrics (task slots, poll and schedule-to-start latencies, failures) come from the worker's Rust core; the API's
  // client connection is not the core's, so only a worker process has them. Served on loopback and folded into /metrics.
  const sdkMetricsAddress = metricsOn && parts.includes('worker') ? (config.temporalMetricsAddress ?? (await freeLoopbackAddress())) : undefined;
  const sdkMetricsUrl = sdkMetricsAddress === undefined ? undefined : `http://${sdkMetricsAddress}/metrics`;
  // Once, before any worker or connection exists. The SDK's INFO lines (bundle statistics, worker state) are noise in a
  // service log. Its lines go through Pacer's logger: an activity failure prints its error whole, scrubbed there.
  Runtime.install({
    logger: new DefaultLogger('WARN', sdkLogFunction(log)),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(sdkMetricsAddress !== undefined && { metrics: { prometheus: { bindAddress: sdkMetricsAddress, useSecondsForDurations: true } } }),
    },
  });

  const stops: Array<() => Promise<void>> = [];
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    for (const stop of stops.reverse()) await stop().catch((err) => log.warn({ err }, 'error while stopping'));
    process.exit(0);
  };
  // `on`, not `once`: a listener that stays tells the dev server's orphan guard that Pacer owns
  // shutdown (with `once` it saw itself alone, re-raised the signal and killed the process before
  // the worker and database stopped). A second signal during shutdown means "now".
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      log.warn({ signal }, 'second signal during shutdown; exiting at once');
      process.exit(1);
    }
    shuttingDown = true;
    void shutdown(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let temporalAddress = config.temporalAddress;
  if (!temporalAddress) {
    const dev: TemporalDevServer = await startTemporalDevServer({ log, dbFile: path.resolve(config.dataDir, 'temporal.sqlite'), portOffset: config.temporalPortOffset });
    stops.push(() => dev.stop());
    temporalAddress = dev.address;
    log.info({ address: dev.address, ui: dev.uiUrl }, 'Temporal dev server ready');
  }

  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, log, poolSize: config.dbPoolSize });
  stops.push(() => database.close());
  await migrateToLatest(database.db, log);
  await seedDefaults(database.db);
  log.info({ database: database.description }, 'database ready');

  // Typesense beside Pacer (or the one configured); the worker process carries the search outbox to it.
  const kbSearch = await startKbSearch({ db: database.db, log, mode: config.search, typesenseUrl: config.typesenseUrl, typesenseApiKey: config.typesenseApiKey, dataDir: config.dataDir, runDrainer: parts.includes('worker') });
  stops.push(() => kbSearch.stop());

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  if (parts.includes('worker')) {
    const connection = await connectWorkerUntilUp(temporalAddress, log);
    worker = await createPacerWorker({ connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, db: database.db, workflowCacheSize: config.workflowCacheSize, integrations, kbSearch: kbSearch.search, log });
    workerRun = worker.run();
    stops.push(async () => {
      // The SDK's runtime may already be draining it on the same signal (its own shutdownSignals).
      if (worker!.getState() === 'RUNNING') worker!.shutdown();
      await workerRun;
      await connection.close();
    });
    // Every worker repairs orphans on its queue: the pass is idempotent (workflow ids are ticket ids), so several may run.
    // Lazy: a Temporal outage right now fails a reconciliation pass (the next one tries again), never the worker's start.
    const reconcilerConnection = Connection.lazy({ address: temporalAddress });
    const reconciler = startOrphanReconciler({
      db: database.db,
      client: new Client({ connection: reconcilerConnection, namespace: config.temporalNamespace }),
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      hookTypes: buildIntegrations({ db: database.db, config: integrations, log }).hooks.types(),
      everyMs: config.reconcileIntervalSeconds * 1000,
      // Rollouts whose save committed but whose start was lost (a crash between the two) are started here,
      // and so is the period workflow of any contract that has none running.
      also: [reconcileIncidentOrphans, reconcilePendingRollouts, reconcileContractPeriods],
      log,
    });
    stops.push(async () => {
      await reconciler.stop();
      await reconcilerConnection.close();
    });
    // Report summaries follow the event log in the background, so a report read rarely has a queue to catch up on first.
    const reportRefresher = startReportRefresher(database.db, log);
    stops.push(() => reportRefresher.stop());
    // Last: whoever waits for this line (a supervisor, the fault suite) may rely on every part of the worker being up.
    log.info({ taskQueue: config.taskQueue }, 'worker running');
  }

  if (parts.includes('api')) {
    // Lazy: the API starts (and answers 503 for what needs Temporal, /healthz saying so) while Temporal is down.
    const connection = Connection.lazy({ address: temporalAddress });
    const client = new Client({ connection, namespace: config.temporalNamespace });
    const { app, lifecycle, tickets } = createPacerApp({ db: database.db, temporal: client, taskQueue: config.taskQueue, adminApiKey: config.adminApiKey, log, integrations, trustProxy: config.trustProxy, classify: loadClassifySettings(process.env), kb: { search: kbSearch.search, defaultLocale: config.kbDefaultLocale, onChange: () => kbSearch.drainer?.wake() }, ...(config.metricsToken !== undefined && { metrics: { token: config.metricsToken, sdkMetricsUrl } }) });
    for (const stop of await startIntegrationServers({ db: database.db, lifecycle, tickets, config: integrations, log })) stops.push(stop);
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(config.port, () => resolve(s));
    });
    stops.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    });
    log.info({ url: config.publicUrl, adminKey: config.adminApiKey ? 'configured' : 'not set (PACER_ADMIN_API_KEY)' }, 'API listening');
  }

  // Without an API port, only PACER_METRICS_PORT can serve this process's metrics.
  if (config.metricsToken !== undefined && config.metricsPort === undefined && !parts.includes('api')) log.warn({}, 'PACER_METRICS_TOKEN is set but this process serves no API: set PACER_METRICS_PORT to scrape it');
  if (config.metricsPort !== undefined) {
    // The ticket gauges come from the processes that serve the API, so a sum over instances does not count workers too.
    const metrics = await startMetricsServer({ port: config.metricsPort, host: config.metricsHost, token: config.metricsToken, db: parts.includes('api') ? database.db : undefined, sdkMetricsUrl, log });
    stops.push(metrics.stop);
    log.info({ url: metrics.url, bearer: config.metricsToken ? 'required' : 'not required (PACER_METRICS_TOKEN unset)' }, 'metrics listening');
  }

  // A worker that stops on its own (fatal error) takes the process down, loudly.
  if (workerRun) await workerRun;
}

const log = createLogger();
main(log).catch((err) => {
  log.fatal({ err }, 'Pacer failed to start');
  process.exit(1);
});
