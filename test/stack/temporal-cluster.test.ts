/**
 * Pacer scaled out on a real Temporal cluster: the pinned server (16 history shards,
 * PostgreSQL persistence and visibility, its own PostgreSQL), two API processes and two
 * worker processes of `src/app/main.ts --only=...` against it. Tickets get a one-minute
 * first-response ladder (80/100/120 %) set through the API; once the 80 % steps have fired,
 * the worker holding most tickets is SIGKILLed. Every step of every ticket must still fire
 * exactly once, the surviving worker must have taken tickets over, and both APIs must answer
 * every request throughout (health, a database read and a workflow query).
 *
 * The server is built by scripts/test-prerequisites.sh, not here. Where it cannot be built
 * (no Go, or too old a Go) the suite is skipped with the reason; where it merely has not
 * been built yet, the suite fails and says how to build it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { pidsInGroup, startPacerProcess, type PacerProcess } from '../../src/app/stack/pacer-processes';
import { startTemporalCluster, type TemporalCluster } from '../../src/app/stack/temporal-cluster';
import { resolveTemporalServerBuild } from '../../src/app/stack/temporal-server-build';
import { testLogger } from '../support/global-fixtures';

const ADMIN_KEY = 'cluster-stack-test-admin-key-0123456789';
const TICKETS = 16;
const FIRST_RESPONSE_MINUTES = 1;
const PERCENTS = [80, 100, 120];

interface ApiAnswer<T> {
  status: number;
  body: T;
}
interface Created {
  id: string;
}
interface Policy {
  id: string;
  tier: string;
  priority: string;
}
interface StepEventRow {
  ticket_id: string;
  clock: string;
  cycle: string;
  percent: string;
  count: string;
  late_ms: string;
}
interface Probe {
  api: string;
  kind: 'healthz' | 'ticket' | 'sla';
  status: number;
  ms: number;
  /** When it was sent (epoch ms). */
  at: number;
}

async function call<T>(baseUrl: string, p: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer<T>> {
  const res = await fetch(`${baseUrl}${p}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

function expectStatus<T>(answer: ApiAnswer<T>, status: number, what: string): T {
  assert.equal(answer.status, status, `${what}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const at = (rows: StepEventRow[], percent: number) => rows.filter((r) => Number(r.percent) === percent);

/** A 24/7 calendar and a one-minute first-response ladder replacing the seeded professional/urgent policy, through the API; the organization's id. */
async function configureLadder(a1: string, a2: string): Promise<string> {
  const weekly = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]));
  const calendar = expectStatus(await call<Created>(a1, '/api/v1/calendars', { body: { name: 'cluster 24x7', timezone: 'UTC', weekly } }), 201, 'calendar');
  const policies = expectStatus(await call<{ data: Policy[] }>(a2, '/api/v1/sla-policies'), 200, 'policies').data;
  const policy = policies.find((p) => p.tier === 'professional' && p.priority === 'urgent');
  assert.ok(policy, 'the seeded professional/urgent policy');
  const body = {
    name: 'cluster ladder', tier: 'professional', priority: 'urgent', calendarId: calendar.id, firstResponseMinutes: FIRST_RESPONSE_MINUTES, resolutionMinutes: null,
    escalations: PERCENTS.map((percent) => ({ percent, actions: [{ type: 'notify', role: 'lead' }] })),
  };
  expectStatus(await call(a2, `/api/v1/sla-policies/${policy.id}`, { method: 'PUT', body }), 200, 'policy');
  return expectStatus(await call<Created>(a1, '/api/v1/organizations', { body: { name: 'Cluster Co', tier: 'professional' } }), 201, 'organization').id;
}

