/**
 * What the benchmarks share: load scripts run as their own processes, waiting for the
 * worker to catch up, and percentiles. bench:lateness, bench:intake and bench:memory run on
 * bench/stack.ts (Pacer as `npm start` runs it); bench:api-read and bench:console run on
 * the test harness, through startBenchServices here.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { createLogger } from '../src/core/logger';
import { startTemporalDevServer } from '../src/app/stack/temporal-dev-server';

const loadAverage = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

/**
 * Quiet SDK logs; then brings up (or reuses) PostgreSQL and Temporal for the test harness and
 * prints what it runs on. The harness makes a fresh database on the PostgreSQL server of
 * DATABASE_URL (else PACER_TEST_DATABASE_URL, else the test server) and uses the Temporal at
 * TEMPORAL_ADDRESS (else PACER_TEST_TEMPORAL_ADDRESS, else an ephemeral dev server), namespace
 * default. Answers how to stop what it started.
 */
export async function startBenchServices(): Promise<{ stop(): Promise<void> }> {
  const log = createLogger('warn');
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  console.log(`machine: ${os.cpus().length} cores; load average (1/5/15 min) at start: ${loadAverage()}`);
  if (process.env.DATABASE_URL) process.env.PACER_TEST_DATABASE_URL = process.env.DATABASE_URL;
  if (process.env.TEMPORAL_ADDRESS) process.env.PACER_TEST_TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS;
  if (!process.env.PACER_TEST_DATABASE_URL) {
    const out = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ensure-test-postgres.sh')], { encoding: 'utf8' });
    process.env.PACER_TEST_DATABASE_URL = out.trim().split('\n').pop()!;
  }
  const db = new URL(process.env.PACER_TEST_DATABASE_URL);
  db.password = db.password ? '***' : '';
  let stopDev = async () => undefined as void;
  let kind = `TEMPORAL_ADDRESS ${process.env.PACER_TEST_TEMPORAL_ADDRESS}`;
  if (!process.env.PACER_TEST_TEMPORAL_ADDRESS) {
    const dev = await startTemporalDevServer({ log, ephemeral: true });
    process.env.PACER_TEST_TEMPORAL_ADDRESS = dev.address;
    kind = `ephemeral dev server (in memory) at ${dev.address}`;
    stopDev = () => dev.stop();
  }
  const connection = await Connection.connect({ address: process.env.PACER_TEST_TEMPORAL_ADDRESS });
  const info = await connection.workflowService.getClusterInfo({});
  await connection.close();
  console.log(`temporal: ${kind}; server ${info.serverVersion}, ${info.historyShardCount} history shard(s), persistence ${info.persistenceStore}`);
  console.log(`database: a fresh database on the PostgreSQL server ${db.host} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'the test server'})`);
  return {
    stop: async () => {
      console.log(`load average (1/5/15 min) at end: ${loadAverage()}`);
      await stopDev();
    },
  };
}

/**
 * Runs bench/<script> in its own Node process with `arg` as JSON and answers the JSON of its last
 * stdout line. The argument goes through a file named on the command line: 10,000 ticket paths
 * are more than the kernel lets a command line carry (E2BIG).
 */
export async function runLoadProcess<T>(script: string, arg: unknown): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pacer-bench-'));
  const specFile = path.join(dir, 'spec.json');
  try {
    await writeFile(specFile, JSON.stringify(arg));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(__dirname, script), specFile], { maxBuffer: 16 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as T;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Waits until the log holds at least `count` events of `type` (ticket.created: the worker ran the workflow's first task). */
export async function waitForEvents(db: Kysely<Database>, type: string, count: number, pollMs = 200): Promise<void> {
  for (;;) {
    const { n } = await db
      .selectFrom('ticket_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('type', '=', type)
      .executeTakeFirstOrThrow();
    if (Number(n) >= count) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** "p50 … p95 … p99 … max …" in milliseconds. */
export function describeLatencies(xs: readonly number[]): string {
  const f = (v: number) => `${v.toFixed(1)} ms`;
  return `p50 ${f(percentile(xs, 50))}, p95 ${f(percentile(xs, 95))}, p99 ${f(percentile(xs, 99))}, max ${f(Math.max(...xs))} (n=${xs.length})`;
}
