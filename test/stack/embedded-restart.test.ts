/**
 * `npm start` as a newcomer runs it: no DATABASE_URL, no TEMPORAL_ADDRESS. Pacer starts its
 * own Temporal dev server and the embedded PGlite database under a data directory; a ticket
 * created there, and its pending SLA timers, survive a full restart of the process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm start with the embedded defaults', function () {
  this.timeout(240_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-stack-'));
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  const adminKey = 'stack-test-admin-key-0123456789';
  const env = {
    ...process.env,
    PORT: String(port),
    PACER_DATA_DIR: dataDir,
    PACER_ADMIN_API_KEY: adminKey,
    PACER_TEMPORAL_PORT_OFFSET: String(port - 7233 + 100),
    PACER_LOG_LEVEL: 'warn',
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
  };
  let proc: ChildProcess | undefined;

  const api = async (p: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  async function startPacer(): Promise<void> {
    proc = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/app/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`pacer exited with ${proc.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('pacer did not become healthy');
  }

  async function stopPacer(): Promise<void> {
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }

  after(async () => {
    await stopPacer();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps tickets and their running SLA clocks across a restart', async () => {
    await startPacer();
    const org = await api('/api/v1/organizations', { body: { name: 'Embedded Co', tier: 'enterprise' } });
    assert.equal(org.status, 201);
    const created = await api('/api/v1/tickets', { body: { subject: 'Production is down', requester: { email: 'a@embedded.test' }, organizationId: org.body.id } });
    assert.equal(created.status, 201);
    const before = await api(`/api/v1/tickets/${created.body.id}/sla`);
    assert.equal(before.status, 200);
    assert.ok(fs.existsSync(path.join(dataDir, 'pglite')), 'embedded database under the data directory');
    assert.ok(fs.existsSync(path.join(dataDir, 'temporal.sqlite')), 'Temporal state under the data directory');

    await stopPacer();
    await startPacer();

    const ticket = await api(`/api/v1/tickets/${created.body.id}`);
    assert.equal(ticket.status, 200);
    assert.equal(ticket.body.number, created.body.number);
    const after = await api(`/api/v1/tickets/${created.body.id}/sla`);
    assert.equal(after.status, 200, 'the workflow is still running after the restart');
    assert.equal(after.body.firstResponse.dueAt, before.body.firstResponse.dueAt);
    const reply = await api(`/api/v1/tickets/${created.body.id}/comments`, { body: { body: 'Looking now' } });
    assert.equal(reply.status, 201, 'the restarted worker still drives the ticket');
    const met = await api(`/api/v1/tickets/${created.body.id}`);
    assert.ok(met.body.sla.firstResponse.metAt);
  });
});
