/**
 * /console/reports in Chromium: an agent opens the reports over the scripted New York week
 * (test/support/report-fixtures knownWeek); every chart is a figure with a captioned SVG that
 * says what it shows (role=img, aria-label), its table beside it holds the report's numbers,
 * and each table's CSV download parses back to the table on the page. The page's screenshot
 * is kept as docs/reports-page.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createOrg, createPolicy } from '../api/api-helpers';
import { calendarResponse } from '../../src/http/api/openapi/responses';
import { policySnapshotsByIds } from '../../src/domain/sla/policy-snapshot';
import { NEW_YORK_9_TO_5 } from '../support/ticket-fixtures';
import { insertScripted, knownWeek, scriptTicket } from '../support/report-fixtures';
import { createUser, launchChromium, signIn } from '../support/browser';

const WEEK = '?from=2026-11-16T05:00:00Z&to=2026-11-23T05:00:00Z&zone=America/New_York&interval=day';

describe('E2E: the reports page', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    [h, browser] = await Promise.all([startHarness(), launchChromium()]);
    const cal = bodyOf(await h.api('/api/v1/calendars', { body: { name: 'New York 9–17', ...NEW_YORK_9_TO_5 } }), calendarResponse, 201);
    const p = await createPolicy(h, { name: 'starter high (NY)', tier: 'starter', priority: 'high', calendarId: cal.id, firstResponseMinutes: 60, resolutionMinutes: 480, nextReplyMinutes: 60, pauseOn: ['pending'] });
    const org = await createOrg(h, 'starter', 'Acme Rockets');
    const policy = (await policySnapshotsByIds(h.database.db, [p.id])).get(p.id)!;
    await insertScripted(h.database.db, Object.values(knownWeek(org.id, policy)).map((s, i) => scriptTicket(s, `TKT-20261116-000${i + 1}`)));
    const agent = await createUser(h, { email: 'ada@pacer.test', name: 'Ada Agent', role: 'agent' });
    page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    await signIn(page, h.baseUrl, agent, /\/console/);
    await page.goto(`${h.baseUrl}/console/reports${WEEK}`);
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('draws each chart as a captioned SVG image that says what it shows, with its table beside it', async () => {
    const charts = await page.$$eval('figure.chart', (figs) => figs.map((f) => ({ label: f.querySelector('svg')?.getAttribute('aria-label') ?? '', role: f.querySelector('svg')?.getAttribute('role'), caption: f.querySelector('figcaption')?.textContent ?? '', shapes: f.querySelectorAll('rect, polyline, circle').length, table: f.parentElement?.querySelector('.report-table table') !== null })));
    assert.equal(charts.length, 6);
    for (const c of charts) {
      assert.equal(c.role, 'img');
      assert.ok(c.label.length > 20 && c.caption.length > 0, JSON.stringify(c));
      assert.ok(c.shapes > 0 && c.table, JSON.stringify(c));
    }
    assert.equal(await page.getByRole('img', { name: /^SLA achievement:/ }).count(), 1);
    assert.equal(await page.locator('script[src^="http"], link[href^="http"]').count(), 0);
  });

  it('prints the numbers the report computed: first response 2 met, 2 breached; breaches link to their tickets', async () => {
    const totals = await page.$$eval('#sla-totals tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    assert.deepEqual(totals, [['first response', '2', '2', '50'], ['resolution', '3', '1', '75'], ['next reply', '1', '1', '50']]);
    const links = await page.$$eval('#sla-breaches tbody a', (as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.length, 4);
    for (const l of links) assert.match(l ?? '', /^\/console\/tickets\/[0-9a-f-]{36}$/);
    fs.mkdirSync(path.resolve(__dirname, '..', '..', 'docs'), { recursive: true });
    await page.screenshot({ path: path.resolve(__dirname, '..', '..', 'docs', 'reports-page.png'), fullPage: true });
  });

  it('downloads every table as CSV that parses back to the table on the page', async () => {
    const tables = await page.$$eval('.report-table table', (ts) => ts.map((t) => ({ href: t.querySelector('caption a.csv')?.getAttribute('href') ?? '', head: [...t.querySelectorAll('thead th')].map((c) => c.textContent ?? ''), rows: [...t.querySelectorAll('tbody tr')].filter((r) => r.children.length > 1).map((r) => [...r.children].map((c) => c.textContent ?? '')) })));
    assert.equal(tables.length, 15);
    for (const t of tables) {
      const res = await page.request.get(`${h.baseUrl}${t.href}`);
      assert.equal(res.status(), 200, t.href);
      assert.match(res.headers()['content-type'] ?? '', /^text\/csv/);
      const [head, ...rows] = parseCsv(await res.text()) as string[][];
      assert.deepEqual(head, t.head, t.href);
      assert.deepEqual(rows, t.rows, t.href);
    }
  });
});
