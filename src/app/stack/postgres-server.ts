// Why: the Temporal cluster keeps every workflow in PostgreSQL, and it must neither depend on
// whatever database a machine happens to run nor share the test cluster on 54329 (other
// people's test runs live there; restarting it would break them). This runs a PostgreSQL
// server of its own from Debian's binaries, on its own data directory and port, bound to
// loopback with trust authentication, as a child process that stop() shuts down.
//
// Settings that may change between runs (port, max_connections, durability) are passed on
// the command line at every start, so editing temporal-cluster.yaml needs no re-initdb.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, appendFile, chmod, chown, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { StackLogger } from './temporal-cli';

export interface PostgresServerOptions {
  log: StackLogger;
  /** Directory with initdb, postgres, pg_ctl; empty = newest /usr/lib/postgresql/<n>/bin. */
  binDir?: string;
  dataDir: string;
  host: string;
  port: number;
  /** The superuser initdb creates; trust auth on loopback, no password. */
  user: string;
  maxConnections: number;
  /** false = fsync, synchronous_commit and full_page_writes off (throw-away clusters). */
  durable: boolean;
}

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  dataDir: string;
  /** postgres://user@host:port/<database> */
  url(database: string): string;
  /** Creates the database when it does not exist yet; true when it was created. */
  ensureDatabase(name: string): Promise<boolean>;
  /** Fast shutdown (active sessions are ended); only of a server this call started or adopted. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 30_000;

export async function startPostgresServer(opts: PostgresServerOptions): Promise<PostgresServer> {
  const { log } = opts;
  const binDir = opts.binDir || (await newestPostgresBinDir());
  const owner = await runAsOwner();
  const dataDir = await reachableDataDir(opts.dataDir, owner, log);
  await initializeIfNeeded({ binDir, dataDir, owner, host: opts.host, user: opts.user, log });

  const pidInfo = await runningPostmaster(dataDir);
  let stop: () => Promise<void>;
  if (pidInfo) {
    // Left running by an earlier run that was killed (SIGKILL leaves the child behind).
    // Taking it over keeps the data directory's one postmaster; a second would refuse to start.
    if (pidInfo.port !== opts.port) {
      throw new Error(`a PostgreSQL server already runs on ${dataDir} with port ${pidInfo.port}, not ${opts.port}; stop it (pg_ctl -D ${dataDir} stop) or use its port`);
    }
    log.info({ pid: pidInfo.pid, dataDir, port: opts.port }, 'taking over the PostgreSQL server already running on this data directory');
    stop = () => stopAdopted(pidInfo.pid, log);
  } else {
    await assertPortFree(opts.host, opts.port);
    const child = launch({ binDir, dataDir, owner, opts });
    stop = () => stopChild(child, log);
  }

  const server: PostgresServer = {
    host: opts.host,
    port: opts.port,
    user: opts.user,
    dataDir,
    url: (database) => `postgres://${opts.user}@${hostForUrl(opts.host)}:${opts.port}/${database}`,
    ensureDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`refusing to create database with unusual name ${name}`);
      return withClient(server.url('postgres'), async (client) => {
        const found = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (found.rowCount) return false;
        try {
          await client.query(`create database ${name}`);
        } catch (err) {
          // Two set-ups at once: the other one won the race, which is what we wanted.
          if ((err as { code?: string }).code === '42P04') return false;
          throw err;
        }
        log.info({ database: name }, 'database created');
        return true;
      });
    },
    stop,
  };
  try {
    await waitUntilReady(server.url('postgres'), 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  log.info({ host: opts.host, port: opts.port, dataDir }, 'PostgreSQL ready');
  return server;
}

interface Owner {
  /** Set when we are root: the server runs as the `postgres` system user (it refuses root). */
  uid?: number;
  gid?: number;
}

