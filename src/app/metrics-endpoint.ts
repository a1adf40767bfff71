/**
 * GET /metrics for Prometheus: this process's instruments (src/core/metrics.ts), the ticket
 * gauges where the process serves the API (read from PostgreSQL at scrape), and, where it runs
 * the worker, the Temporal SDK's own metrics, which its Rust core exports on a loopback address
 * and which are folded in here so one scrape (behind one token) covers the process.
 *
 * The gauges are computed at scrape, not kept current in memory: PostgreSQL holds the truth for
 * every process, so a gauge is right after a crash, a restart or a change another API process
 * made, and the query is one grouped index scan of the open tickets. Scrapes that arrive while
 * it runs share it, so several Prometheus servers (or a slow database) never pile queries up.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router, type Express } from 'express';
import type { Kysely } from 'kysely';
import { Gauge, Registry } from 'prom-client';
import type { Database } from '../db/schema';
import type { Logger } from '../core/logger';
import { processRegistry } from '../core/metrics';
import { ticketGauges, type TicketGaugeRow } from '../db/repositories/ticket-gauges';
import { errorMiddleware } from '../http/kit/errors';
import { NotFound, Unauthenticated } from '../core/errors';

export interface MetricsOptions {
  /** PACER_METRICS_TOKEN: scrapes must send `Authorization: Bearer <token>`; absent, the endpoint is open (its own port only). */
  token?: string;
  /** Where the ticket gauges are read; absent in a worker-only process (the API processes serve them). */
  db?: Kysely<Database>;
  /** The Temporal SDK's Prometheus exporter (`http://127.0.0.1:port/metrics`) in a process that runs a worker. */
  sdkMetricsUrl?: string;
  log: Logger;
}

function ticketGaugeRegistry(db: Kysely<Database>): Registry {
  const registry = new Registry();
  let running: Promise<TicketGaugeRow[]> | null = null;
  const rows = () => {
    running ??= ticketGauges(db).finally(() => {
      running = null;
    });
    return running;
  };
  const gauge = (name: string, help: string, labels: Array<'status' | 'priority'>, value: (r: TicketGaugeRow) => number) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers: [registry],
      async collect() {
        this.reset();
        const totals = new Map<string, { labels: Record<string, string>; n: number }>();
        for (const r of await rows()) {
          const l = Object.fromEntries(labels.map((k) => [k, r[k]]));
          const key = JSON.stringify(l);
          totals.set(key, { labels: l, n: (totals.get(key)?.n ?? 0) + value(r) });
        }
        for (const t of totals.values()) this.set(t.labels, t.n);
      },
    });
  gauge('pacer_tickets_open', 'Open tickets (new, open, pending, on hold) by status and priority, read from the database at scrape.', ['status', 'priority'], (r) => r.open);
  gauge('pacer_tickets_at_risk', 'Open tickets with a clock past 80% of its target and none breached, by priority.', ['priority'], (r) => r.atRisk);
  gauge('pacer_tickets_breached', 'Open tickets with a breached clock (past due unmet, or met late), by priority.', ['priority'], (r) => r.breached);
  return registry;
}

function sdkRegistry(url: string, log: Logger): { registry: Registry; text: () => Promise<string> } {
  const registry = new Registry();
  const up = new Gauge({ name: 'pacer_temporal_sdk_metrics_up', help: "1 when the Temporal SDK's own metrics were read for this scrape, 0 when its exporter did not answer.", registers: [registry] });
  let failing = false;
  return {
    registry,
    async text() {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = await res.text();
        up.set(1);
        failing = false;
        return body;
      } catch (err) {
        up.set(0);
        if (!failing) log.warn({ err: (err as Error).message }, "metrics: the Temporal SDK's exporter did not answer; its metrics are left out");
        failing = true;
        return '';
      }
    },
  };
}

function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}

/** Every registry a process with these parts serves (the dashboard test reads their names). */
export function metricsRegistries(o: Pick<MetricsOptions, 'db' | 'sdkMetricsUrl' | 'log'>): { registries: Registry[]; sdkText: () => Promise<string> } {
  const sdk = o.sdkMetricsUrl ? sdkRegistry(o.sdkMetricsUrl, o.log) : null;
  return { registries: [processRegistry, ...(o.db ? [ticketGaugeRegistry(o.db)] : []), ...(sdk ? [sdk.registry] : [])], sdkText: sdk ? sdk.text : async () => '' };
}

/** The GET /metrics route. */
export function metricsRoutes(o: MetricsOptions): Router {
  const { registries, sdkText } = metricsRegistries(o);
  const r = Router();
  r.get('/metrics', async (req, res) => {
    if (o.token !== undefined) {
      const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
      if (given === undefined || !sameToken(given, o.token)) {
        res.set('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new Unauthenticated('metrics need the bearer token set in PACER_METRICS_TOKEN', 'unauthorized');
      }
    }
    const sdk = await sdkText();
    const texts = await Promise.all(registries.map((reg) => reg.metrics()));
    res.type(processRegistry.contentType).send([...texts, sdk].filter((t) => t.trim() !== '').join('\n'));
  });
  return r;
}

/** /metrics alone on its own port (PACER_METRICS_PORT): how a worker-only process is scraped. */
export async function startMetricsServer(o: MetricsOptions & { port: number; host: string }): Promise<{ url: string; stop: () => Promise<void> }> {
  const app: Express = express();
  app.disable('x-powered-by');
  app.use(metricsRoutes(o));
  app.use((_req, _res, next) => next(new NotFound('page', 'only /metrics is served here')));
  app.use(errorMiddleware(o.log));
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://${o.host}:${port}/metrics`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
