/**
 * A PostgreSQL cluster of a test's own, for tests that stop and restart the server: the
 * shared test cluster (scripts/ensure-test-postgres.sh) serves everyone's suites and must
 * never go down. Same recipe as that script — Debian's binaries, trust on loopback TCP only,
 * no Unix socket — in a throw-away directory on a free port, but durable. As root the server
 * runs as the `postgres` system user, which PostgreSQL insists on.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres:// URL of the database made for the test. */
  url: string;
  port: number;
  dataDir: string;
  /** `fast` ends sessions with 57P01 (an orderly restart); `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (scripts/ensure-test-postgres.sh installs them)');
  return path.join(root, newest, 'bin');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(opts: { database?: string } = {}): Promise<PrivatePostgres> {
  const bin = binDir();
  const isRoot = process.getuid?.() === 0;
  // /var/tmp, not the checkout: under /root the postgres user could not reach it.
  const base = fs.mkdtempSync(path.join(isRoot ? '/var/tmp' : os.tmpdir(), 'pacer-private-pg-'));
  const dataDir = path.join(base, 'data');
  const logFile = path.join(base, 'postgres.log');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  fs.writeFileSync(logFile, '');
  if (isRoot) await run('chown', ['-R', 'postgres:', base]);
  const asPg = (file: string, args: string[]) => (isRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args));

  await asPg(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  fs.appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    // Durable, unlike the shared test cluster: a test that crashes this server (`immediate`) must not lose commits
    // the server already acknowledged, or it would blame Pacer for PostgreSQL's configured forgetfulness.
    ["listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", 'fsync = on', 'synchronous_commit = on', 'max_connections = 200', ''].join('\n'),
  );
  fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), 'host all all 127.0.0.1/32 trust\n');
  if (isRoot) await run('chown', ['postgres:', path.join(dataDir, 'postgresql.conf'), path.join(dataDir, 'pg_hba.conf')]);

  const port = await freePort();
  const pgCtl = path.join(bin, 'pg_ctl');
  const start = async () => {
    await asPg(pgCtl, ['-D', dataDir, '-l', logFile, '-o', `-p ${port}`, '-w', '-t', '60', 'start']);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await asPg(pgCtl, ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  await start();

  const database = opts.database ?? 'pacer';
  const admin = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, max: 1 });
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();

  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    stop,
    start,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop('immediate').catch(() => undefined);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