/** TICKETS urgent tickets, created through the two APIs in turn. */
async function createTickets(a1: string, a2: string, organizationId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < TICKETS; i++) {
    const body = { subject: `Cluster ticket ${i}`, description: 'Down', priority: 'urgent', organizationId, requester: { email: `c${i}@cluster.test` } };
    ids.push(expectStatus(await call<Created>(i % 2 === 0 ? a1 : a2, '/api/v1/tickets', { body }), 201, `ticket ${i}`).id);
  }
  return ids;
}

/**
 * Probes one API on a fixed beat, without waiting for answers (one slow answer must not hide
 * the seconds after it): health, and once tickets exist a ticket read and its SLA query.
 * Answers a function that stops the probing and waits for the answers in flight.
 */
function probeLoop(name: string, base: string, ticketIds: readonly string[], probes: Probe[]): () => Promise<void> {
  let probing = true;
  const inFlight: Array<Promise<void>> = [];
  const loop = (async () => {
    for (let i = 0; probing; i++) {
      const id = ticketIds[i % Math.max(1, ticketIds.length)];
      const targets: Array<[Probe['kind'], string]> = [['healthz', '/healthz'], ...(id ? ([['ticket', `/api/v1/tickets/${id}`], ['sla', `/api/v1/tickets/${id}/sla`]] as Array<[Probe['kind'], string]>) : [])];
      for (const [kind, p] of targets) {
        const started = Date.now();
        inFlight.push(call(base, p).then((r) => r.status, () => 0).then((status) => void probes.push({ api: name, kind, status, ms: Date.now() - started, at: started })));
      }
      await sleep(250);
    }
  })();
  return async () => {
    probing = false;
    await loop;
    await Promise.all(inFlight);
  };
}

/** What the ladder run left behind, judged by the tests one idea at a time. */
interface LadderRun {
  ticketIds: string[];
  beforeKill: StepEventRow[];
  completed: StepEventRow[];
  final: StepEventRow[];
  actionEvents: number;
  victimSignal: string | null;
  victimPidsLeft: number[];
  movedOver: number;
  finishedOnDead: number;
}

interface Holder {
  all: Set<string>;
  last: string | undefined;
  /** How the server noticed the dead worker: 1 = start-to-close, 2 = schedule-to-start (the sticky queue). */
  timeouts: number[];
}

/** Who completed each of a ticket's workflow tasks (worker identities), and its task timeouts. */
async function holderOf(client: Client, ticketId: string): Promise<Holder> {
  const history = await client.workflow.getHandle(`ticket-${ticketId}`).fetchHistory();
  const identities = (history.events ?? []).map((e) => e.workflowTaskCompletedEventAttributes?.identity).filter((x): x is string => Boolean(x));
  const timeouts = (history.events ?? []).map((e) => e.workflowTaskTimedOutEventAttributes?.timeoutType).filter((t): t is NonNullable<typeof t> => t !== undefined && t !== null).map(Number);
  return { all: new Set(identities), last: identities.at(-1), timeouts };
}

/** Every ticket's step events, grouped by step, with how late the latest of each was. */
async function stepRows(pg: PgClient, ticketIds: string[]): Promise<StepEventRow[]> {
  const sql = `select ticket_id, data->>'clock' as clock, data->>'cycle' as cycle, data->>'percent' as percent, count(*)::text as count,
                      max(extract(epoch from (at - (data->>'scheduledAt')::timestamptz)) * 1000)::text as late_ms
                 from ticket_events where type in ('sla.escalation', 'sla.breached') and ticket_id = any($1::uuid[])
                group by 1, 2, 3, 4`;
  return (await pg.query<StepEventRow>(sql, [ticketIds])).rows;
}