async function runAsOwner(): Promise<Owner> {
  if (process.getuid?.() !== 0) return {};
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd.split('\n').find((line) => line.startsWith('postgres:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (!uid || !gid) throw new Error("running as root but there is no 'postgres' user to own the PostgreSQL cluster (apt-get install postgresql creates it)");
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * The server runs as `postgres`, which must be able to reach the data directory. A checkout
 * under /root (mode 700) is out of its reach: fall back to a per-path directory under
 * /var/tmp, as scripts/ensure-test-postgres.sh does, rather than failing.
 */
async function reachableDataDir(wanted: string, owner: Owner, log: StackLogger): Promise<string> {
  if (owner.uid === undefined) return wanted;
  await mkdir(path.dirname(wanted), { recursive: true });
  if (await othersCanTraverse(path.dirname(wanted))) return wanted;
  const fallback = path.join('/var/tmp', `pacer-temporal-cluster-${crypto.createHash('md5').update(wanted).digest('hex').slice(0, 12)}`, 'postgres');
  log.warn({ wanted, using: fallback }, 'user postgres cannot reach the configured data directory; using one under /var/tmp');
  await mkdir(path.dirname(fallback), { recursive: true });
  return fallback;
}

async function othersCanTraverse(dir: string): Promise<boolean> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

async function initializeIfNeeded(a: { binDir: string; dataDir: string; owner: Owner; host: string; user: string; log: StackLogger }): Promise<void> {
  const { binDir, dataDir, owner, log } = a;
  if (await exists(path.join(dataDir, 'PG_VERSION'))) return;
  // A directory without PG_VERSION is an initdb that never finished: nothing to keep.
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o700);
  if (owner.uid !== undefined && owner.gid !== undefined) await chown(dataDir, owner.uid, owner.gid);
  log.info({ dataDir }, 'creating a PostgreSQL cluster for Temporal (initdb)');
  await run(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', a.user, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], owner);
  // Loopback TCP only and no Unix socket: nothing but this machine can connect, and the
  // socket cannot collide with a system cluster's.
  await appendFile(
    path.join(dataDir, 'postgresql.conf'),
    `\n# --- Pacer's Temporal cluster (src/app/stack/postgres-server.ts); port and the rest come from the command line ---\nunix_socket_directories = ''\n`,
  );
  const loopback = a.host.includes(':') ? `${a.host}/128` : `${a.host}/32`;
  await writeFile(path.join(dataDir, 'pg_hba.conf'), `# Pacer's Temporal cluster: trust loopback only.\nhost    all    all    ${loopback}    trust\n`);
  if (owner.uid !== undefined && owner.gid !== undefined) {
    for (const f of ['postgresql.conf', 'pg_hba.conf']) await chown(path.join(dataDir, f), owner.uid, owner.gid);
  }
}

function launch(a: { binDir: string; dataDir: string; owner: Owner; opts: PostgresServerOptions }): ChildProcess {
  const { opts } = a;
  const settings: Record<string, string> = {
    listen_addresses: opts.host,
    max_connections: String(opts.maxConnections),
    ...(opts.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  };
  const argv = ['-D', a.dataDir, '-p', String(opts.port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop the
  // server after the Temporal services that use it, not at the same moment.
  const child = spawn(path.join(a.binDir, 'postgres'), argv, { ...a.owner, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  liveChildren.track(child);
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.trim()) return;
    // A fast shutdown ends every session with a FATAL line: expected once we asked for it.
    // Failed statements (ERROR) are left to the client that sent them: the Temporal server
    // relies on unique violations for its conditional inserts.
    const level = stopping.has(child) ? 'debug' : /\b(FATAL|PANIC):/.test(line) ? 'error' : /\bWARNING:/.test(line) ? 'warn' : 'debug';
    opts.log[level]({ component: 'temporal-postgres' }, line);
  });
  child.once('exit', () => liveChildren.forget(child));
  return child;
}

const stopping = new WeakSet<ChildProcess>();

async function stopChild(child: ChildProcess, log: StackLogger): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  stopping.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!graceful) {
    log.warn({ pid: child.pid }, 'PostgreSQL did not finish a fast shutdown; sending SIGQUIT');
    child.kill('SIGQUIT');
    await exited;
  }
  log.info({ pid: child.pid }, 'PostgreSQL stopped');
}

async function stopAdopted(pid: number, log: StackLogger): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline) {
    if (!alive(pid)) {
      log.info({ pid }, 'PostgreSQL stopped');
      return;
    }
    await sleep(200);
  }
  log.warn({ pid }, 'PostgreSQL did not finish a fast shutdown; sending SIGQUIT');
  process.kill(pid, 'SIGQUIT');
}

/** postmaster.pid: line 1 the pid, line 4 the port. Null when no live postmaster owns the directory. */
async function runningPostmaster(dataDir: string): Promise<{ pid: number; port: number } | null> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (!text) return null;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return null;
  // A recycled pid would be some other program: only a postgres process counts.
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
  if (!comm.startsWith('postgres')) return null;
  return { pid, port };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await withClient(url, (c) => c.query('select 1'));
      return;
    } catch (err) {
      last = err;
      await sleep(250);
    }
  }
  throw new Error(`PostgreSQL at ${url} did not answer within ${timeoutMs} ms: ${last instanceof Error ? last.message : String(last)}`);
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // A server going away mid-query must fail the query, not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function newestPostgresBinDir(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => [] as string[])).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (await exists(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin (apt-get install postgresql, or set postgres.binDir)');
}

function run(cmd: string, argv: string[], owner: Owner): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (exit ${code}):\n${out.slice(-2000)}`))));
  });
}

async function assertPortFree(host: string, port: number): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
  if (!free) throw new Error(`cannot start PostgreSQL for the Temporal cluster: ${host}:${port} is already in use (set postgres.port in temporal-cluster.yaml)`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * If our process ends without stop() (a crash, process.exit), a detached child would keep
 * the port and the data directory: SIGINT asks it for a fast shutdown on the way out.
 */
export const liveChildren = (() => {
  const children = new Set<ChildProcess>();
  const onExit = () => {
    for (const child of children) child.kill('SIGINT');
  };
  return {
    track(child: ChildProcess) {
      if (children.size === 0) process.on('exit', onExit);
      children.add(child);
    },
    forget(child: ChildProcess) {
      if (children.delete(child) && children.size === 0) process.removeListener('exit', onExit);
    },
  };
})();
