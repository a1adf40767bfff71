// Why: `npm start` and the test suite both need a running Temporal server without asking
// anyone to install or start one. This launches the pinned CLI's `server start-dev` with
// the flags from temporal-dev.yaml, returns only once the frontend really answers (so
// callers can create workers and clients immediately), routes its logs through Pacer's
// logger, and owns its shutdown.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { DEFAULT_TEMPORAL_DEV_CONFIG_PATH, loadTemporalDevConfig, type LoadedTemporalDevConfig } from './config-file';
import { resolveTemporalCli, type StackLogger } from './temporal-cli';

export interface DevServerPorts {
  /** Frontend gRPC: what clients and workers dial. */
  port: number;
  httpPort: number;
  metricsPort: number;
  uiPort: number;
}

export interface StartTemporalDevServerOptions {
  log: StackLogger;
  /** Default: <project>/temporal-dev.yaml. */
  configPath?: string;
  /**
   * In-memory store (nothing on disk, nothing survives stop()), every port picked free at
   * random unless given in `ports`, UI off unless `ui: true`. What tests want.
   */
  ephemeral?: boolean;
  /** SQLite file to use instead of the config's server.dbFile (ignored when ephemeral). */
  dbFile?: string;
  /** Added to each port from the config, to run a second stack beside the first. */
  portOffset?: number;
  /** Explicit ports; 0 means "any free port". Wins over config and portOffset. */
  ports?: Partial<DevServerPorts>;
  /** Override the config's ui.enabled. */
  ui?: boolean;
  /** Override the config's server log level. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  /** Skip resolveTemporalCli and run this binary. */
  cliPath?: string;
  /** How long to wait for the frontend to answer. Default 60 s. */
  readyTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** host:port of the frontend, for Connection.connect / NativeConnection.connect. */
  address: string;
  namespace: string;
  ports: DevServerPorts;
  /** Web UI address, or null when headless. */
  uiUrl: string | null;
  /** The SQLite file in use, or null when ephemeral. */
  dbFile: string | null;
  pid: number;
  /** Settles when the process ends, whether through stop() or on its own (a crash). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 10 s. Safe to call more than once. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const PORT_PICK_ATTEMPTS = 3;

export async function startTemporalDevServer(opts: StartTemporalDevServerOptions): Promise<TemporalDevServer> {
  const { log } = opts;
  const config = await loadTemporalDevConfig(opts.configPath ?? DEFAULT_TEMPORAL_DEV_CONFIG_PATH);
  const cli = opts.cliPath ?? (await resolveTemporalCli(log, { configPath: config.configPath }));
  const ephemeral = opts.ephemeral ?? false;
  const dbFile = ephemeral ? null : path.resolve(opts.dbFile ?? config.dbFilePath);
  if (dbFile) await mkdir(path.dirname(dbFile), { recursive: true });

  // Randomly picked ports can be taken between our probe and the server's bind; that is
  // the only start failure worth retrying.
  const picksPorts = wantsRandomPorts(config, opts);
  for (let attempt = 1; ; attempt++) {
    const ports = await choosePorts(config, opts);
    try {
      return await launch({ cli, config, opts, ephemeral, dbFile, ports });
    } catch (err) {
      if (!(err instanceof PortInUseError) || !picksPorts || attempt >= PORT_PICK_ATTEMPTS) throw err;
      log.warn({ attempt, ports }, 'a picked port was taken before the dev server bound it; retrying');
    }
  }
}

class PortInUseError extends Error {}

const PORT_TAKEN = /address already in use|can't set .*port|port .* in use/i;

async function launch(args: {
  cli: string;
  config: LoadedTemporalDevConfig;
  opts: StartTemporalDevServerOptions;
  ephemeral: boolean;
  dbFile: string | null;
  ports: DevServerPorts;
}): Promise<TemporalDevServer> {
  const { cli, config, opts, dbFile, ports } = args;
  const { log } = opts;
  const server = config.server;
  const ui = opts.ui ?? (args.ephemeral ? false : server.ui.enabled);
  const argv = buildArgs({ config, dbFile, ports, ui, logLevel: opts.logLevel ?? server.logLevel });
  const address = `${hostForUrl(server.ip)}:${ports.port}`;

  // The server's gRPC listener uses SO_REUSEPORT, so the CLI's own "port free?" check passes
  // when another dev server already listens there, and our readiness probe would then
  // talk to that other server. Node binds without SO_REUSEPORT, so this check is strict.
  await assertPortsFree(server.ip, {
    frontend: ports.port,
    http: ports.httpPort,
    metrics: ports.metricsPort,
    ...(ui ? { ui: ports.uiPort } : {}),
  });
  log.info({ cli, address, dbFile: dbFile ?? '(in memory)', ui }, 'starting Temporal dev server');
  log.debug({ argv }, 'Temporal dev server command line');
  const child = spawn(cli, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = pipeOutput(child, log);

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve();
    });
  });
  liveServers.track(child);
  let ready = false;
  let stopping: Promise<void> | null = null;
  void exited.then(() => {
    liveServers.forget(child);
    // Every ticket's clocks live in this server: dying on its own is an error to shout about.
    if (ready && !stopping) {
      log.error({ address, exit: exitInfo, lastOutput: output.tail() }, 'Temporal dev server exited unexpectedly');
    }
  });

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      output.quiet();
      if (exitInfo || spawnError) return;
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!graceful) {
        log.warn({ pid: child.pid }, 'Temporal dev server ignored SIGTERM; sending SIGKILL');
        child.kill('SIGKILL');
        await exited;
      }
      log.info({ address }, 'Temporal dev server stopped');
    })().finally(() => liveServers.forget(child));
    return stopping;
  };

  try {
    await waitUntilReady({
      address,
      namespace: server.namespace,
      searchAttributes: Object.keys(server.searchAttributes),
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      started: () => output.started(),
      failure: () => {
        if (spawnError) return new Error(`cannot run Temporal CLI ${cli}: ${(spawnError as Error).message}`);
        if (!exitInfo) return null;
        const tail = output.tail();
        const message =
          `Temporal dev server exited before it was ready ` +
          `(${exitInfo.signal ?? `exit code ${exitInfo.code}`}). Last output:\n${tail}`;
        return output.portTaken() || PORT_TAKEN.test(tail)
          ? new PortInUseError(message)
          : new Error(message);
      },
    });
  } catch (err) {
    await stop();
    throw err;
  }

  ready = true;
  const uiUrl = ui ? `http://${hostForUrl(server.ip)}:${ports.uiPort}` : null;
  log.info({ address, namespace: server.namespace, uiUrl, pid: child.pid }, 'Temporal dev server ready');
  return {
    address,
    namespace: server.namespace,
    ports,
    uiUrl,
    dbFile,
    pid: child.pid ?? -1,
    exited: exited.then(() => exitInfo ?? { code: null, signal: null }),
    stop,
  };
}

/**
 * If our process ends without stop() (a crash, process.exit, a test runner killed by a
 * timeout), don't leave orphan servers holding ports and the SQLite file. SIGTERM lets
 * them close the file cleanly on their own after we are gone.
 */
const liveServers = (() => {
  const children = new Set<ChildProcess>();
  const terminateAll = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  // Installed only while a server runs. When we are the only listener, the application
  // has no shutdown of its own for the signal: stop the servers, then let the signal
  // have its default effect. When the application listens too, it owns shutdown (and
  // should call stop()); the 'exit' hook still catches anything it forgets.
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    terminateAll();
    uninstall();
    process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  const install = () => {
    process.on('exit', terminateAll);
    for (const sig of signals) process.on(sig, onSignal);
  };
  const uninstall = () => {
    process.removeListener('exit', terminateAll);
    for (const sig of signals) process.removeListener(sig, onSignal);
  };
  return {
    track(child: ChildProcess) {
      if (children.size === 0) install();
      children.add(child);
    },
    forget(child: ChildProcess) {
      if (children.delete(child) && children.size === 0) uninstall();
    },
  };
})();

function buildArgs(a: {
  config: LoadedTemporalDevConfig;
  dbFile: string | null;
  ports: DevServerPorts;
  ui: boolean;
  logLevel: string;
}): string[] {
  const s = a.config.server;
  const argv = [
    'server',
    'start-dev',
    '--ip',
    s.ip,
    '--port',
    String(a.ports.port),
    '--http-port',
    String(a.ports.httpPort),
    '--metrics-port',
    String(a.ports.metricsPort),
    // JSON so each line's level can be mapped onto our logger.
    '--log-format',
    'json',
    '--log-level',
    a.logLevel,
    '--color',
    'never',
  ];
  if (a.ui) argv.push('--ui-port', String(a.ports.uiPort));
  else argv.push('--headless');
  // "default" is always created; naming it again is redundant.
  if (s.namespace !== 'default') argv.push('--namespace', s.namespace);
  if (a.dbFile) {
    argv.push('--db-filename', a.dbFile);
    // Pragmas describe the file; an in-memory store has no journal to tune.
    for (const [key, value] of Object.entries(s.sqlitePragmas)) argv.push('--sqlite-pragma', `${key}=${value}`);
  }
  for (const [key, type] of Object.entries(s.searchAttributes)) argv.push('--search-attribute', `${key}=${type}`);
  for (const [key, value] of Object.entries(s.dynamicConfig)) {
    argv.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return argv;
}

/** Maps the server's JSON log lines onto our logger and keeps a tail for error messages. */
function pipeOutput(child: ChildProcess, log: StackLogger): { tail(): string; quiet(): void; started(): boolean; portTaken(): boolean } {
  const lines: string[] = [];
  // Remembered apart from the tail: a bind failure is followed by a long panic trace that pushes it out.
  let portTaken = false;
  let quiet = false;
  // The CLI prints its "Server: host:port" banner only after the server started.
  let started = false;
  const remember = (line: string) => {
    if (PORT_TAKEN.test(line)) portTaken = true;
    lines.push(line);
    if (lines.length > 30) lines.shift();
  };
  if (child.stdout) {
    // stdout carries the human banner (addresses, "Stopping server...").
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.trim()) return;
      remember(line);
      if (/^Server:\s/.test(line)) started = true;
      log[quiet ? 'debug' : 'info']({ component: 'temporal-dev-server' }, line.trim());
    });
  }
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!line.trim()) return;
      remember(line);
      let entry: Record<string, unknown> | null = null;
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
      } catch {
        // not JSON: a panic trace or a CLI usage error; fall through as a warning
      }
      if (!entry) {
        log[quiet ? 'debug' : 'warn']({ component: 'temporal-dev-server' }, line);
        return;
      }
      const { level, msg, time: _time, ...fields } = entry;
      const text = typeof msg === 'string' ? msg : line;
      // Shutdown makes the server's services complain about each other disappearing;
      // none of that is news once we asked it to stop.
      // (Called as log[level](...) so a pino logger keeps its `this`.)
      // "context canceled" is the server cancelling its own work (an idle task queue being
      // unloaded, a poll ending); it reports that at ERROR although nothing failed.
      const benign = fields.error === 'context canceled';
      const ours = quiet || benign ? 'debug' : ourLevel(typeof level === 'string' ? level : '');
      log[ours]({ component: 'temporal-dev-server', ...fields }, text);
    });
  }
  return { tail: () => lines.join('\n'), quiet: () => (quiet = true), started: () => started, portTaken: () => portTaken };
}

