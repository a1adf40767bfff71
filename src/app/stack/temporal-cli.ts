// Why: the Temporal dev server behind `npm start` and the tests is the Temporal CLI, which
// is not an npm package. We pin one version (temporal-dev.yaml) and build it from source
// through the Go module proxy once, into the git-ignored .cache/, so that nothing is
// downloaded at run time and every machine runs the same server.
//
// Resolution order:
//   1. PACER_TEMPORAL_CLI, taken as-is (an explicit choice; its version is not checked).
//   2. `temporal` on PATH, only if `temporal --version` reports the pinned version:
//      flags and defaults differ between releases, and a silently different server is
//      worse than a one-time build.
//   3. .cache/temporal-cli/<version>/temporal (trusted by location; `go install` builds
//      from before this file existed report "0.0.0-DEV").
//   4. Build it there with `go install <goPackage>@<version>`.
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_TEMPORAL_DEV_CONFIG_PATH, PROJECT_ROOT, loadTemporalDevConfig } from './config-file';

/** The logging surface the stack launcher needs; a pino Logger satisfies it. */
export type StackLogFn = (fields: Record<string, unknown>, msg: string) => void;
export interface StackLogger {
  debug: StackLogFn;
  info: StackLogFn;
  warn: StackLogFn;
  error: StackLogFn;
}

export interface ResolveTemporalCliOptions {
  /** temporal-dev.yaml to read the pinned version from. */
  configPath?: string;
  /** Where versioned builds live; default <project>/.cache/temporal-cli. */
  cacheRoot?: string;
  /** Environment to consult (PACER_TEMPORAL_CLI, PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_TEMPORAL_CLI_CACHE = path.join(PROJECT_ROOT, '.cache', 'temporal-cli');

// v1.5.1 keeps its version string here; -X on a missing symbol is a silent no-op,
// so a different layout in another release only costs the version label.
const VERSION_SYMBOL = 'github.com/temporalio/cli/temporalcli.Version';

export async function resolveTemporalCli(log: StackLogger, opts: ResolveTemporalCliOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const explicit = env.PACER_TEMPORAL_CLI;
  if (explicit) {
    if (!(await isExecutable(explicit))) {
      throw new Error(`PACER_TEMPORAL_CLI=${explicit} is not an executable file`);
    }
    log.debug({ path: explicit }, 'using Temporal CLI from PACER_TEMPORAL_CLI');
    return explicit;
  }

  const config = await loadTemporalDevConfig(opts.configPath ?? DEFAULT_TEMPORAL_DEV_CONFIG_PATH);
  const { version, goPackage } = config.cli;

  const onPath = await findOnPath('temporal', env.PATH ?? '');
  if (onPath) {
    const reported = await reportedVersion(onPath);
    if (reported === version.replace(/^v/, '')) {
      log.debug({ path: onPath, version }, 'using Temporal CLI from PATH');
      return onPath;
    }
    log.debug({ path: onPath, reported, pinned: version }, 'ignoring Temporal CLI on PATH: not the pinned version');
  }

  const cacheRoot = opts.cacheRoot ?? DEFAULT_TEMPORAL_CLI_CACHE;
  const cached = path.join(cacheRoot, version, 'temporal');
  if (await isExecutable(cached)) {
    log.debug({ path: cached }, 'using cached Temporal CLI build');
    return cached;
  }

  await buildTemporalCli({ log, version, goPackage, target: cached, env });
  return cached;
}

async function buildTemporalCli(args: {
  log: StackLogger;
  version: string;
  goPackage: string;
  target: string;
  env: NodeJS.ProcessEnv;
}): Promise<void> {
  const { log, version, goPackage, target, env } = args;
  const go = (await findOnPath('go', env.PATH ?? '')) ?? ((await isExecutable('/usr/local/go/bin/go')) ? '/usr/local/go/bin/go' : null);
  if (!go) {
    throw new Error(
      `Temporal CLI ${version} is not built yet and no Go toolchain was found (PATH or /usr/local/go/bin/go). ` +
        `Install Go, or point PACER_TEMPORAL_CLI at a temporal ${version} binary.`,
    );
  }
  const versionDir = path.dirname(target);
  await mkdir(versionDir, { recursive: true });
  // Build into a private directory and rename: a concurrent start or an interrupted
  // build never leaves a half-written binary at the path we trust.
  const gobin = await mkdtemp(path.join(versionDir, '.build-'));
  const spec = `${goPackage}@${version}`;
  log.info({ spec, target }, 'building the Temporal CLI once with go install (takes a few minutes on first run)');
  const started = Date.now();
  try {
    await runLogged(
      go,
      ['install', `-ldflags=-X ${VERSION_SYMBOL}=${version.replace(/^v/, '')}`, spec],
      {
        ...env,
        GOBIN: gobin,
        GOFLAGS: [env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' '),
      },
      log,
    );
    await rename(path.join(gobin, 'temporal'), target);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
  log.info({ target, seconds: Math.round((Date.now() - started) / 1000) }, 'Temporal CLI built');
}

function runLogged(cmd: string, argv: string[], env: NodeJS.ProcessEnv, log: StackLogger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        // "go: downloading x" is progress noise; anything else from the build is news.
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

async function reportedVersion(binary: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve(/temporal version v?(\d+\.\d+\.\d+\S*)/.exec(out)?.[1] ?? null);
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

/** Logger for running this file directly (scripts/test-prerequisites.sh): stderr, info and up. */
const stderrLogger: StackLogger = {
  debug: () => undefined,
  info: (fields, msg) => process.stderr.write(`[temporal-cli] ${msg} ${JSON.stringify(fields)}\n`),
  warn: (fields, msg) => process.stderr.write(`[temporal-cli] WARN ${msg} ${JSON.stringify(fields)}\n`),
  error: (fields, msg) => process.stderr.write(`[temporal-cli] ERROR ${msg} ${JSON.stringify(fields)}\n`),
};

// `tsx src/app/stack/temporal-cli.ts` makes sure the CLI exists and prints its path.
if (require.main === module) {
  resolveTemporalCli(stderrLogger).then(
    (cli) => process.stdout.write(`${cli}\n`),
    (err: unknown) => {
      process.stderr.write(`[temporal-cli] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
