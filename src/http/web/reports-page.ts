/**
 * /console/reports (agents and admins): every report of src/domain/reports on one page, each
 * chart an inline SVG with the report's own table beside it, and each table downloadable as
 * CSV (/console/reports/:report/:table.csv, the same file the API serves). The period is the
 * last N days up to now (or from/to as the API takes them), cut into days or weeks in a zone.
 */
import { Router, type Request } from 'express';
import type { Db } from '../../db/schema';
import { readReport, REPORT_NAMES, REPORT_TABLES, type LoadedReport, type ReportTable } from '../../domain/reports/report-tables';
import { csvDisposition, tableCsv } from '../kit/csv';
import { periodOf, reportQuery } from '../kit/report-query';
import { parse } from '../kit/validation';
import { html, queryString, type SafeHtml } from './html';
import { page } from './layout';
import { sessionOf } from './session';
import { barChart, lineChart, PALETTE } from './svg-charts';
import { NotFound } from '../../core/errors';

const WINDOWS = [7, 30, 90, 365] as const;
const DAY_MS = 86_400_000;

/** The API's query from the page's: `days` (a window up to now) unless from/to are given. */
function queryOf(req: Request) {
  const q = req.query as Record<string, string | undefined>;
  const days = WINDOWS.find((d) => String(d) === q.days) ?? 30;
  const now = Date.now();
  const raw = {
    from: q.from ?? new Date(now - days * DAY_MS).toISOString(),
    to: q.to ?? new Date(now).toISOString(),
    ...(q.zone && { zone: q.zone }),
    ...(q.interval && { interval: q.interval }),
    ...(q.organizationId && { organizationId: q.organizationId }),
  };
  return { days, raw, parsed: periodOf(parse(reportQuery, raw, 'query'), now) };
}

const cellText = (c: string | number | null) => (c === null ? '' : String(c));

function tableHtml(report: string, t: ReportTable, search: string, linkOf?: (row: ReportTable['rows'][number]) => string | null): SafeHtml {
  return html`<div class="report-table"><table class="compact" id="${report}-${t.id}"><caption>${t.title} <a class="csv" href="/console/reports/${report}/${t.id}.csv${search}" download>CSV</a></caption>
<thead><tr>${t.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${t.rows.length ? t.rows.map((row) => {
    const href = linkOf?.(row) ?? null;
    return html`<tr>${row.map((c, i) => (i === 0 ? html`<th scope="row">${href ? html`<a href="${href}">${cellText(c)}</a>` : cellText(c)}</th>` : html`<td>${cellText(c)}</td>`))}</tr>`;
  }) : html`<tr><td colspan="${t.columns.length}">Nothing in this period.</td></tr>`}</tbody></table></div>`;
}

const tableOf = (r: LoadedReport, id: string) => r.tables.find((t) => t.id === id)!;
const hours = (s: number | null) => (s === null ? null : Math.round((s / 3600) * 10) / 10);

function slaSection(r: LoadedReport<'sla'>, search: string): SafeHtml {
  const d = r.data;
  const buckets = [...new Set(d.series.map((s) => s.bucket))];
  const line = (clock: string, name: string, color: string) => ({ name, color, values: buckets.map((b) => d.series.find((s) => s.clock === clock && s.bucket === b)?.achievementPercent ?? null) });
  const chart = lineChart({ id: 'sla', title: 'SLA achievement', description: `achievement per ${buckets.length} periods for first response, resolution and next reply`, unit: '%', max: 100, categories: buckets, series: [line('first_response', 'first response', PALETTE.blue), line('resolution', 'resolution', PALETTE.green), line('next_reply', 'next reply', PALETTE.orange)] });
  const breaches = tableOf(r, 'breaches');
  return html`<section aria-labelledby="r-sla"><h2 id="r-sla">SLA achievement</h2>
<div class="report-pair">${chart}${tableHtml('sla', tableOf(r, 'totals'), search)}</div>
<details><summary>Per period, policy, priority, tier and organization</summary>${['series', 'by-policy', 'by-priority', 'by-tier', 'by-organization'].map((id) => tableHtml('sla', tableOf(r, id), search))}</details>
${tableHtml('sla', breaches, search, (row) => `/console/tickets/${cellText(row[7] ?? null)}`)}</section>`;
}