function ourLevel(serverLevel: string): keyof StackLogger {
  switch (serverLevel.toUpperCase()) {
    case 'ERROR':
    case 'DPANIC':
    case 'PANIC':
    case 'FATAL':
      return 'error';
    case 'WARN':
      return 'warn';
    default:
      // The server's own INFO is start-up chatter, useful only when debugging it.
      return 'debug';
  }
}

async function waitUntilReady(a: {
  address: string;
  namespace: string;
  searchAttributes: string[];
  timeoutMs: number;
  started: () => boolean;
  failure: () => Error | null;
}): Promise<void> {
  const deadline = Date.now() + a.timeoutMs;
  let lastError: unknown = new Error('the CLI has not reported a started server yet');
  for (;;) {
    const failed = a.failure();
    if (failed) throw failed;
    if (a.started()) {
      try {
        const connection = await Connection.connect({ address: a.address, connectTimeout: 2_000 });
        try {
          await connection.withDeadline(Date.now() + 5_000, async () => {
            await connection.workflowService.describeNamespace({ namespace: a.namespace });
            // Registered during start-up; workflows upserting them would fail if missing.
            const listed = await connection.operatorService.listSearchAttributes({ namespace: a.namespace });
            const missing = a.searchAttributes.filter((name) => !(name in (listed.customAttributes ?? {})));
            if (missing.length) throw new Error(`search attributes not registered yet: ${missing.join(', ')}`);
          });
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        lastError = err;
      }
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`Temporal dev server at ${a.address} did not answer within ${a.timeoutMs} ms: ${reason}`);
    }
    await sleep(250);
  }
}

