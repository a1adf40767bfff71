/**
 * npm run bench:console — the first paint of the agents' queue with 1,000 open tickets, in
 * Chromium (the paint timing the browser reports), against a baseline measured in the same
 * run: the very same HTML bytes served as a static page by the same server (same express
 * stack, same stylesheet and script), so the ratio is what rendering the queue costs — the
 * session lookup, the urgency query and the HTML — on top of just delivering the page.
 * Target: the queue's first contentful paint under 200 ms on this machine.
 *
 * DATABASE_URL / TEMPORAL_ADDRESS (or PACER_TEST_DATABASE_URL / PACER_TEST_TEMPORAL_ADDRESS)
 * name the PostgreSQL server and the Temporal to run on; otherwise it brings up the test
 * PostgreSQL server and an ephemeral Temporal dev server, like the test suite (bench/support.ts).
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Page } from 'playwright-core';
import { createPacerApp } from '../src/app/http-app';
import { createLogger } from '../src/core/logger';
import type { PacerHarness } from '../test/support/api-harness';
import { createUser, launchChromium, signIn } from '../test/support/browser';
import { median, startBenchServices, waitForEvents } from './support';
import { organizationResponse } from '../src/http/api/openapi/responses';
import { bodyOf } from '../test/api/api-helpers';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CONCURRENCY = 24;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

/** Navigates and answers the first contentful paint, ms after navigation start. */
async function firstPaint(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'load' });
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const now = performance.getEntriesByName('first-contentful-paint')[0];
        if (now) return resolve(now.startTime);
        new PerformanceObserver((list) => {
          const e = list.getEntriesByName('first-contentful-paint')[0];
          if (e) resolve(e.startTime);
        }).observe({ type: 'paint', buffered: true } as never);
      }),
  );
}

async function main(): Promise<void> {
  const log = createLogger('warn');
  const services = await startBenchServices();
  const { startHarness } = await import('../test/support/api-harness');
  const h: PacerHarness = await startHarness();
  const browser = await launchChromium();
  try {
    const orgs = await Promise.all(['enterprise', 'professional', 'community'].map(async (tier) => bodyOf(await h.api('/api/v1/organizations', { body: { name: `Bench ${tier} ${crypto.randomUUID()}`, tier } }), organizationResponse, 201).id as string));
    let made = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (made < TICKETS) {
          const i = made++;
          const res = await h.api('/api/v1/tickets', { body: { subject: `Bench ticket ${i}: the export is slow`, description: 'Measured by bench:console.', priority: PRIORITIES[i % 4], organizationId: orgs[i % orgs.length], requester: { email: `user${i}@bench.test` } } });
          if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
    );
    console.log(`open tickets: ${TICKETS} (created in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    // Let the worker finish starting them, so it does not compete with the measurement.
    await waitForEvents(h.database.db, 'ticket.created', TICKETS, 250);

    // The same Pacer app, behind one outer express app that also serves the baseline page.
    const { app } = createPacerApp({ db: h.database.db, temporal: h.client, taskQueue: h.taskQueue, adminApiKey: h.adminKey, log });
    let staticPage = '';
    const outer = express();
    outer.get('/bench/static-queue', (_req, res) => void res.type('html').set('Cache-Control', 'no-store').send(staticPage));
    outer.use(app);
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = outer.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const agent = await createUser(h, { email: 'bench-agent@pacer.test', name: 'Bench Agent', role: 'agent' });
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, base, agent, /\/console$/);
    const res = await page.request.get(`${base}/console`);
    staticPage = await res.text();
    const rows = (staticPage.match(/<tr data-ticket=/g) ?? []).length;
    console.log(`queue page: ${(staticPage.length / 1024).toFixed(0)} KiB, ${rows} rows shown`);

    // Warm both (JIT, connection pool, cached stylesheet and script), then alternate.
    for (let i = 0; i < 3; i++) {
      await firstPaint(page, `${base}/console`);
      await firstPaint(page, `${base}/bench/static-queue`);
    }
    const queue: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      baseline.push(await firstPaint(page, `${base}/bench/static-queue`));
      queue.push(await firstPaint(page, `${base}/console`));
    }
    const q = median(queue);
    const b = median(baseline);
    console.log(`rounds: ${ROUNDS}`);
    console.log(`static page of the same bytes: first contentful paint median ${b.toFixed(1)} ms (min ${Math.min(...baseline).toFixed(1)}, max ${Math.max(...baseline).toFixed(1)})`);
    console.log(`queue (${TICKETS} open tickets):  first contentful paint median ${q.toFixed(1)} ms (min ${Math.min(...queue).toFixed(1)}, max ${Math.max(...queue).toFixed(1)})`);
    console.log(`ratio queue / static: ${(q / b).toFixed(2)}; target first paint < 200 ms: ${q < 200 ? 'MET' : 'NOT MET'}`);
    await ctx.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  } finally {
    await browser.close();
    await h.close();
    await services.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