async function waitForSteps(pg: PgClient, ticketIds: string[], what: string, until: (rows: StepEventRow[]) => boolean, timeoutMs: number): Promise<StepEventRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await stepRows(pg, ticketIds);
    if (until(rows)) return rows;
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms; step events: ${JSON.stringify(rows)}`);
    await sleep(500);
  }
}

/**
 * Waits for every 80 % step, SIGKILLs the worker that completed most tickets' latest workflow
 * task, waits for every 100 % and 120 % step, and reads what happened.
 */
async function ladderAcrossKill(cluster: TemporalCluster, workers: PacerProcess[], ticketIds: string[], createdAt: number, killed: (at: number) => void): Promise<LadderRun> {
  const pg = new PgClient({ connectionString: cluster.databaseUrl });
  await pg.connect();
  const temporal = await Connection.connect({ address: cluster.address });
  const client = new Client({ connection: temporal, namespace: cluster.namespace });
  try {
    const beforeKill = await waitForSteps(pg, ticketIds, "every ticket's 80 % step", (rows) => at(rows, 80).length === TICKETS, 120_000);
    const identityOf = new Map<string, PacerProcess>();
    for (const w of workers) for (const pid of pidsInGroup(w.pid)) identityOf.set(`${pid}@${os.hostname()}`, w);
    const holders = await Promise.all(ticketIds.map((id) => holderOf(client, id)));
    const load = workers.map((w) => holders.filter((h) => h.last !== undefined && identityOf.get(h.last) === w).length);
    assert.equal(load.reduce((s, n) => s + n, 0), TICKETS, `every ticket's last workflow task was completed by one of our workers: ${JSON.stringify(holders.map((h) => h.last))}`);
    const victim = load[0]! >= load[1]! ? workers[0]! : workers[1]!;
    const survivor = victim === workers[0] ? workers[1]! : workers[0]!;
    const victimIdentities = [...identityOf].filter(([, w]) => w === victim).map(([identity]) => identity);
    const killedAt = Date.now();
    killed(killedAt);
    await victim.stop('SIGKILL');
    const victimSignal = (await victim.exited).signal;
    for (let i = 0; i < 50 && pidsInGroup(victim.pid).length > 0; i++) await sleep(100);
    const victimPidsLeft = pidsInGroup(victim.pid);

    const completed = await waitForSteps(pg, ticketIds, "every ticket's 100 % and 120 % steps after the kill", (rows) => at(rows, 100).length === TICKETS && at(rows, 120).length === TICKETS, 180_000);
    // Anything still in flight on the dead worker (a retried local activity) has had time to land twice.
    await sleep(5_000);
    const final = await stepRows(pg, ticketIds);
    const actions = await pg.query<{ n: string }>(`select count(*)::text as n from ticket_events where ticket_id = any($1::uuid[]) and id like '%:sla:%:action:%'`, [ticketIds]);
    const finalHolders = await Promise.all(ticketIds.map((id) => holderOf(client, id)));
    const movedOver = finalHolders.filter((h) => victimIdentities.some((v) => h.all.has(v)) && h.last !== undefined && identityOf.get(h.last) === survivor).length;
    const finishedOnDead = finalHolders.filter((h) => h.last !== undefined && victimIdentities.includes(h.last)).length;

    const timedOut = (type: number) => finalHolders.reduce((n, h) => n + h.timeouts.filter((t) => t === type).length, 0);
    const late = (rows: StepEventRow[]) => Math.max(...rows.map((r) => Number(r.late_ms)));
    process.stdout.write(
      `      cluster: ${TICKETS} tickets, ${victim.name} killed ${Math.round((killedAt - createdAt) / 1000)} s after the first was created; ${movedOver} tickets moved to ${survivor.name}; ` +
        `max lateness 80 % ${late(at(final, 80))} ms, 100 % ${late(at(final, 100))} ms, 120 % ${late(at(final, 120))} ms; ` +
        `workflow tasks timed out: ${timedOut(2)} schedule-to-start, ${timedOut(1)} start-to-close\n`,
    );
    return { ticketIds, beforeKill, completed, final, actionEvents: Number(actions.rows[0]!.n), victimSignal, victimPidsLeft, movedOver, finishedOnDead };
  } finally {
    await pg.end();
    await temporal.close();
  }
}

