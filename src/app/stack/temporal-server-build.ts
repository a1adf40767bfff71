// Why: a real Temporal cluster needs the server and its SQL schema tool, which are no npm
// package and have no Debian package. Like the CLI (temporal-cli.ts), they are built from the
// pinned release (temporal-cluster.yaml) through the Go module proxy once, into the
// git-ignored .cache/temporal-server/<version>/, so nothing is downloaded at run time and
// every machine runs the same server. The build runs at the lowest CPU priority: the
// machine's cores are shared with test runs.
//
// Resolution: PACER_TEMPORAL_SERVER_DIR (a directory holding `server` and `sql`, taken
// as-is), else the cache directory, trusted by location. ensureTemporalServerBuild builds
// into the cache when it is empty; resolveTemporalServerBuild never builds (the stack test
// must not spend minutes compiling), it says why a build is missing or impossible.
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_TEMPORAL_CLUSTER_CONFIG_PATH, PROJECT_ROOT, loadTemporalClusterConfig, type TemporalClusterConfig } from './config-file';
import type { StackLogger } from './temporal-cli';

export const DEFAULT_TEMPORAL_SERVER_CACHE = path.join(PROJECT_ROOT, '.cache', 'temporal-server');

export interface TemporalServerBinaries {
  /** `server`: runs the four services (`--config-file F --allow-no-auth start`). */
  server: string;
  /** `sql`: creates databases and applies the embedded schemas. */
  sql: string;
  version: string;
}

export type TemporalServerBuildState =
  | { state: 'ready'; binaries: TemporalServerBinaries }
  /** Could be built here: run ensureTemporalServerBuild (scripts/test-prerequisites.sh does). */
  | { state: 'missing'; reason: string }
  /** Cannot be built on this machine; reason says what is lacking. */
  | { state: 'impossible'; reason: string };

export interface TemporalServerBuildOptions {
  configPath?: string;
  cacheRoot?: string;
  env?: NodeJS.ProcessEnv;
}

export async function resolveTemporalServerBuild(opts: TemporalServerBuildOptions = {}): Promise<TemporalServerBuildState> {
  const env = opts.env ?? process.env;
  const config = await loadTemporalClusterConfig(opts.configPath ?? DEFAULT_TEMPORAL_CLUSTER_CONFIG_PATH);
  const { version } = config.server;
  const explicit = env.PACER_TEMPORAL_SERVER_DIR;
  if (explicit) {
    const binaries = { server: path.join(explicit, 'server'), sql: path.join(explicit, 'sql'), version };
    for (const file of [binaries.server, binaries.sql]) {
      if (!(await isExecutable(file))) return { state: 'impossible', reason: `PACER_TEMPORAL_SERVER_DIR=${explicit} has no executable ${path.basename(file)}` };
    }
    return { state: 'ready', binaries };
  }
  const dir = path.join(opts.cacheRoot ?? DEFAULT_TEMPORAL_SERVER_CACHE, version);
  const binaries = { server: path.join(dir, 'server'), sql: path.join(dir, 'sql'), version };
  if ((await isExecutable(binaries.server)) && (await isExecutable(binaries.sql))) return { state: 'ready', binaries };
  const toolchain = await goToolchain(env, config);
  if ('impossible' in toolchain) return { state: 'impossible', reason: toolchain.impossible };
  return { state: 'missing', reason: `Temporal server ${version} is not built in ${dir} yet (bash scripts/test-prerequisites.sh builds it)` };
}

/** Returns the binaries, building them first when the cache is empty (minutes, once). */
export async function ensureTemporalServerBuild(log: StackLogger, opts: TemporalServerBuildOptions = {}): Promise<TemporalServerBinaries> {
  const env = opts.env ?? process.env;
  const found = await resolveTemporalServerBuild(opts);
  if (found.state === 'ready') return found.binaries;
  if (found.state === 'impossible') throw new Error(found.reason);
  const config = await loadTemporalClusterConfig(opts.configPath ?? DEFAULT_TEMPORAL_CLUSTER_CONFIG_PATH);
  const toolchain = await goToolchain(env, config);
  if ('impossible' in toolchain) throw new Error(toolchain.impossible);
  const dir = path.join(opts.cacheRoot ?? DEFAULT_TEMPORAL_SERVER_CACHE, config.server.version);
  await mkdir(dir, { recursive: true });
  const binaries = { server: path.join(dir, 'server'), sql: path.join(dir, 'sql'), version: config.server.version };

  // Two prerequisite runs at once (two engineers' test runs) would compile the same thing
  // twice on two shared cores: the second waits for the first.
  const lock = await acquireBuildLock(path.join(dir, '.build.lock'), log);
  try {
    if ((await isExecutable(binaries.server)) && (await isExecutable(binaries.sql))) return binaries;
    await build({ log, go: toolchain.go, config: config.server, dir, env });
    return binaries;
  } finally {
    await lock.release();
  }
}

