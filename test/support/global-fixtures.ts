// Why: starting PostgreSQL and Temporal per test file would cost seconds each; one set per
// mocha run, started before any spec and stopped after the last, keeps the suite fast.
// Each piece is skipped when its variable is already set, so a developer can point the
// tests at services they keep running (see test/support/env.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { StackLogFn, StackLogger } from '../../src/app/stack/temporal-cli';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/app/stack/temporal-dev-server';
import { startTypesenseServer, type TypesenseServer } from '../../src/domain/search/typesense-server';

const ROOT = path.resolve(__dirname, '..', '..');
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

let devServer: TemporalDevServer | null = null;
let typesense: TypesenseServer | null = null;

export async function mochaGlobalSetup(): Promise<void> {
  // Workers log state changes and retried activity failures at INFO; tests only want warnings.
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  if (!process.env.PACER_TEST_DATABASE_URL) {
    process.env.PACER_TEST_DATABASE_URL = lastLineOf('scripts/ensure-test-postgres.sh');
  }
  if (!process.env.PACER_TEST_TIME_SKIPPING_SERVER) {
    process.env.PACER_TEST_TIME_SKIPPING_SERVER = lastLineOf('scripts/fetch-temporal-test-server.sh');
  }
  if (!process.env.PACER_TEST_TEMPORAL_ADDRESS) {
    devServer = await startTemporalDevServer({ ephemeral: true, log: testLogger('temporal-dev-server') });
    process.env.PACER_TEST_TEMPORAL_ADDRESS = devServer.address;
    process.env.PACER_TEST_TEMPORAL_NAMESPACE = devServer.namespace;
  }
  if (!process.env.PACER_TEST_TYPESENSE_URL) {
    // One real Typesense for the run (about 0.5 s to start); each knowledge-base suite searches its own alias.
    typesense = await startTypesenseServer({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'pacer-typesense-')), log: typesenseLog(testLogger('typesense')) });
    process.env.PACER_TEST_TYPESENSE_URL = typesense.url;
    process.env.PACER_TEST_TYPESENSE_API_KEY = typesense.apiKey;
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  await devServer?.stop();
  devServer = null;
  await typesense?.stop();
  if (typesense) rmSync(typesense.dataDir, { recursive: true, force: true });
  typesense = null;
}

/** Runs a prerequisite script; its progress goes to our stderr, its answer is its last stdout line. */
function lastLineOf(script: string): string {
  let out: string;
  try {
    out = execFileSync('bash', [path.join(ROOT, script)], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (err) {
    throw new Error(`${script} failed: ${(err as Error).message}`, { cause: err });
  }
  const line = out.trim().split('\n').pop()?.trim();
  if (!line) throw new Error(`${script} printed nothing on stdout`);
  return line;
}

/**
 * A stderr logger for infrastructure started by the tests, quiet by default so spec output
 * stays readable. PACER_TEST_LOG_LEVEL=debug shows everything the servers say.
 */
export function testLogger(name: string): StackLogger {
  const wanted = process.env.PACER_TEST_LOG_LEVEL ?? 'warn';
  const threshold = Math.max(0, LEVELS.indexOf(wanted as (typeof LEVELS)[number]));
  const at = (level: (typeof LEVELS)[number]): StackLogFn =>
    LEVELS.indexOf(level) < threshold
      ? () => undefined
      : (fields, msg) => process.stderr.write(`[${name}] ${level.toUpperCase()} ${msg} ${JSON.stringify(fields)}\n`);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const typesenseLog = (l: StackLogger) => ({ info: l.info, warn: l.warn, error: l.error });
