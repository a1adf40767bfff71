// Why: the dev server behind `npm start` has one history shard and one SQLite connection
// shared by every service, a ceiling no tuning removes. Production runs a real Temporal
// cluster; this runs the same server here, from the pinned release (temporal-cluster.yaml),
// with PostgreSQL persistence and visibility and a fixed number of history shards, so Pacer's
// APIs and workers can be scaled out and measured against what production runs.
//
// Every step is idempotent, so a second start of the same data directory only starts
// processes: PostgreSQL (its own cluster and port), the two Temporal databases (created and
// migrated by the server's own schema tool), Pacer's database beside them, the generated
// server config, the server's four services in one process, then the namespace and Pacer's
// search attributes (created with the Temporal CLI). start resolves only once a client can
// start workflows that upsert those attributes; stop() takes it all down in reverse order.
//
// `npm run cluster` (this file run directly) sets it up, runs it in the foreground and prints
// TEMPORAL_ADDRESS and DATABASE_URL; `-- --with-pacer[=N]` also runs N APIs and N workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { DEFAULT_TEMPORAL_CLUSTER_CONFIG_PATH, loadTemporalClusterConfig, type LoadedTemporalClusterConfig } from './config-file';
import { startPostgresServer, type PostgresServer } from './postgres-server';
import { resolveTemporalCli, type StackLogger } from './temporal-cli';
import { renderDynamicConfig, renderServerConfig, type ClusterPorts } from './temporal-cluster-config';
import { ensureTemporalServerBuild, type TemporalServerBinaries } from './temporal-server-build';

export type { ClusterPorts } from './temporal-cluster-config';

export interface StartTemporalClusterOptions {
  log: StackLogger;
  /** Default: <project>/temporal-cluster.yaml. */
  configPath?: string;
  /** Instead of the config's dataDir (a test's throw-away directory). */
  dataDir?: string;
  /** 'random' picks every Temporal and PostgreSQL port free at random (tests). */
  ports?: (Partial<ClusterPorts> & { postgres?: number }) | 'random';
  /** Override postgres.durable. */
  durable?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Use these instead of resolving (and, when missing, building) the pinned release. */
  binaries?: TemporalServerBinaries;
  /** Temporal CLI binary for the namespace and search-attribute steps. */
  cliPath?: string;
  /** How long to wait for the frontend and the namespace. Default 180 s. */
  readyTimeoutMs?: number;
}

export interface TemporalCluster {
  /** host:port of the frontend: TEMPORAL_ADDRESS for Pacer's APIs and workers. */
  address: string;
  namespace: string;
  /** Pacer's own database on the cluster's PostgreSQL: DATABASE_URL. */
  databaseUrl: string;
  /** Prometheus metrics of all four services. */
  metricsUrl: string;
  postgres: PostgresServer;
  ports: ClusterPorts;
  numHistoryShards: number;
  version: string;
  /** The server process. */
  pid: number;
  /** Settles when the server process ends, through stop() or on its own. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Re-runs the database steps (create, setup, migrate); returns what each one did. */
  ensureSchemas(): Promise<SchemaStep[]>;
  /** Server (SIGTERM, SIGKILL after 30 s), then PostgreSQL. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface SchemaStep {
  database: string;
  created: boolean;
  setUp: boolean;
  /** schema_version.curr_version after update-schema. */
  version: string;
}

const STOP_GRACE_MS = 30_000;