async function build(a: { log: StackLogger; go: string; config: TemporalClusterConfig['server']; dir: string; env: NodeJS.ProcessEnv }): Promise<void> {
  const { log, go, config, dir, env } = a;
  // A private GOBIN, then rename: an interrupted build never leaves a half-written binary
  // at the path that is trusted by location.
  const gobin = await mkdtemp(path.join(dir, '.build-'));
  const specs = [config.packages.server, config.packages.sql].map((pkg) => `${config.goModule}/${pkg}@${config.version}`);
  log.info({ specs, dir }, 'building the Temporal server and its SQL tool once with go install (many minutes on first run)');
  const started = Date.now();
  try {
    const niceBin = (await isExecutable('/usr/bin/nice')) ? '/usr/bin/nice' : null;
    const argv = ['install', ...specs];
    await runLogged(niceBin ?? go, niceBin ? ['-n', '19', go, ...argv] : argv, {
      ...env,
      GOBIN: gobin,
      GOFLAGS: [env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' '),
      // Never fetch a newer Go toolchain behind our back: minGo says what is needed.
      GOTOOLCHAIN: 'local',
    }, log);
    for (const pkg of [config.packages.server, config.packages.sql]) {
      const name = path.basename(pkg);
      await rename(path.join(gobin, name), path.join(dir, name));
    }
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
  log.info({ dir, seconds: Math.round((Date.now() - started) / 1000) }, 'Temporal server built');
}

async function goToolchain(env: NodeJS.ProcessEnv, config: TemporalClusterConfig): Promise<{ go: string } | { impossible: string }> {
  const go = (await findOnPath('go', env.PATH ?? '')) ?? ((await isExecutable('/usr/local/go/bin/go')) ? '/usr/local/go/bin/go' : null);
  const needed = config.server.minGo;
  if (!go) return { impossible: `no Go toolchain (PATH or /usr/local/go/bin/go) to build Temporal server ${config.server.version}, which needs Go >= ${needed}` };
  const version = await goVersion(go, env);
  if (!version) return { impossible: `${go} version did not report a Go version` };
  if (compareVersions(version, needed) < 0) return { impossible: `Temporal server ${config.server.version} needs Go >= ${needed}; ${go} is Go ${version}` };
  return { go };
}

function goVersion(go: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(go, ['env', 'GOVERSION'], { env: { ...env, GOTOOLCHAIN: 'local' }, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', () => resolve(null));
    child.once('close', () => resolve(/go(\d+\.\d+(?:\.\d+)?)/.exec(out)?.[1] ?? null));
  });
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** An O_EXCL lock file holding the builder's pid; a lock whose pid is gone is taken over. */
async function acquireBuildLock(file: string, log: StackLogger): Promise<{ release(): Promise<void> }> {
  let waited = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0 || !processAlive(holder)) {
      await rm(file, { force: true });
      continue;
    }
    if (!waited) log.info({ pid: holder }, 'another process is building the Temporal server; waiting for it');
    waited = true;
    await sleep(2_000);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runLogged(cmd: string, argv: string[], env: NodeJS.ProcessEnv, log: StackLogger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (line.startsWith('go: downloading')) log.debug({ tool: 'go' }, line);
        else log.info({ tool: 'go' }, line);
      });
    }
    child.once('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${argv.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail.join('\n')}`));
    });
  });
}

async function findOnPath(name: string, searchPath: string): Promise<string | null> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const stderrLogger: StackLogger = {
  debug: () => undefined,
  info: (fields, msg) => process.stderr.write(`[temporal-server] ${msg} ${JSON.stringify(fields)}\n`),
  warn: (fields, msg) => process.stderr.write(`[temporal-server] WARN ${msg} ${JSON.stringify(fields)}\n`),
  error: (fields, msg) => process.stderr.write(`[temporal-server] ERROR ${msg} ${JSON.stringify(fields)}\n`),
};

// `tsx src/app/stack/temporal-server-build.ts` (scripts/test-prerequisites.sh) builds the server
// when it can and prints the directory of the binaries. Where the build is impossible here
// (no Go, or too old a Go) it says so and exits 0: the cluster stack test then skips, naming
// the same reason, and the rest of the suite is unaffected.
if (require.main === module) {
  (async () => {
    const found = await resolveTemporalServerBuild();
    if (found.state === 'impossible') {
      process.stderr.write(`[temporal-server] cannot be built here: ${found.reason}\n`);
      process.stdout.write('unavailable\n');
      return;
    }
    const binaries = await ensureTemporalServerBuild(stderrLogger);
    process.stdout.write(`${path.dirname(binaries.server)}\n`);
  })().catch((err: unknown) => {
    process.stderr.write(`[temporal-server] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
