/**
 * The services a benchmark runs on, chosen as `npm start` chooses them: TEMPORAL_ADDRESS
 * names a running Temporal (a real cluster), otherwise a Temporal dev server is started
 * with the flags of temporal-dev.yaml and a SQLite file, as `npm start` runs it (in a
 * throw-away directory, on free ports); DATABASE_URL names a PostgreSQL server, otherwise
 * the embedded PGlite `npm start` uses. A benchmark never writes into the database it is
 * pointed at: on a PostgreSQL server it creates a fresh database beside it (the role needs
 * CREATEDB) and drops it at the end, so its counts are its own and nothing is left behind.
 *
 * What it ran on is printed, with the load average at start and end, so a reader can tell
 * a quiet machine from a busy one.
 */
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { sql, type Kysely } from 'kysely';
import { Pool } from 'pg';
import { openDatabase } from '../src/db/connect';
import { migrateToLatest } from '../src/db/migrate';
import type { Database } from '../src/db/schema';
import { seedDefaults } from '../src/db/seed-defaults';
import { createLogger, type Logger } from '../src/core/logger';
import { startTemporalDevServer } from '../src/app/stack/temporal-dev-server';

export interface BenchStack {
  log: Logger;
  temporalAddress: string;
  /** True when TEMPORAL_ADDRESS named the server (a cluster); false for the dev server npm start runs. */
  temporalExternal: boolean;
  namespace: string;
  db: Kysely<Database>;
  /** postgres:// URL of the bench's own database, or null when it is the embedded PGlite (one process only). */
  databaseUrl: string | null;
  /** The Temporal server's Prometheus endpoint (the dev server's metrics port, or TEMPORAL_METRICS_URL), or null. */
  temporalMetricsUrl: string | null;
  /** Prints the closing load average, then stops what the stack started. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** The worker runs in a process of its own: the database must be a server (PGlite lives in one process). */
  serverDatabase?: boolean;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** A fresh database on the server `serverUrl` names; answers its URL and how to drop it. */
async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pacer_bench_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export async function startBenchStack(opts: StackOptions = {}): Promise<BenchStack> {
  const log = createLogger('warn');
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB; load average (1/5/15 min) at start: ${loadAverage()}`);
  const stops: Array<() => Promise<void>> = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-bench-'));
  stops.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  try {
    let temporalAddress = process.env.TEMPORAL_ADDRESS?.trim() || '';
    const temporalExternal = temporalAddress !== '';
    const namespace = process.env.TEMPORAL_NAMESPACE?.trim() || 'default';
    let temporalKind: string;
    let temporalMetricsUrl = process.env.TEMPORAL_METRICS_URL?.trim() || null;
    if (temporalAddress) {
      temporalKind = `TEMPORAL_ADDRESS ${temporalAddress}, namespace ${namespace}`;
    } else {
      const dev = await startTemporalDevServer({ log, dbFile: path.join(dir, 'temporal.sqlite'), ports: { port: 0, httpPort: 0, metricsPort: 0, uiPort: 0 }, ui: false });
      stops.push(() => dev.stop());
      temporalAddress = dev.address;
      temporalMetricsUrl = `http://127.0.0.1:${dev.ports.metricsPort}/metrics`;
      temporalKind = `dev server as npm start runs it (temporal-dev.yaml, SQLite file) at ${dev.address}, metrics on port ${dev.ports.metricsPort}`;
    }
    const connection = await Connection.connect({ address: temporalAddress });
    const info = await connection.workflowService.getClusterInfo({});
    await connection.close();
    console.log(`temporal: ${temporalKind}; server ${info.serverVersion}, ${info.historyShardCount} history shard(s), persistence ${info.persistenceStore}, visibility ${info.visibilityStore}`);

    let serverUrl = process.env.DATABASE_URL?.trim() || '';
    let databaseKind = 'DATABASE_URL';
    if (!serverUrl && opts.serverDatabase) {
      // PGlite cannot be shared with a second process: fall back on the test PostgreSQL server.
      const out = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ensure-test-postgres.sh')], { encoding: 'utf8' });
      serverUrl = out.trim().split('\n').pop()!;
      databaseKind = 'the test PostgreSQL server (no DATABASE_URL; the worker runs in its own process, and the embedded PGlite serves one process only)';
    }
    let db: Kysely<Database>;
    let databaseUrl: string | null = null;
    let description: string;
    if (serverUrl) {
      const fresh = await freshDatabase(serverUrl);
      stops.push(() => fresh.drop());
      const handle = await openDatabase({ url: fresh.url, dataDir: dir, log });
      stops.push(() => handle.close());
      db = handle.db;
      databaseUrl = fresh.url;
      description = `PostgreSQL from ${databaseKind}, fresh database ${redact(fresh.url)}`;
    } else {
      const handle = await openDatabase({ dataDir: dir, log });
      stops.push(() => handle.close());
      db = handle.db;
      description = `embedded PGlite as npm start runs it (one connection), ${handle.description}`;
    }
    await migrateToLatest(db, log);
    await seedDefaults(db);
    const { rows } = await sql<{ version: string }>`select version()`.execute(db);
    console.log(`database: ${description}; ${rows[0]!.version.split(',')[0]}`);

    let stopped = false;
    return {
      log,
      temporalAddress,
      temporalExternal,
      namespace,
      db,
      databaseUrl,
      temporalMetricsUrl,
      async stop() {
        if (stopped) return;
        stopped = true;
        console.log(`load average (1/5/15 min) at end: ${loadAverage()}`);
        for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('while stopping:', err));
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}
