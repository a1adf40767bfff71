/**
 * GET /metrics as Prometheus reads it (a real text-format parser) after real work: tickets
 * opened through the API, a ladder step fired by the workflow on the dev server (5% of a
 * one-minute target: 3 s) with its notify action done, API requests timed by route pattern.
 * The scrape is refused without the token, and the ticket gauges follow the rows.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, createCalendar, createOrg, createPolicy, createTicket, eventually } from './api-helpers';
import { family, labelsOf, scrape, valueOf, type Scrape } from '../support/prometheus-scrape';

describe('GET /metrics', function () {
  this.timeout(60_000);
  const token = `metrics-${crypto.randomBytes(12).toString('hex')}`;
  let h: PacerHarness;
  let orgId: string;
  const read = () => scrape(`${h.baseUrl}/metrics`, token);

  before(async function () {
    this.timeout(120_000);
    h = await startHarness({ metricsToken: token });
    const calendar = await createCalendar(h, 'always open (metrics test)');
    await createPolicy(h, { name: 'starter urgent (metrics)', tier: 'starter', priority: 'urgent', calendarId: calendar.id, firstResponseMinutes: 1, resolutionMinutes: 600, escalations: [{ percent: 5, actions: [{ type: 'notify', role: 'manager' }] }] });
    orgId = (await createOrg(h, 'starter')).id;
  });
  after(async () => h?.close());

  it('refuses a scrape without the token, or with another, in the one error shape', async () => {
    for (const key of [null, 'not-the-metrics-token']) {
      const res = await h.api('/metrics', { key });
      assertError(res, 401, 'unauthorized');
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
    }
    // An admin API key is not the metrics token.
    assertError(await h.api('/metrics'), 401, 'unauthorized');
  });

  it('counts open tickets by status and priority from the database', async () => {
    const before = valueOf(await read(), 'pacer_tickets_open', { status: 'new', priority: 'normal' });
    await createTicket(h, { subject: 'Counted one', priority: 'normal', organizationId: orgId });
    await createTicket(h, { subject: 'Counted two', priority: 'normal', organizationId: orgId });
    const s = await read();
    assert.equal(s.status, 200);
    assert.match(s.contentType ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(valueOf(s, 'pacer_tickets_open', { status: 'new', priority: 'normal' }), before + 2);
    assert.equal(valueOf(s, 'pacer_tickets_open', { status: 'on_hold', priority: 'low' }), 0, 'every status and priority has a series');
    assert.equal(family(s.families, 'pacer_tickets_open').type, 'GAUGE');
  });

  it('records a fired ladder step: its lateness, the step and its action by integration', async () => {
    const start = await read();
    const firstResponse = { kind: 'ticket', clock: 'first_response' };
    // Before any step, the histogram has no series yet.
    const late = (x: Scrape, part: 'count' | 'sum') => (x.samples.some((f) => f.name === `pacer_ladder_step_lateness_seconds_${part}`) ? valueOf(x, `pacer_ladder_step_lateness_seconds_${part}`, firstResponse) : 0);
    const t = await createTicket(h, { subject: 'Escalate me', priority: 'urgent', organizationId: orgId });
    await eventually(() => h.database.db.selectFrom('ticket_events').select('id').where('ticket_id', '=', t.id).where('type', '=', 'action.done').executeTakeFirst(), 20_000, 'the 5% step and its notify');
    const s = await read();
    assert.equal(family(s.families, 'pacer_ladder_step_lateness_seconds').type, 'HISTOGRAM');
    assert.equal(late(s, 'count'), late(start, 'count') + 1);
    const lateness = late(s, 'sum') - late(start, 'sum');
    assert.ok(lateness > 0 && lateness < 15, `lateness is the seconds from the instant the step was due: ${lateness}`);
    assert.ok(valueOf(s, 'pacer_ladder_steps_fired_total', { kind: 'ticket', clock: 'first_response', step: 'escalation' }) >= 1);
    assert.ok(valueOf(s, 'pacer_ladder_actions_total', { kind: 'ticket', integration: 'notify', outcome: 'done' }) >= 1);
  });

  it('counts at-risk and breached tickets as the SLA lists do', async () => {
    const at = await read();
    const [riskBefore, breachedBefore] = [valueOf(at, 'pacer_tickets_at_risk', { priority: 'high' }), valueOf(at, 'pacer_tickets_breached', { priority: 'high' })];
    const risky = await createTicket(h, { subject: 'Nearly late', priority: 'high', organizationId: orgId });
    const late = await createTicket(h, { subject: 'Late', priority: 'high', organizationId: orgId });
    // The row as its workflow writes it 80% and 100% into a first response (minutes of waiting, moved to now).
    await h.database.db.updateTable('tickets').set({ fr_at_risk_at: sql`now() - interval '1 minute'`, fr_due_at: sql`now() + interval '1 hour'`, fr_met_at: null }).where('id', '=', risky.id).execute();
    await h.database.db.updateTable('tickets').set({ fr_at_risk_at: sql`now() - interval '2 hours'`, fr_due_at: sql`now() - interval '1 hour'`, fr_met_at: null }).where('id', '=', late.id).execute();
    const sla = async (which: string) => ((await h.api(`/api/v1/sla/${which}?organizationId=${orgId}`)).body as { data: Array<{ id: string }> }).data.map((x) => x.id);
    assert.ok((await sla('at-risk')).includes(risky.id) && (await sla('breaches')).includes(late.id), 'the SLA lists agree');
    const s = await read();
    assert.equal(valueOf(s, 'pacer_tickets_at_risk', { priority: 'high' }), riskBefore + 1);
    assert.equal(valueOf(s, 'pacer_tickets_breached', { priority: 'high' }), breachedBefore + 1);
  });

  it('times requests by the route pattern and status, never the raw path', async () => {
    const t = await createTicket(h, { subject: 'Read me', organizationId: orgId });
    assert.equal((await h.api(`/api/v1/tickets/${t.id}`)).status, 200);
    assert.equal((await h.api(`/api/v1/tickets/${crypto.randomUUID()}`)).status, 404);
    const series = labelsOf(await read(), 'pacer_http_request_duration_seconds_count');
    assert.ok(series.some((l) => l.route === '/api/v1/tickets/:id' && l.method === 'GET' && l.status === '200'));
    assert.ok(series.some((l) => l.route === '/api/v1/tickets/:id' && l.status === '404'), 'a route that answers an error keeps its pattern');
    assert.ok(series.some((l) => l.route === '/api/v1/tickets' && l.method === 'POST' && l.status === '201'));
    assert.ok(!series.some((l) => (l.route ?? '').includes(t.id)), 'no raw id in a label');
  });
});
