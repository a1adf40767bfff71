/**
 * SIGTERM (a deploy, systemd, Kubernetes) shuts `npm start` down in order: the worker stops
 * polling and lets its tasks finish, the API closes, the database and the Temporal dev server
 * it started stop, and the process exits 0. The dev server's orphan guard must not pre-empt
 * that by re-raising the signal, which killed the process before its own shutdown ran.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/private-postgres';

const ROOT = path.resolve(__dirname, '..', '..');

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start on SIGTERM', function () {
  this.timeout(240_000);
  let dataDir: string;
  let proc: ChildProcess;
  const lines: string[] = [];
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let temporalPort: number;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-shutdown-'));
    const port = await freePort();
    temporalPort = await freePort();
    proc = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), PACER_DATA_DIR: dataDir, PACER_TEMPORAL_PORT_OFFSET: String(temporalPort - 7233), PACER_SEARCH: 'postgres', PACER_LOG_LEVEL: 'info', DATABASE_URL: '', TEMPORAL_ADDRESS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: proc.stdout! }).on('line', (l) => lines.push(l));
    createInterface({ input: proc.stderr! }).on('line', (l) => lines.push(l));
    const exited = new Promise<typeof exit>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    const until = Date.now() + 180_000;
    while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false))) {
      if (proc.exitCode !== null || Date.now() > until) assert.fail(`Pacer did not become healthy:\n${lines.slice(-10).join('\n')}`);
      await sleep(500);
    }
    assert.equal(await portAnswers(temporalPort), true, 'the dev server listens on the port the offset gives');
    proc.kill('SIGTERM');
    exit = await exited;
  });

  after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs its own shutdown and exits 0, not killed by the signal', () => {
    assert.deepEqual(exit, { code: 0, signal: null }, lines.slice(-10).join('\n'));
    assert.ok(lines.some((l) => l.includes('"shutting down"')), 'it said it was shutting down');
  });

  it('stops every part without an error', () => {
    assert.deepEqual(
      lines.filter((l) => l.includes('error while stopping')),
      [],
    );
  });

  it('leaves no Temporal dev server behind', async () => {
    assert.equal(await portAnswers(temporalPort), false);
  });
});