export async function startTemporalCluster(opts: StartTemporalClusterOptions): Promise<TemporalCluster> {
  const { log } = opts;
  const config = await loadTemporalClusterConfig(opts.configPath ?? DEFAULT_TEMPORAL_CLUSTER_CONFIG_PATH);
  const binaries = opts.binaries ?? (await ensureTemporalServerBuild(log, { configPath: config.configPath }));
  const cli = opts.cliPath ?? (await resolveTemporalCli(log));
  const dataDir = path.resolve(opts.dataDir ?? config.dataDirPath);
  const { ports, postgresPort } = await choosePorts(config, opts.ports);
  const server = { ...config.server, logLevel: opts.logLevel ?? config.server.logLevel };
  const address = hostPort(server.ip, ports.frontend);

  const postgres = await startPostgresServer({
    log,
    binDir: config.postgres.binDir,
    dataDir: path.join(dataDir, 'postgres'),
    host: server.ip,
    port: postgresPort,
    user: config.postgres.user,
    maxConnections: config.postgres.maxConnections,
    durable: opts.durable ?? config.postgres.durable,
  });
  let serverProcess: ServerProcess | null = null;
  const stopAll = async () => {
    await serverProcess?.stop();
    await postgres.stop();
  };
  try {
    const ensureSchemas = () => ensureTemporalSchemas({ sqlTool: binaries.sql, postgres, config, log });
    for (const step of await ensureSchemas()) log.info({ ...step }, 'Temporal database ready');
    await postgres.ensureDatabase(config.postgres.databases.pacer);

    const serverDir = path.join(dataDir, 'server');
    await mkdir(serverDir, { recursive: true });
    const configFile = path.join(serverDir, 'config.yaml');
    const dynamicConfigFile = path.join(serverDir, 'dynamicconfig.yaml');
    await writeFile(dynamicConfigFile, renderDynamicConfig(server.dynamicConfig));
    await writeFile(configFile, renderServerConfig({ server, postgres: { ...config.postgres, host: server.ip, port: postgresPort }, ports, dynamicConfigFile }));

    const pidFile = path.join(serverDir, 'server.pid');
    await stopStaleServer(pidFile, configFile, log);
    await assertPortsFree(server.ip, ports);
    log.info({ address, shards: server.numHistoryShards, version: binaries.version, configFile }, 'starting Temporal server');
    serverProcess = launchServer({ binary: binaries.server, configFile, cwd: serverDir, log });
    await writeFile(pidFile, String(serverProcess.pid));

    const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
    await waitForFrontend(address, deadline, serverProcess);
    await ensureNamespace({ cli, address, namespace: server.namespace, retention: server.retention, deadline, log });
    await ensureSearchAttributes({ cli, address, namespace: server.namespace, wanted: server.searchAttributes, deadline, log });
    await waitUntilUsable({ address, namespace: server.namespace, attributes: server.searchAttributes, deadline, server: serverProcess });
    serverProcess.ready();

    const running = serverProcess;
    let stopping: Promise<void> | null = null;
    log.info({ address, namespace: server.namespace, pid: running.pid }, 'Temporal cluster ready');
    return {
      address,
      namespace: server.namespace,
      databaseUrl: postgres.url(config.postgres.databases.pacer),
      metricsUrl: `http://${hostPort(server.ip, ports.metrics)}/metrics`,
      postgres,
      ports,
      numHistoryShards: server.numHistoryShards,
      version: binaries.version,
      pid: running.pid,
      exited: running.exited,
      ensureSchemas,
      stop: () =>
        (stopping ??= (async () => {
          await stopAll();
          await rm(pidFile, { force: true });
        })()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

// --- databases -------------------------------------------------------------------------

async function ensureTemporalSchemas(a: { sqlTool: string; postgres: PostgresServer; config: LoadedTemporalClusterConfig; log: StackLogger }): Promise<SchemaStep[]> {
  const { postgres, config } = a;
  const stores = [
    { database: config.postgres.databases.temporal, schemaName: 'postgresql/v12/temporal' },
    { database: config.postgres.databases.visibility, schemaName: 'postgresql/v12/visibility' },
  ];
  const steps: SchemaStep[] = [];
  for (const { database, schemaName } of stores) {
    const tool = (...argv: string[]) =>
      runTool(a.sqlTool, ['--plugin', 'postgres12', '--ep', postgres.host, '-p', String(postgres.port), '-u', postgres.user, '--db', database, ...argv]);
    // The tool's create and setup-schema are not idempotent (they fail on what exists), so
    // each runs only when its result is missing; update-schema applies what is new, if anything.
    const created = !(await databaseExists(postgres, database));
    if (created) await tool('create');
    const setUp = !(await schemaVersionTableExists(postgres, database));
    if (setUp) await tool('setup-schema', '-v', '0.0');
    await tool('update-schema', '--schema-name', schemaName);
    steps.push({ database, created, setUp, version: await schemaVersion(postgres, database) });
  }
  return steps;
}

async function databaseExists(pg: PostgresServer, database: string): Promise<boolean> {
  return query(pg.url('postgres'), async (c) => ((await c.query('select 1 from pg_database where datname = $1', [database])).rowCount ?? 0) > 0);
}

async function schemaVersionTableExists(pg: PostgresServer, database: string): Promise<boolean> {
  return query(pg.url(database), async (c) => ((await c.query(`select 1 from information_schema.tables where table_schema = 'public' and table_name = 'schema_version'`)).rowCount ?? 0) > 0);
}

async function schemaVersion(pg: PostgresServer, database: string): Promise<string> {
  return query(pg.url(database), async (c) => {
    const row = (await c.query<{ curr_version: string }>('select curr_version from schema_version limit 1')).rows[0];
    return row?.curr_version ?? 'unknown';
  });
}

async function query<T>(url: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function runTool(binary: string, argv: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${binary}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(binary)} ${argv.join(' ')} failed (${signal ?? `exit ${code}`}):\n${out.slice(-3000)}`));
    });
  });
}

// --- the server process ----------------------------------------------------------------

interface ServerProcess {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The reason it is gone, while starting; null while it runs. */
  failure(): Error | null;
  /** From now on an exit of its own is an error worth shouting about. */
  ready(): void;
  stop(): Promise<void>;
}

function launchServer(a: { binary: string; configFile: string; cwd: string; log: StackLogger }): ServerProcess {
  const { log } = a;
  // Its own process group: Ctrl-C reaches only us, and we stop the server before its database.
  const child = spawn(a.binary, ['--config-file', a.configFile, '--allow-no-auth', 'start'], { cwd: a.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  liveServers.track(child);
  const tail: string[] = [];
  let quiet = false;
  let isReady = false;
  let stopping: Promise<void> | null = null;
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (!line.trim()) return;
      const entry = parseJsonObject(line);
      if (!entry) {
        remember(line);
        log[quiet ? 'debug' : 'warn']({ component: 'temporal-server' }, line);
        return;
      }
      // Stack traces of the server's own call sites say nothing to a Pacer operator.
      const { level, msg, ts: _ts, stacktrace: _stack, 'logging-call-at': _at, ...fields } = entry;
      remember(JSON.stringify({ level, msg, ...fields }));
      // "context canceled" is the server cancelling its own work (a poll ending, an idle queue
      // unloaded); it reports that at ERROR although nothing failed. Start-up races between
      // its services (a frontend not healthy yet, shards still being acquired) are reported
      // at ERROR too: before it is ready, lines only matter if it dies, and then the failure
      // carries their tail.
      const benign = fields.error === 'context canceled' || !isReady;
      log[quiet || benign ? 'debug' : ourLevel(typeof level === 'string' ? level : '')]({ component: 'temporal-server', ...fields }, typeof msg === 'string' ? msg : line);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      liveServers.forget(child);
      // Every ticket's clocks live in this server: dying on its own is an error.
      if (isReady && !stopping) log.error({ exit: exitInfo, lastOutput: tail.join('\n') }, 'Temporal server exited unexpectedly');
      resolve(exitInfo);
    });
  });
  return {
    pid: child.pid ?? -1,
    exited,
    failure: () => {
      if (spawnError) return new Error(`cannot run Temporal server ${a.binary}: ${(spawnError as Error).message}`);
      if (!exitInfo) return null;
      return new Error(`Temporal server exited before it was ready (${exitInfo.signal ?? `exit code ${exitInfo.code}`}). Last output:\n${tail.join('\n')}`);
    },
    ready: () => (isReady = true),
    stop: () =>
      (stopping ??= (async () => {
        // Services complain about each other disappearing during shutdown: no news then.
        quiet = true;
        if (exitInfo || spawnError) return;
        child.kill('SIGTERM');
        const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
        if (!graceful) {
          log.warn({ pid: child.pid }, 'Temporal server ignored SIGTERM; sending SIGKILL');
          child.kill('SIGKILL');
          await exited;
        }
        log.info({ pid: child.pid }, 'Temporal server stopped');
      })()),
  };
}

/** A server left behind by a killed run of ours (pid file, same config file) holds the ports: end it. */
async function stopStaleServer(pidFile: string, configFile: string, log: StackLogger): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  if (!cmdline.includes(configFile)) return;
  log.warn({ pid }, 'a Temporal server from an earlier run is still running on this data directory; stopping it');
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline && (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null)) !== null) await sleep(200);
  if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null)) !== null) process.kill(pid, 'SIGKILL');
}

const liveServers = (() => {
  const children = new Set<ChildProcess>();
  const onExit = () => {
    for (const child of children) child.kill('SIGTERM');
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

function parseJsonObject(line: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function ourLevel(serverLevel: string): keyof StackLogger {
  switch (serverLevel.toLowerCase()) {
    case 'error':
    case 'dpanic':
    case 'panic':
    case 'fatal':
      return 'error';
    case 'warn':
      return 'warn';
    default:
      return 'debug';
  }
}

// --- readiness, namespace, search attributes ---------------------------------------------

async function waitForFrontend(address: string, deadline: number, server: ServerProcess): Promise<void> {
  await retryUntil(deadline, `Temporal frontend at ${address}`, server, async () => {
    await withConnection(address, async (c) => {
      await c.workflowService.getSystemInfo({});
      // The system namespace is read through persistence: the stores answer too.
      await c.workflowService.describeNamespace({ namespace: 'temporal-system' });
    });
  });
}

async function ensureNamespace(a: { cli: string; address: string; namespace: string; retention: string; deadline: number; log: StackLogger }): Promise<void> {
  const exists = await withConnection(a.address, async (c) => {
    try {
      await c.workflowService.describeNamespace({ namespace: a.namespace });
      return true;
    } catch (err) {
      if (grpcCode(err) === 5) return false; // NOT_FOUND
      throw err;
    }
  });
  if (exists) return;
  a.log.info({ namespace: a.namespace, retention: a.retention }, 'creating the namespace');
  await retryUntil(a.deadline, `creating namespace ${a.namespace}`, null, async () => {
    try {
      await runTool(a.cli, ['operator', 'namespace', 'create', '--address', a.address, '--namespace', a.namespace, '--retention', a.retention], 30_000);
    } catch (err) {
      // A retry after a create that did land (its answer lost) finds it there.
      if (!/already (exists|registered)/i.test(String(err))) throw err;
    }
  });
}

async function ensureSearchAttributes(a: { cli: string; address: string; namespace: string; wanted: Record<string, string>; deadline: number; log: StackLogger }): Promise<void> {
  // The namespace registry of a fresh namespace reaches every service within seconds; until
  // then the operator API answers "namespace not found".
  await retryUntil(a.deadline, `search attributes on ${a.namespace}`, null, async () => {
    const existing = await listCustomSearchAttributes(a.address, a.namespace);
    const missing = Object.entries(a.wanted).filter(([name]) => !(name in existing));
    // One per call: with SQL visibility each one is mapped onto a column of the namespace in a
    // read-modify-write, and several names in one request were seen to land one at a time.
    for (const [name, type] of missing) {
      a.log.info({ name, type }, 'creating search attribute');
      try {
        await runTool(a.cli, ['operator', 'search-attribute', 'create', '--address', a.address, '--namespace', a.namespace, '--type', type, '--name', name], 30_000);
      } catch (err) {
        if (!/already exists/i.test(String(err))) throw err;
      }
    }
    const after = await listCustomSearchAttributes(a.address, a.namespace);
    const still = Object.keys(a.wanted).filter((name) => !(name in after));
    if (still.length) throw new Error(`search attributes not registered yet: ${still.join(', ')}`);
  });
}

async function listCustomSearchAttributes(address: string, namespace: string): Promise<Record<string, unknown>> {
  return withConnection(address, async (c) => (await c.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {});
}

/**
 * The frontend's namespace cache and the visibility store's attribute mapping refresh on
 * their own schedules; a list query naming every attribute succeeds only once both know
 * them, which is what a ticket workflow's upsert and the API's list queries need.
 */
async function waitUntilUsable(a: { address: string; namespace: string; attributes: Record<string, string>; deadline: number; server: ServerProcess }): Promise<void> {
  const q = Object.entries(a.attributes)
    .map(([name, type]) => `${name} = ${probeValue(type)}`)
    .join(' AND ');
  await retryUntil(a.deadline, `visibility queries on ${a.namespace}`, a.server, async () => {
    await withConnection(a.address, async (c) => {
      await c.workflowService.listWorkflowExecutions({ namespace: a.namespace, pageSize: 1, query: q });
    });
  });
}

/** A literal the visibility store parses for an attribute of this type (a Datetime refuses 'probe'). */
function probeValue(type: string): string {
  switch (type.toLowerCase()) {
    case 'datetime':
      return "'1970-01-01T00:00:00Z'";
    case 'int':
    case 'double':
      return '0';
    case 'bool':
      return 'false';
    default:
      return "'probe'";
  }
}

async function retryUntil(deadline: number, what: string, server: ServerProcess | null, attempt: () => Promise<void>): Promise<void> {
  let last: unknown;
  for (;;) {
    const failed = server?.failure();
    if (failed) throw failed;
    try {
      await attempt();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready in time: ${last instanceof Error ? last.message : String(last)}`);
    await sleep(500);
  }
}

async function withConnection<T>(address: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    return await connection.withDeadline(Date.now() + 10_000, () => fn(connection));
  } finally {
    await connection.close();
  }
}

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

// --- ports -----------------------------------------------------------------------------

async function choosePorts(
  config: LoadedTemporalClusterConfig,
  wanted: StartTemporalClusterOptions['ports'],
): Promise<{ ports: ClusterPorts; postgresPort: number }> {
  if (wanted === 'random') {
    const keys = Object.keys(config.server.ports) as (keyof ClusterPorts)[];
    const free = await freePortsBelow(config.server.ip, keys.length + 1, MAX_MEMBERSHIP_PORT);
    const ports = Object.fromEntries(keys.map((k, i) => [k, free[i]!])) as ClusterPorts;
    return { ports, postgresPort: free[keys.length]! };
  }
  const { postgres, ...rest } = wanted ?? {};
  return { ports: { ...config.server.ports, ...rest }, postgresPort: postgres ?? config.postgres.port };
}

/**
 * The cluster_membership table stores ports as smallint: a service whose membership port is
 * above 32767 cannot register and the server exits. The kernel's ephemeral range lies above
 * that, so random ports are probed from a random start below it instead of asked of the kernel.
 */
const MAX_MEMBERSHIP_PORT = 32_767;

/** Holds every socket open until all ports are chosen, so the picks are distinct. */
async function freePortsBelow(host: string, count: number, max: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    let candidate = 20_000 + Math.floor(Math.random() * (max - 20_000 - 2_000));
    while (ports.length < count) {
      if (candidate > max) throw new Error(`no ${count} free ports below ${max} on ${host}`);
      const port = candidate++;
      const srv = net.createServer();
      const bound = await new Promise<boolean>((resolve) => {
        srv.once('error', () => resolve(false));
        srv.listen(port, host, () => resolve(true));
      });
      if (!bound) continue;
      servers.push(srv);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }
}

async function assertPortsFree(host: string, ports: ClusterPorts): Promise<void> {
  for (const [role, port] of Object.entries(ports)) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, host, () => probe.close(() => resolve(true)));
    });
    if (!free) throw new Error(`cannot start the Temporal cluster: ${role} port ${host}:${port} is already in use (another cluster? change server.ports in temporal-cluster.yaml)`);
  }
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