describe('Temporal cluster: two APIs and two workers, a worker killed mid-ladder', function () {
  this.timeout(600_000);
  const log = testLogger('temporal-cluster');
  // Made in before(), not here: mocha runs every describe body of every spec file, even
  // those --grep leaves out, and their after() hooks then never run to remove it.
  let scratch = '';
  let cluster: TemporalCluster | undefined;
  const apis: PacerProcess[] = [];
  const workers: PacerProcess[] = [];
  // Collected while the ladder runs and the worker dies, judged in their own test below.
  const probes: Probe[] = [];
  let killedAt = 0;

  before(async function () {
    this.timeout(480_000);
    const build = await resolveTemporalServerBuild();
    if (build.state === 'impossible') {
      // Loud on purpose: a skipped cluster test must never pass for a green one unnoticed.
      process.stderr.write(`\n  SKIPPED the Temporal cluster stack test: ${build.reason}\n\n`);
      this.skip();
    }
    if (build.state === 'missing') throw new Error(build.reason);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-cluster-'));
    // mkdtemp makes it 0700; as root, PostgreSQL runs as `postgres` and must reach its data inside.
    fs.chmodSync(scratch, 0o755);
    cluster = await startTemporalCluster({ log, binaries: build.binaries, dataDir: path.join(scratch, 'cluster'), ports: 'random', durable: false });

    const basePort = 21_000 + Math.floor(Math.random() * 8_000);
    const env = (name: string, extra: Record<string, string> = {}) => ({
      TEMPORAL_ADDRESS: cluster!.address,
      TEMPORAL_NAMESPACE: cluster!.namespace,
      DATABASE_URL: cluster!.databaseUrl,
      PACER_ADMIN_API_KEY: ADMIN_KEY,
      // A data directory each: what a process keeps locally (an embedded search index) is its own.
      PACER_DATA_DIR: path.join(scratch, name),
      PACER_RECONCILE_INTERVAL_SECONDS: '0',
      PACER_LOG_LEVEL: 'info',
      ...extra,
    });
    // The first API migrates and seeds the fresh database; the others start on a finished schema.
    apis.push(startPacerProcess({ part: 'api', name: 'api-1', env: env('api-1', { PORT: String(basePort) }) }));
    await apis[0]!.ready();
    apis.push(startPacerProcess({ part: 'api', name: 'api-2', env: env('api-2', { PORT: String(basePort + 1) }) }));
    workers.push(startPacerProcess({ part: 'worker', name: 'worker-1', env: env('worker-1', { PORT: String(basePort + 2) }) }));
    workers.push(startPacerProcess({ part: 'worker', name: 'worker-2', env: env('worker-2', { PORT: String(basePort + 3) }) }));
    await Promise.all([...apis, ...workers].map((p) => p.ready()));
  });

  after(async function () {
    this.timeout(120_000);
    await Promise.all([...apis, ...workers].map((p) => p.stop('SIGTERM')));
    await cluster?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('is the real server: 16 history shards, PostgreSQL persistence and visibility', async () => {
    const connection = await Connection.connect({ address: cluster!.address });
    try {
      const info = await connection.workflowService.getClusterInfo({});
      assert.equal(info.historyShardCount, 16);
      assert.equal(info.persistenceStore, 'postgres12');
      assert.match(info.visibilityStore ?? '', /postgres12/);
      assert.equal(`v${info.serverVersion}`, cluster!.version);
    } finally {
      await connection.close();
    }
  });

  it('a second set-up pass over the running cluster creates nothing and keeps the schema versions', async () => {
    const again = await cluster!.ensureSchemas();
    assert.deepEqual(
      again.map((s) => [s.created, s.setUp]),
      again.map(() => [false, false]),
    );
    assert.ok(again.every((s) => /^\d+\.\d+$/.test(s.version)), JSON.stringify(again));
  });

  describe('a one-minute ladder across a SIGKILL of the worker holding most tickets', () => {
    let run: LadderRun;

    before(async function () {
      this.timeout(420_000);
      const [a1, a2] = [apis[0]!.url!, apis[1]!.url!];
      const orgId = await configureLadder(a1, a2);
      // Both APIs are probed from here to the end: health, a database read, a workflow query.
      const ticketIds: string[] = [];
      const stopProbing = [probeLoop('api-1', a1, ticketIds, probes), probeLoop('api-2', a2, ticketIds, probes)];
      try {
        const createdAt = Date.now();
        ticketIds.push(...(await createTickets(a1, a2, orgId)));
        run = await ladderAcrossKill(cluster!, workers, ticketIds, createdAt, (at) => (killedAt = at));
      } finally {
        await Promise.all(stopProbing.map((stop) => stop()));
      }
    });

    it('the kill came mid-ladder: every 80 % step fired, no 100 % step yet', () => {
      assert.equal(at(run.beforeKill, 80).length, TICKETS);
      assert.equal(at(run.beforeKill, 100).length, 0, 'the kill must come before the breaches are due');
    });

    it('the killed worker is gone, every process of it', () => {
      assert.equal(run.victimSignal, 'SIGKILL');
      assert.deepEqual(run.victimPidsLeft, [], 'no process of the killed worker is left');
    });

    it('fires each first-response step of every ticket exactly once', () => {
      for (const id of run.ticketIds) {
        const mine = run.final.filter((r) => r.ticket_id === id);
        assert.deepEqual(
          mine.map((r) => [r.clock, Number(r.percent), Number(r.count)]).sort((x, y) => Number(x[1]) - Number(y[1])),
          PERCENTS.map((p) => ['first_response', p, 1]),
          `ticket ${id}: each first-response step exactly once`,
        );
      }
    });

    it('records no step event after the ladder completed, and each step\'s notify action once', () => {
      assert.equal(run.final.length, run.completed.length, 'no step event appeared after the ladder completed');
      assert.equal(run.actionEvents, TICKETS * PERCENTS.length, 'each step\'s notify action recorded once');
    });

    it('the surviving worker took over tickets of the killed one, and nothing finished on the dead worker', () => {
      assert.ok(run.movedOver >= 1, 'the surviving worker took over tickets of the killed one');
      assert.equal(run.finishedOnDead, 0, 'nothing finished on the dead worker');
    });

    it('both APIs answered every probe 2xx while the ladder ran and the worker died', () => {
      const failed = probes.filter((p) => p.status < 200 || p.status >= 300);
      const byKind = (kind: Probe['kind']) => probes.filter((p) => p.kind === kind);
      const p99 = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length * 0.99)] ?? 0;
      const kinds = ['healthz', 'ticket', 'sla'] as const;
      const max = (xs: number[]) => xs.reduce((m, x) => Math.max(m, x), 0);
      const afterKill = (k: Probe['kind']) => byKind(k).filter((p) => p.at >= killedAt && p.at <= killedAt + 15_000).map((p) => p.ms);
      process.stdout.write(
        `      API probes: ${probes.length} (${kinds.map((k) => `${k} ${byKind(k).length}, p99 ${p99(byKind(k).map((p) => p.ms))} ms, max ${max(byKind(k).map((p) => p.ms))} ms, max in the 15 s after the kill ${max(afterKill(k))} ms`).join('; ')}), non-2xx ${failed.length}\n`,
      );
      assert.ok(killedAt > 0, 'the ladder test ran and killed a worker');
      for (const api of ['api-1', 'api-2']) {
        // The seconds after a crash are when a query could hang on the dead worker's sticky queue.
        const takeover = byKind('sla').filter((p) => p.api === api && p.at >= killedAt && p.at <= killedAt + 15_000);
        assert.ok(takeover.length >= 20, `${api} was queried through the takeover (${takeover.length} probes)`);
      }
      assert.deepEqual(failed, [], 'every probe answered 2xx');
    });
  });
});
