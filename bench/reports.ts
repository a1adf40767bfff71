/**
 * npm run bench:reports — every report's latency with BENCH_TICKETS tickets in the database
 * (default 5,000 for a smoke run; the figure is BENCH_TICKETS=100000). Tickets are
 * scripted through the ticket workflow's own state (test/support/report-fixtures) over the
 * last 90 days — met, late, paused, reopened and unanswered, on a New York 9–17 policy and a
 * 24/7 one, across 20 organizations and 30 agents — and inserted into PostgreSQL in bulk; the
 * refresher then builds the summaries from the event log (its rate is printed too). Each report
 * (the domain read the API and console call: queue check, refresh, queries) runs BENCH_RUNS
 * times (default 30) over the last 30 days; baseline in the same run, same pool: a plain count
 * of the same period's rows of report_clocks. Target: each report p95 ≤ 500 ms.
 * DATABASE_URL names the PostgreSQL server (else the test server, started if needed).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase } from '../test/support/database';
import { insertScripted, scriptTicket, type ScriptStep, type ScriptedRows } from '../test/support/report-fixtures';
import { ALWAYS_OPEN, NEW_YORK_9_TO_5 } from '../test/support/ticket-fixtures';
import { policySnapshotsByIds } from '../src/domain/sla/policy-snapshot';
import { readReport, REPORT_NAMES } from '../src/domain/reports/report-tables';
import { refreshReports } from '../src/domain/reports/summary-refresh';
import { describeLatencies, percentile } from './support';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 5_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const DAY = 86_400_000;
const MIN = 60_000;

function stepsFor(kind: number, t0: number): ScriptStep[] {
  switch (kind) {
    case 0: return [{ at: t0 + 20 * MIN, do: 'reply' }, { at: t0 + 5 * 60 * MIN, do: 'status', status: 'solved' }];
    case 1: return [{ at: t0 + 26 * 60 * MIN, do: 'reply' }, { at: t0 + 3 * DAY, do: 'status', status: 'solved' }];
    case 2: return [{ at: t0 + 30 * MIN, do: 'reply' }, { at: t0 + 60 * MIN, do: 'status', status: 'pending' }, { at: t0 + DAY, do: 'customer_reply' }, { at: t0 + DAY + 20 * MIN, do: 'reply' }];
    case 3: return [{ at: t0 + 10 * MIN, do: 'reply' }, { at: t0 + 2 * 60 * MIN, do: 'status', status: 'solved' }, { at: t0 + DAY, do: 'customer_reply' }, { at: t0 + DAY + 90 * MIN, do: 'reply' }, { at: t0 + 2 * DAY, do: 'status', status: 'solved' }];
    default: return [];
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus().length} cores; load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (process.env.DATABASE_URL) process.env.PACER_TEST_DATABASE_URL = process.env.DATABASE_URL;
  if (!process.env.PACER_TEST_DATABASE_URL) {
    const out = execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ensure-test-postgres.sh')], { encoding: 'utf8' });
    process.env.PACER_TEST_DATABASE_URL = out.trim().split('\n').pop()!;
  }
  const database = await createTestDatabase();
  const db = database.db;
  try {
    const [ny, always] = await Promise.all(
      ([['New York 9–17', NEW_YORK_9_TO_5], ['around the clock', ALWAYS_OPEN]] as const).map(async ([name, spec]) => {
        const id = crypto.randomUUID();
        await db.insertInto('calendars').values({ id, name: `${name} (bench)`, timezone: spec.timezone, weekly: JSON.stringify(spec.weekly), holidays: JSON.stringify(spec.holidays) }).execute();
        return id;
      }),
    );
    const policyIds = await Promise.all(
      ([['starter', 'high', ny, 60, 480], ['starter', 'urgent', always, 30, 240]] as const).map(async ([tier, priority, calendarId, fr, res]) => {
        const id = crypto.randomUUID();
        await db.insertInto('sla_policies').values({ id, name: `${tier} ${priority} (bench)`, tier, priority, calendar_id: calendarId!, first_response_minutes: fr, resolution_minutes: res, pause_on: JSON.stringify(['pending']), escalations: JSON.stringify([]), auto_close_days: 7, next_reply_minutes: 60 }).execute();
        return id;
      }),
    );
    const policies = await policySnapshotsByIds(db, policyIds);
    const orgs = Array.from({ length: 20 }, (_, i) => ({ id: crypto.randomUUID(), name: `Bench org ${i}`, tier: 'starter', email_domains: '[]' }));
    await db.insertInto('organizations').values(orgs).execute();

    const now = Date.now();
    let built = Date.now();
    const rows: ScriptedRows[] = [];
    for (let i = 0; i < TICKETS; i++) {
      const policy = policies.get(policyIds[i % 2]!)!;
      const createdAt = now - 90 * DAY + Math.floor(((i * 7919) % TICKETS) / TICKETS * 88 * DAY);
      rows.push(scriptTicket({ organizationId: orgs[i % orgs.length]!.id, tier: 'starter', priority: i % 2 ? 'urgent' : 'high', policy, createdAt, assignee: `agent-${i % 30}`, agent: `agent-${i % 30}`, steps: stepsFor(i % 5, createdAt) }, `TKT-BENCH-${String(i).padStart(6, '0')}`));
    }
    console.log(`scripted ${TICKETS} tickets (${rows.reduce((s, r) => s + r.events.length, 0)} events) in ${((Date.now() - built) / 1000).toFixed(1)} s`);
    built = Date.now();
    await insertScripted(db, rows);
    console.log(`inserted in ${((Date.now() - built) / 1000).toFixed(1)} s`);
    built = Date.now();
    const queued = await refreshReports(db, 2_000);
    const refreshS = (Date.now() - built) / 1000;
    const clocks = await db.selectFrom('report_clocks').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    console.log(`refresher: ${queued} queued tickets summarized in ${refreshS.toFixed(1)} s (${Math.round(queued / refreshS)} tickets/s); report_clocks rows: ${clocks.n}`);
    await sql`analyze`.execute(db);

    const period = { from: new Date(now - 30 * DAY), to: new Date(now), zone: 'America/New_York', interval: 'day' as const };
    const time = async (f: () => Promise<unknown>) => {
      for (let i = 0; i < 3; i++) await f();
      const out: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await f();
        out.push(performance.now() - t);
      }
      return out;
    };
    const base = await time(() => sql`select count(*) from report_clocks c where (c.met_at >= ${period.from} and c.met_at < ${period.to}) or (c.met_at is null and c.due_at >= ${period.from} and c.due_at < ${period.to})`.execute(db));
    console.log(`${RUNS} runs each, last 30 days, zone ${period.zone}, per day`);
    console.log(`baseline (plain count of the period's clocks): ${describeLatencies(base)}`);
    let worst = 0;
    for (const name of REPORT_NAMES) {
      const l = await time(() => readReport(db, name, period, {}));
      worst = Math.max(worst, percentile(l, 95));
      console.log(`report ${name.padEnd(9)}: ${describeLatencies(l)}; p95 / baseline p95 ${(percentile(l, 95) / percentile(base, 95)).toFixed(1)}`);
    }
    console.log(`worst report p95 ${worst.toFixed(1)} ms; target ≤ 500 ms: ${worst <= 500 ? 'MET' : 'NOT MET'}`);
    console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
