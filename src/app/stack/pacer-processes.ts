// Why: against a real cluster Pacer scales out as separate processes (`--only=api`,
// `--only=worker`) sharing one Temporal and one PostgreSQL. `npm run cluster -- --with-pacer`
// and the cluster stack test both run several of them; this starts one, knows when it is
// ready (an API answers /healthz, a worker has logged "worker running"), relays or keeps its
// log, and ends it with the signal asked for (SIGKILL is how a crash is staged).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { PROJECT_ROOT } from './config-file';

export type PacerPart = 'api' | 'worker';

export interface PacerProcessOptions {
  part: PacerPart;
  /** Used in relayed lines and errors, e.g. "worker-1". */
  name: string;
  /** Added to process.env: TEMPORAL_ADDRESS, DATABASE_URL, PORT (for an API), ... */
  env: Record<string, string>;
  /** Each log line as it comes (e.g. to print it prefixed); kept as a tail either way. */
  onLine?: (name: string, line: string) => void;
}

export interface PacerProcess {
  name: string;
  part: PacerPart;
  pid: number;
  /** For an API: its base URL. */
  url: string | null;
  /** Resolves once the process serves (API) or polls its task queue (worker). */
  ready(timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last log lines, for a failure message. */
  tail(): string;
  /** Sends the signal and waits for the exit (SIGTERM: Pacer's own clean shutdown). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** How `npm start`, `npm run api` and `npm run worker` run node: with Pacer's C allocator settings (the script says why). */
export const PACER_NODE = path.join(PROJECT_ROOT, 'scripts', 'pacer-node.sh');

export function startPacerProcess(opts: PacerProcessOptions): PacerProcess {
  // As `npm run api` / `npm run worker` run it (package.json).
  const child: ChildProcess = spawn('bash', [PACER_NODE, '--import', 'tsx', 'src/app/main.ts', `--only=${opts.part}`], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a staged crash (SIGKILL) also ends the bundler child a
    // starting worker may have (see stop()).
    detached: true,
  });
  const lines: string[] = [];
  let workerRunning = false;
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 60) lines.shift();
      if (/"msg":"worker running"/.test(line)) workerRunning = true;
      opts.onLine?.(opts.name, line);
    });
  }
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve((exitInfo = { code: null, signal: null })));
    child.once('exit', (code, signal) => resolve((exitInfo = { code, signal })));
  });
  alive.add(child);
  void exited.then(() => alive.delete(child));
  const url = opts.part === 'api' ? `http://127.0.0.1:${opts.env.PORT ?? '3000'}` : null;
  const tail = () => lines.join('\n');

  return {
    name: opts.name,
    part: opts.part,
    pid: child.pid ?? -1,
    url,
    exited,
    tail,
    ready: async (timeoutMs = 180_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitInfo) throw new Error(`${opts.name} exited before it was ready (${exitInfo.signal ?? `exit ${exitInfo.code}`}):\n${tail()}`);
        if (url) {
          const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3_000) }).then((r) => r.status === 200, () => false);
          if (ok) return;
        } else if (workerRunning || (await pollsTaskQueue(child.pid ?? -1, opts.env))) {
          return;
        }
        await sleep(300);
      }
      throw new Error(`${opts.name} was not ready within ${timeoutMs} ms:\n${tail()}`);
    },
    stop: async (signal = 'SIGTERM') => {
      if (exitInfo) return;
      // Catchable signals go to Pacer's process alone, whose handler shuts it down once.
      if (signal === 'SIGKILL') killGroup(child);
      else child.kill(signal);
      const done = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
      if (!done) {
        killGroup(child);
        await exited;
      }
    },
  };
}

/**
 * Whether a process of this group polls the task queue (the SDK's default identity is
 * pid@hostname): a worker's readiness seen from Temporal, whatever PACER_LOG_LEVEL hides.
 */
async function pollsTaskQueue(pgid: number, env: Record<string, string>): Promise<boolean> {
  const address = env.TEMPORAL_ADDRESS ?? process.env.TEMPORAL_ADDRESS;
  if (!address) return false;
  const identities = new Set(pidsInGroup(pgid).map((pid) => `${pid}@${os.hostname()}`));
  try {
    const connection = await Connection.connect({ address, connectTimeout: 2_000 });
    try {
      const answer = await connection.withDeadline(Date.now() + 5_000, () =>
        connection.workflowService.describeTaskQueue({
          namespace: env.TEMPORAL_NAMESPACE ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
          taskQueue: { name: env.PACER_TASK_QUEUE ?? process.env.PACER_TASK_QUEUE ?? 'pacer' },
          taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
        }),
      );
      return (answer.pollers ?? []).some((p) => identities.has(p.identity ?? ''));
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

/** Live processes of a process group (Pacer's node process and a child it may have, the workflow bundler), from /proc. */
export function pidsInGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie has already died; it only waits for its parent to collect it.
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// A Pacer process must not outlive whoever started it (a test runner that exits early).
const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of alive) killGroup(child);
});