function timesSection(r: LoadedReport<'times'>, search: string): SafeHtml {
  const d = r.data;
  const chart = barChart({
    id: 'times', title: 'First reply and full resolution', description: 'median and 90th percentile in business hours and calendar hours', unit: 'hours',
    categories: ['first reply', 'full resolution'],
    series: [
      { name: 'median business', color: PALETTE.blue, values: [hours(d.firstReply.medianBusinessSeconds), hours(d.resolution.medianBusinessSeconds)] },
      { name: 'p90 business', color: PALETTE.purple, values: [hours(d.firstReply.p90BusinessSeconds), hours(d.resolution.p90BusinessSeconds)] },
      { name: 'median calendar', color: PALETTE.orange, values: [hours(d.firstReply.medianCalendarSeconds), hours(d.resolution.medianCalendarSeconds)] },
      { name: 'p90 calendar', color: PALETTE.grey, values: [hours(d.firstReply.p90CalendarSeconds), hours(d.resolution.p90CalendarSeconds)] },
    ],
  });
  return html`<section aria-labelledby="r-times"><h2 id="r-times">Times</h2><p>Reopen rate: ${d.reopen.ratePercent === null ? '–' : `${d.reopen.ratePercent}%`} (${d.reopen.reopened} of ${d.reopen.solved} solved)</p>
<div class="report-pair">${chart}${tableHtml('times', tableOf(r, 'summary'), search)}</div>
<details><summary>Per period</summary>${tableHtml('times', tableOf(r, 'series'), search)}</details></section>`;
}

function volumeSection(r: LoadedReport<'volume'>, search: string): SafeHtml {
  const d = r.data;
  const flow = lineChart({ id: 'volume', title: 'Created and solved', description: `tickets created and solved in each of ${d.perBucket.length} periods`, unit: 'tickets', categories: d.perBucket.map((b) => b.bucket), series: [{ name: 'created', color: PALETTE.blue, values: d.perBucket.map((b) => b.created) }, { name: 'solved', color: PALETTE.green, values: d.perBucket.map((b) => b.solved) }] });
  const status = (k: 'new' | 'open' | 'pending' | 'on_hold', name: string, color: string) => ({ name, color, values: d.backlog.map((b) => b[k]) });
  const backlog = barChart({ id: 'backlog', title: 'Backlog by age and status', description: 'open tickets now, by age, stacked by status', unit: 'tickets', categories: d.backlog.map((b) => b.label), series: [status('new', 'new', PALETTE.blue), status('open', 'open', PALETTE.orange), status('pending', 'pending', PALETTE.purple), status('on_hold', 'on hold', PALETTE.grey)] }, true);
  return html`<section aria-labelledby="r-volume"><h2 id="r-volume">Volume and backlog</h2>
<div class="report-pair">${flow}${tableHtml('volume', tableOf(r, 'created-solved'), search)}</div>
<div class="report-pair">${backlog}${tableHtml('volume', tableOf(r, 'backlog'), search)}</div></section>`;
}

function agentsSection(r: LoadedReport<'agents'>, search: string): SafeHtml {
  const a = r.data.agents;
  const chart = barChart({ id: 'agents', title: 'By assignee', description: `SLA achievement and CSAT score of ${a.length} agents`, unit: '%', max: 100, categories: a.map((x) => x.agent), series: [{ name: 'SLA achievement', color: PALETTE.green, values: a.map((x) => x.achievementPercent) }, { name: 'CSAT score', color: PALETTE.blue, values: a.map((x) => x.csatScorePercent) }] });
  return html`<section aria-labelledby="r-agents"><h2 id="r-agents">Agents</h2><div class="report-pair">${chart}${tableHtml('agents', tableOf(r, 'agents'), search)}</div></section>`;
}

