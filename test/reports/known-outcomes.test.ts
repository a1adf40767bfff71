/**
 * Reports against tickets with a known past on a New York 9–17 calendar (first response 1 h,
 * resolution 8 business hours, next reply 1 h, pending pauses): four tickets scripted through
 * the workflow's own state (met, breached, paused, reopened) and written as the workflow writes
 * them; every figure below is worked out by hand from the calendar.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { parse as parseCsv } from 'csv-parse/sync';
import { assertError, bodyOf, createKey, createOrg, createPolicy, detailPaths } from '../api/api-helpers';
import { readReport, REPORT_NAMES, REPORT_TABLES } from '../../src/domain/reports/report-tables';
import { periodOf, reportQuery } from '../../src/http/kit/report-query';
import { calendarResponse } from '../../src/http/api/openapi/responses';
import { agentsReportResponse, slaReportResponse, timesReportResponse, volumeReportResponse } from '../../src/http/api/openapi/report-responses';
import { policySnapshotsByIds } from '../../src/domain/sla/policy-snapshot';
import { NEW_YORK_9_TO_5 } from '../support/ticket-fixtures';
import { insertScripted, knownWeek, ny, scriptTicket } from '../support/report-fixtures';


describe('reports: tickets with known outcomes on a business-hours calendar', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let orgId: string;
  const ids: Record<'t1' | 't2' | 't3' | 't4', string> = { t1: '', t2: '', t3: '', t4: '' };
  const q = () => `?from=2026-11-16T05:00:00Z&to=2026-11-23T05:00:00Z&zone=America/New_York&organizationId=${orgId}`;

  before(async () => {
    h = await startHarness();
    const cal = bodyOf(await h.api('/api/v1/calendars', { body: { name: 'New York 9–17', ...NEW_YORK_9_TO_5 } }), calendarResponse, 201);
    const p = await createPolicy(h, { name: 'starter high (NY)', tier: 'starter', priority: 'high', calendarId: cal.id, firstResponseMinutes: 60, resolutionMinutes: 480, nextReplyMinutes: 60, pauseOn: ['pending'] });
    orgId = (await createOrg(h, 'starter')).id;
    const policy = (await policySnapshotsByIds(h.database.db, [p.id])).get(p.id)!;
    const scripts = knownWeek(orgId, policy);
    const rows = (Object.keys(scripts) as Array<keyof typeof ids>).map((k, i) => {
      const r = scriptTicket(scripts[k], `TKT-20261116-000${i + 1}`);
      ids[k] = r.ticket.id;
      return r;
    });
    await insertScripted(h.database.db, rows);
    const rated = { sent_at: ny('tue', '15:00'), expires_at: '2026-12-30T00:00:00Z', assignee: 'dana', organization_id: orgId, priority: 'high', rated_at: ny('tue', '16:00') };
    await h.database.db.insertInto('csat_surveys').values([{ ticket_id: ids.t1, rating: 5, ...rated }, { ticket_id: ids.t2, rating: 2, reason: 'slow', ...rated }]).execute();
  });
  after(async () => h?.close());

  it('counts met and breached per clock as the calendar decides them', async () => {
    const r = bodyOf(await h.api(`/api/v1/reports/sla${q()}`), slaReportResponse);
    assert.deepEqual(r.totals, [
      { clock: 'first_response', met: 2, breached: 2, achievementPercent: 50 },
      { clock: 'resolution', met: 3, breached: 1, achievementPercent: 75 },
      { clock: 'next_reply', met: 1, breached: 1, achievementPercent: 50 },
    ]);
    const breached = r.breaches.map((b) => `${b.ticketId === ids.t2 ? 't2' : b.ticketId === ids.t4 ? 't4' : '?'}:${b.clock}:${b.dueAt}`).sort();
    assert.deepEqual(breached, [`t2:first_response:${ny('mon', '11:00').replace('Z', '.000Z')}`, `t2:next_reply:${ny('tue', '10:00').replace('Z', '.000Z')}`, `t4:first_response:${ny('mon', '10:00').replace('Z', '.000Z')}`, `t4:resolution:${ny('mon', '17:00').replace('Z', '.000Z')}`]);
  });

  it('cuts days in the report zone and groups by policy, priority, tier and organization', async () => {
    const r = bodyOf(await h.api(`/api/v1/reports/sla${q()}`), slaReportResponse);
    const fr = r.series.filter((s) => s.clock === 'first_response');
    assert.equal(fr.length, 7);
    assert.deepEqual(fr.slice(0, 2), [
      { clock: 'first_response', bucket: '2026-11-16', met: 1, breached: 2, achievementPercent: 33.3 },
      { clock: 'first_response', bucket: '2026-11-17', met: 1, breached: 0, achievementPercent: 100 },
    ]);
    for (const g of [r.byPolicy, r.byPriority, r.byTier, r.byOrganization]) assert.deepEqual(g.filter((x) => x.clock === 'resolution').map((x) => [x.met, x.breached]), [[3, 1]]);
    assert.equal(r.byPolicy[0]?.label, 'starter high (NY)');
    assert.deepEqual([r.byPriority[0]?.key, r.byTier[0]?.key, r.byOrganization[0]?.key], ['high', 'starter', orgId]);
  });

  it('gives first reply and full resolution medians and p90 in business and calendar time, and the reopen rate', async () => {
    const r = bodyOf(await h.api(`/api/v1/reports/times${q()}`), timesReportResponse);
    assert.deepEqual(r.firstReply, { count: 3, medianBusinessSeconds: 3000, p90BusinessSeconds: 4920, medianCalendarSeconds: 5400, p90CalendarSeconds: 49560 });
    assert.deepEqual(r.resolution, { count: 3, medianBusinessSeconds: 39600, p90BusinessSeconds: 42480, medianCalendarSeconds: 97200, p90CalendarSeconds: 100080 });
    assert.deepEqual(r.reopen, { solved: 3, reopened: 1, ratePercent: 33.3 });
  });

  it('counts created and solved per day and the backlog by age and status', async () => {
    const r = bodyOf(await h.api(`/api/v1/reports/volume${q()}`), volumeReportResponse);
    assert.deepEqual(r.perBucket.slice(0, 2), [{ bucket: '2026-11-16', created: 4, solved: 0 }, { bucket: '2026-11-17', created: 0, solved: 3 }]);
    const ageDays = (Date.now() - Date.parse(ny('mon', '09:00'))) / 86_400_000;
    const bucket = ageDays < 30 ? '7_30d' : 'over_30d';
    assert.deepEqual(r.backlog.filter((b) => b.total > 0), [{ age: bucket, label: bucket === '7_30d' ? '7–30 days' : 'over 30 days', new: 1, open: 0, pending: 0, on_hold: 0, total: 1 }]);
  });

  it('credits solved tickets, first replies, SLA and CSAT (4–5 ÷ all) to the assignee', async () => {
    const r = bodyOf(await h.api(`/api/v1/reports/agents${q()}`), agentsReportResponse);
    assert.deepEqual(r.agents, [{ agent: 'dana', solved: 3, firstReplies: 3, met: 6, breached: 2, achievementPercent: 75, csatRatings: 2, csatPositive: 1, csatScorePercent: 50 }]);
  });

  it('exports every table of every report as CSV that parses back to the table', async () => {
    const { period, filters } = periodOf(reportQuery.parse({ from: '2026-11-16T05:00:00Z', to: '2026-11-23T05:00:00Z', zone: 'America/New_York', organizationId: orgId }));
    for (const name of REPORT_NAMES) {
      const { tables } = await readReport(h.database.db, name, period, filters);
      assert.deepEqual(tables.map((t) => t.id), REPORT_TABLES[name]);
      for (const t of tables) {
        const res = await h.api(`/api/v1/reports/${name}/${t.id}.csv${q()}`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
        const parsed = parseCsv(String(res.body), { columns: false }) as string[][];
        assert.deepEqual(parsed[0], t.columns);
        assert.deepEqual(parsed.slice(1), t.rows.map((row) => row.map((c) => (c === null ? '' : String(c)))), `${name}/${t.id}`);
      }
    }
  });
});

describe('reports: what the API refuses', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  it('answers a bad period, zone or field with 400 naming the field', async () => {
    for (const [query, path] of [
      ['?zone=Mars/Olympus', 'zone'],
      ['?from=2026-11-20T00:00:00Z&to=2026-11-10T00:00:00Z', 'from'],
      ['?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
      ['?interval=month', 'interval'],
      ['?colour=red', 'colour'],
    ] as const) {
      const res = await h.api(`/api/v1/reports/sla${query}`);
      assertError(res, 400, 'validation_failed');
      assert.ok(detailPaths(res).includes(path), `${query}: ${JSON.stringify(res.body)}`);
    }
    assertError(await h.api('/api/v1/reports/sla/nosuch.csv'), 400, 'validation_failed');
    assertError(await h.api('/api/v1/reports/times/breaches.csv'), 404, 'not_found');
  });

  it('is for agents and admins: a customer key is refused', async () => {
    const org = await createOrg(h, 'starter');
    const key = await createKey(h, 'customer', org.id);
    assertError(await h.api('/api/v1/reports/sla', { key: key.key }), 403);
    assertError(await h.api('/api/v1/reports/sla/totals.csv', { key: key.key }), 403);
  });
});
