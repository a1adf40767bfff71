/**
 * A Pacer process that starts while Temporal is down waits for it instead of exiting: the
 * worker keeps trying and starts polling once the frontend answers, and the API listens at
 * once and says Temporal is down until it is up. Without this a restart of Temporal and Pacer
 * together (or Temporal dying during a worker's start-up, as the fault suite once caught)
 * leaves a queue with no worker and a ladder that never fires.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/app/stack/temporal-dev-server';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testLogger } from '../support/global-fixtures';
import { freePort } from '../support/private-postgres';

const ROOT = path.resolve(__dirname, '..', '..');

interface PacerProcess {
  child: ChildProcess;
  lines: string[];
  exit: { code: number | null } | null;
}

function startPacer(only: 'worker' | 'api', env: NodeJS.ProcessEnv): PacerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts', `--only=${only}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: PacerProcess = { child, lines: [], exit: null };
  createInterface({ input: child.stdout! }).on('line', (l) => p.lines.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => p.lines.push(l));
  child.once('exit', (code) => (p.exit = { code }));
  return p;
}

async function waitFor(what: string, test: () => boolean | Promise<boolean>, ms: number, p: PacerProcess): Promise<void> {
  const until = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > until) assert.fail(`${what} within ${ms} ms; last lines:\n${p.lines.slice(-10).join('\n')}`);
    await sleep(200);
  }
}

describe('a Pacer process started while Temporal is down', function () {
  this.timeout(180_000);
  let tmp: string;
  let database: TestDatabase;
  let temporalPort: number;
  let apiPort: number;
  let dev: TemporalDevServer | undefined;
  const procs: PacerProcess[] = [];
  let worker: PacerProcess;
  let api: PacerProcess;

  const health = async () => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/healthz`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as { temporal?: string } };
  };

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-temporal-down-'));
    database = await createTestDatabase();
    temporalPort = await freePort();
    apiPort = await freePort();
    const env = {
      ...process.env,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      PACER_TASK_QUEUE: `pacer-temporal-down-${temporalPort}`,
      PACER_DATA_DIR: tmp,
      PACER_SEARCH: 'postgres',
      PACER_LOG_LEVEL: 'info',
      PORT: String(apiPort),
    };
    worker = startPacer('worker', env);
    api = startPacer('api', env);
    procs.push(worker, api);
  });

  after(async () => {
    for (const p of procs) if (!p.exit) p.child.kill('SIGKILL');
    await dev?.stop();
    await database?.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps the worker process alive and saying it waits for Temporal', async () => {
    await waitFor('the worker to say it waits for Temporal', () => worker.lines.some((l) => l.includes('the worker waits for it')), 60_000, worker);
    await sleep(3_000);
    assert.equal(worker.exit, null, `the worker exited:\n${worker.lines.slice(-10).join('\n')}`);
  });

  it('has the API listen and report Temporal down meanwhile', async () => {
    await waitFor('the API to listen', () => api.lines.some((l) => l.includes('API listening')), 60_000, api);
    const h = await health();
    assert.deepEqual({ status: h.status, temporal: h.body.temporal }, { status: 503, temporal: 'down' });
  });

  it('starts the worker once Temporal answers, and the API reports it up', async () => {
    dev = await startTemporalDevServer({ log: testLogger('temporal-down-at-start'), ports: { port: temporalPort, httpPort: 0, metricsPort: 0, uiPort: 0 }, ui: false });
    await waitFor('the worker to run', () => worker.lines.some((l) => l.includes('"worker running"')), 60_000, worker);
    await waitFor('/healthz to say Temporal is up', async () => (await health().catch(() => null))?.body.temporal === 'up', 30_000, api);
    assert.equal(worker.exit, null);
  });
});