async function assertPortsFree(host: string, ports: Record<string, number>): Promise<void> {
  for (const [role, port] of Object.entries(ports)) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, host, () => probe.close(() => resolve(true)));
    });
    if (!free) {
      throw new PortInUseError(
        `cannot start the Temporal dev server: ${role} port ${host}:${port} is already in use ` +
          `(another Temporal dev server or Pacer stack?). Stop it, or pass portOffset/ports.`,
      );
    }
  }
}

function wantsRandomPorts(config: LoadedTemporalDevConfig, opts: StartTemporalDevServerOptions): boolean {
  const explicit = opts.ports ?? {};
  if (Object.values(explicit).some((p) => p === 0)) return true;
  return Boolean(opts.ephemeral) && (['port', 'httpPort', 'metricsPort', 'uiPort'] as const).some((k) => explicit[k] === undefined);
}

async function choosePorts(config: LoadedTemporalDevConfig, opts: StartTemporalDevServerOptions): Promise<DevServerPorts> {
  const s = config.server;
  const offset = opts.portOffset ?? 0;
  const base: DevServerPorts = opts.ephemeral
    ? { port: 0, httpPort: 0, metricsPort: 0, uiPort: 0 }
    : { port: s.port + offset, httpPort: s.httpPort + offset, metricsPort: s.metricsPort + offset, uiPort: s.ui.port + offset };
  const wanted: DevServerPorts = { ...base, ...definedOnly(opts.ports ?? {}) };
  const zeros = (Object.keys(wanted) as (keyof DevServerPorts)[]).filter((k) => wanted[k] === 0);
  const free = await freePorts(s.ip, zeros.length);
  zeros.forEach((key, i) => (wanted[key] = free[i]!));
  for (const [key, value] of Object.entries(wanted)) {
    if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`invalid ${key} ${value}`);
  }
  return wanted;
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Holds all sockets open until every port is chosen, so the picks are distinct. */
async function freePorts(host: string, count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, host, () => resolve());
      });
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }
}

function hostForUrl(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}
