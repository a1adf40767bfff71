/**
 * A report and the ticket page never disagree: real tickets through their workflows (the
 * Temporal dev server, real time) on a business-hours calendar that closes a few minutes from
 * now (so resolution dues fall on later days), with a one-minute first response and next reply:
 * one met and solved, one left to breach, one paused (pending), one solved, reopened and
 * answered again. After the breach the SLA report's counts and breaches, and the times report's
 * first-reply median, equal what GET /api/v1/tickets/:id/sla answers for the same tickets.
 * Waits a little over a minute by design.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createCalendar, createKey, createOrg, createPolicy, createTicket, eventually } from '../api/api-helpers';
import { ticketSlaResponse } from '../../src/http/api/openapi/responses';
import { slaReportResponse, timesReportResponse } from '../../src/http/api/openapi/report-responses';
import type { z } from 'zod';

type Sla = z.output<typeof ticketSlaResponse>;
type Clock = NonNullable<Sla['firstResponse']>;

/** Open every day from midnight until three minutes from now (UTC), or all day when that passes midnight. */
function closingSoon() {
  const end = new Date(Date.now() + 3 * 60_000);
  const hhmm = end.getUTCDate() !== new Date().getUTCDate() ? '24:00' : `${String(end.getUTCHours()).padStart(2, '0')}:${String(end.getUTCMinutes()).padStart(2, '0')}`;
  const day: Array<[string, string]> = [['00:00', hhmm]];
  return { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };
}

describe('reports: the same numbers as each ticket\'s /sla (real time, about 70 s)', function () {
  this.timeout(180_000);
  let h: PacerHarness;
  let orgId: string;
  let started: number;
  const ids: string[] = [];

  before(async function () {
    this.timeout(150_000);
    h = await startHarness();
    started = Date.now() - 60_000;
    const cal = await createCalendar(h, 'closes soon (test)', closingSoon());
    await createPolicy(h, { name: 'starter normal (1 minute)', tier: 'starter', priority: 'normal', calendarId: cal.id, firstResponseMinutes: 1, resolutionMinutes: 600, nextReplyMinutes: 1, pauseOn: ['pending'], escalations: [{ percent: 100, actions: [] }] });
    orgId = (await createOrg(h, 'starter')).id;
    const customer = await createKey(h, 'customer', orgId);
    const say = async (id: string, body: string, key?: string) => assert.equal((await h.api(`/api/v1/tickets/${id}/comments`, { body: { body }, ...(key && { key }) })).status, 201);
    const status = async (id: string, s: string) => assert.equal((await h.api(`/api/v1/tickets/${id}`, { method: 'PATCH', body: { status: s } })).status, 200);
    const [met, late, paused, reopened] = await Promise.all(['Met', 'Late', 'Paused', 'Reopened'].map((subject) => createTicket(h, { subject, priority: 'normal', organizationId: orgId })));
    ids.push(met!.id, late!.id, paused!.id, reopened!.id);
    await say(met!.id, 'Fixed.');
    await status(met!.id, 'solved');
    await say(paused!.id, 'Can you send the logs?');
    await status(paused!.id, 'pending');
    await say(reopened!.id, 'Done.');
    await status(reopened!.id, 'solved');
    await say(reopened!.id, 'It is broken again.', customer.key);
    await say(reopened!.id, 'Looking again.');
    await eventually(async () => (await slaOf(late!.id)).firstResponse?.breached === true, 90_000, 'the late ticket breaches its first response', 500);
  });
  after(async () => h?.close());

  const slaOf = async (id: string): Promise<Sla> => bodyOf(await h.api(`/api/v1/tickets/${id}/sla`), ticketSlaResponse);
  const clocksOf = (s: Sla): Array<[string, Clock & { cycle?: number }]> => [
    ...(s.firstResponse ? [['first_response', s.firstResponse] as [string, Clock]] : []),
    ...(s.resolution ? [['resolution', s.resolution] as [string, Clock]] : []),
    ...(s.nextReply ?? []).map((c) => ['next_reply', c] as [string, Clock & { cycle: number }]),
  ];

  it('counts met and breached per clock, and lists the breaches, as the tickets\' /sla decide them', async () => {
    const slas = await Promise.all(ids.map(slaOf));
    const report = bodyOf(await h.api(`/api/v1/reports/sla?organizationId=${orgId}&from=${new Date(started).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`), slaReportResponse);
    const expected = new Map<string, { met: number; breached: number }>();
    const breaches: string[] = [];
    slas.forEach((s, i) => {
      for (const [clock, c] of clocksOf(s)) {
        if (c.metAt === null && c.breached !== true) continue;
        const e = expected.get(clock) ?? { met: 0, breached: 0 };
        if (c.breached === true) {
          e.breached += 1;
          breaches.push(`${ids[i]}:${clock}:${c.cycle ?? 0}:${c.dueAt}`);
        } else e.met += 1;
        expected.set(clock, e);
      }
    });
    assert.deepEqual(Object.fromEntries(report.totals.filter((t) => t.met + t.breached > 0).map((t) => [t.clock, { met: t.met, breached: t.breached }])), Object.fromEntries(expected));
    assert.deepEqual(report.breaches.map((b) => `${b.ticketId}:${b.clock}:${b.cycle}:${b.dueAt}`).sort(), breaches.sort());
    assert.equal(slas[2]?.resolution?.pausedSince !== null, true, 'the pending ticket is paused');
    assert.ok(report.breaches.some((b) => b.ticketId === ids[1] && b.clock === 'first_response'));
  });

  it('measures first replies in business time as the ticket page counts them', async () => {
    const slas = await Promise.all(ids.map(slaOf));
    const times = bodyOf(await h.api(`/api/v1/reports/times?organizationId=${orgId}&from=${new Date(started).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`), timesReportResponse);
    const elapsed = slas.flatMap((s) => (s.firstResponse?.metAt ? [s.firstResponse.elapsedSeconds] : [])).sort((a, b) => a - b);
    assert.equal(times.firstReply.count, elapsed.length);
    const median = elapsed.length % 2 ? elapsed[(elapsed.length - 1) / 2]! : (elapsed[elapsed.length / 2 - 1]! + elapsed[elapsed.length / 2]!) / 2;
    assert.ok(Math.abs((times.firstReply.medianBusinessSeconds ?? NaN) - median) <= 1, `${times.firstReply.medianBusinessSeconds} vs ${median}`);
  });
});
