/**
 * A worker-only Pacer process (`npm run worker`: no API port) serves its own /metrics on
 * PACER_METRICS_PORT, with the Temporal SDK's worker metrics from Runtime.install's Prometheus
 * exporter folded in, behind the token. Read with a Prometheus text-format parser.
 * Then docs/grafana-dashboard.json and docs/prometheus-alerts.yml: every panel's and rule's
 * query parses as PromQL (the Prometheus project's own grammar) and names only metrics Pacer's
 * registries declare or this worker's SDK exported.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parser } from '@prometheus-io/lezer-promql';
import YAML from 'yaml';
import { metricsRegistries } from '../../src/app/metrics-endpoint';
import { createLogger } from '../../src/core/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTemporalAddress, testTemporalNamespace } from '../support/env';
import { freePort } from '../support/private-postgres';
import { family, scrape, valueOf, type Scrape } from '../support/prometheus-scrape';

const ROOT = path.resolve(__dirname, '..', '..');

/** The metric names a PromQL expression selects; fails on a syntax error. */
function selectedMetrics(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      assert.notEqual(n.type.isError, true, `not PromQL at ${n.from}: ${expr}`);
      const id = n.name === 'VectorSelector' ? n.node.getChild('Identifier') : null;
      if (id) names.push(expr.slice(id.from, id.to));
    },
  });
  assert.ok(names.length > 0, `selects no metric: ${expr}`);
  return names;
}

interface Panel {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}
const allPanels = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

describe('metrics of a worker-only process, and the dashboard and alerts on them', function () {
  this.timeout(120_000);
  const token = `metrics-${crypto.randomBytes(12).toString('hex')}`;
  let database: TestDatabase;
  let proc: ChildProcess;
  let url: string;
  let scraped: Scrape;
  const lines: string[] = [];

  before(async () => {
    database = await createTestDatabase();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    proc = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts', '--only=worker'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.url, TEMPORAL_ADDRESS: testTemporalAddress(), TEMPORAL_NAMESPACE: testTemporalNamespace(), PACER_TASK_QUEUE: `pacer-metrics-${crypto.randomBytes(4).toString('hex')}`, PACER_SEARCH: 'postgres', PACER_RECONCILE_INTERVAL_SECONDS: '0', PACER_METRICS_PORT: String(port), PACER_METRICS_TOKEN: token, PACER_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: proc.stdout! }).on('line', (l) => lines.push(l));
    createInterface({ input: proc.stderr! }).on('line', (l) => lines.push(l));
    const until = Date.now() + 90_000;
    // The SDK's gauges appear once the worker polls.
    while (!(scraped = await scrape(url, token).catch(() => ({ status: 0, contentType: null, families: [], samples: [] }))).families.some((f) => f.name === 'temporal_num_pollers')) {
      if (proc.exitCode !== null || Date.now() > until) assert.fail(`no metrics with the SDK's:\n${lines.slice(-10).join('\n')}`);
      await sleep(500);
    }
  });

  after(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    await database?.drop();
  });

  it('refuses a scrape without the token on its own port', async () => {
    for (const t of [null, 'wrong-token-wrong-token']) {
      const res = await fetch(url, { headers: t === null ? {} : { authorization: `Bearer ${t}` } });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
  });

  it("serves the Temporal SDK's worker metrics beside Pacer's own, and no ticket gauges (the API processes serve those)", () => {
    assert.equal(valueOf(scraped, 'pacer_temporal_sdk_metrics_up'), 1);
    assert.equal(family(scraped.families, 'temporal_worker_task_slots_available').type, 'GAUGE');
    assert.ok(valueOf(scraped, 'temporal_num_pollers') > 0, 'the worker polls');
    assert.equal(family(scraped.families, 'process_resident_memory_bytes').type, 'GAUGE');
    assert.ok(!scraped.families.some((f) => f.name === 'pacer_tickets_open'));
  });

  it('has a dashboard whose every panel queries metrics Pacer exports', () => {
    const exported = exportedNames(scraped, database.db);
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as { panels: Panel[] };
    const panels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
    assert.ok(panels.length >= 12, 'SLA health, lateness, integrations, API and worker panels');
    for (const p of panels) {
      const exprs = (p.targets ?? []).map((t) => t.expr ?? '');
      assert.ok(exprs.length > 0, `panel "${p.title}" has no query`);
      for (const name of exprs.flatMap(selectedMetrics)) assert.ok(exported.has(name), `panel "${p.title}" queries ${name}, which Pacer does not export`);
    }
  });

  it('has alert rules whose every expression queries metrics Pacer exports, lateness p99 over 1 s among them', () => {
    const exported = exportedNames(scraped, database.db);
    const rules = (YAML.parse(fs.readFileSync(path.join(ROOT, 'docs/prometheus-alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules);
    for (const r of rules) for (const name of selectedMetrics(r.expr)) assert.ok(exported.has(name), `rule ${r.alert} queries ${name}, which Pacer does not export`);
    const lateness = rules.find((r) => r.expr.includes('pacer_ladder_step_lateness_seconds_bucket'));
    assert.match(lateness?.expr ?? '', /^histogram_quantile\(0\.99,.*\) > 1$/);
    for (const metric of ['pacer_ladder_actions_total', 'pacer_tickets_breached']) assert.ok(rules.some((r) => r.expr.includes(metric)), `a rule on ${metric}`);
  });
});

/** What Pacer's registries declare (an API and worker process: every part), with a histogram's series, and the SDK's families as scraped. */
function exportedNames(scraped: Scrape, db: TestDatabase['db']): Set<string> {
  const { registries } = metricsRegistries({ db, sdkMetricsUrl: 'http://127.0.0.1:1/metrics', log: createLogger('silent') });
  const names = new Set<string>();
  for (const m of registries.flatMap((r) => r.getMetricsAsArray())) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  for (const f of scraped.families.filter((x) => x.name.startsWith('temporal_'))) {
    names.add(f.name);
    if (f.type === 'HISTOGRAM') for (const s of ['_bucket', '_sum', '_count']) names.add(f.name + s);
  }
  return names;
}