function incidentsSection(r: LoadedReport<'incidents'>, search: string): SafeHtml {
  const s = r.data.bySeverity;
  const minutes = (v: number | null) => (v === null ? null : Math.round(v / 6) / 10);
  const chart = barChart({ id: 'incidents', title: 'MTTA and MTTR by severity', description: 'mean minutes to acknowledge and to resolve, per severity', unit: 'minutes', categories: s.map((x) => x.severity), series: [{ name: 'MTTA', color: PALETTE.orange, values: s.map((x) => minutes(x.mttaSeconds)) }, { name: 'MTTR', color: PALETTE.red, values: s.map((x) => minutes(x.mttrSeconds)) }] });
  return html`<section aria-labelledby="r-incidents"><h2 id="r-incidents">Incidents</h2><div class="report-pair">${chart}${tableHtml('incidents', tableOf(r, 'by-severity'), search)}</div>
<details><summary>Per period</summary>${tableHtml('incidents', tableOf(r, 'series'), search)}</details>
${tableHtml('incidents', tableOf(r, 'postmortems-overdue'), search, (row) => `/console/incidents/${cellText(row[5] ?? null)}`)}</section>`;
}

export function reportsPageRoutes(db: Db): Router {
  const r = Router();
  r.get('/console/reports', async (req, res) => {
    const { days, raw, parsed } = queryOf(req);
    const { period, filters } = parsed;
    const [sla, times, volume, agents, incidents] = await Promise.all([
      readReport(db, 'sla', period, filters),
      readReport(db, 'times', period, filters),
      readReport(db, 'volume', period, filters),
      readReport(db, 'agents', period, filters),
      readReport(db, 'incidents', period, filters),
    ]);
    const search = queryString({ from: raw.from, to: raw.to, zone: period.zone, interval: period.interval, organizationId: filters.organizationId });
    const s = sessionOf(req);
    const body = html`<h1>Reports</h1>
<form method="get" action="/console/reports" class="row"><label for="r-days">Window</label>
<select id="r-days" name="days">${WINDOWS.map((d) => html`<option value="${d}"${d === days ? html` selected` : ''}>last ${d} days</option>`)}</select>
<label for="r-zone">Time zone</label><input id="r-zone" name="zone" value="${period.zone}" size="18">
<label for="r-interval">Per</label><select id="r-interval" name="interval">${(['day', 'week'] as const).map((i) => html`<option value="${i}"${i === period.interval ? html` selected` : ''}>${i}</option>`)}</select>
<button type="submit">Show</button></form>
<p class="report-period">From <time datetime="${period.from.toISOString()}">${period.from.toISOString().slice(0, 16).replace('T', ' ')}</time> to <time datetime="${period.to.toISOString()}">${period.to.toISOString().slice(0, 16).replace('T', ' ')}</time> UTC, cut in ${period.zone}. Every figure follows the SLA rules of the ticket page.</p>
${slaSection(sla, search)}${timesSection(times, search)}${volumeSection(volume, search)}${agentsSection(agents, search)}${incidentsSection(incidents, search)}`;
    res.type('html').send(page({ title: 'Reports', user: s.user, csrfToken: s.csrfToken, nav: 'reports', body }).value);
  });

  r.get('/console/reports/:report/:table.csv', async (req, res) => {
    const report = REPORT_NAMES.find((n) => n === req.params.report);
    const table = report ? REPORT_TABLES[report].find((t) => t === req.params.table) : undefined;
    if (!report || !table) throw new NotFound('page', 'no such report table');
    const { period, filters } = queryOf(req).parsed;
    const loaded = await readReport(db, report, period, filters);
    res.type('text/csv; charset=utf-8').set('Content-Disposition', csvDisposition(report, table)).send(tableCsv(tableOf(loaded, table)));
  });
  return r;
}
