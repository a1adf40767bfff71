/**
 * Contracts and service credits through the API on the dev server and the real PostgreSQL:
 * statements against tickets built to known outcomes (breaches on both sides of New York's
 * month boundaries, where November has an extra hour), per-breach credits, an achievement
 * tier and the cap; the period workflow freezing closed periods; exclusions (one, undone, an
 * incident's at once, refused in a closed period), a late breach carried into the next
 * period; customers of another organization refused; bad rules refused field by field.
 * The outcomes are written into the event log with the same writer the ticket activities use.
 */
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, createOrg, createTicket, detailPaths, eventually } from './api-helpers';
import { insertEvents } from '../../src/db/repositories/ticket-events';
import { contractResponse, exclusionResponse, periodsResponse, statementResponse } from '../../src/http/api/routes/contracts';
import { periodContaining } from '../../src/domain/contracts/periods';
import { stepEventId, type TicketEvent } from '../../workflows/contract/events';
import type { ClockName, Priority } from '../../workflows/contract/ticket';
import type { TicketView } from '../../src/domain/tickets/ticket-view';


const breach = (t: TicketView, clock: ClockName, dueAt: string, cycle = 0): TicketEvent => ({
  id: stepEventId(t.id, `${clock}:${cycle}:100`), type: 'sla.breached', at: dueAt, actor: 'system:sla', visibility: 'internal',
  data: { number: t.number, clock, cycle, percent: 100, scheduledAt: dueAt, dueAt, priority: t.priority as Priority },
});
const firstResponseMet = (t: TicketView, at: string): TicketEvent => ({ id: `${t.id}:known-outcome:first-response`, type: 'sla.first_response_met', at, actor: 'agent', visibility: 'internal', data: {} });

const NY_RULES = [
  { kind: 'per_breach', clock: 'resolution', priority: 'urgent', creditPercent: '5' },
  { kind: 'per_breach', clock: 'resolution', creditPercent: '2' },
  { kind: 'per_breach', clock: 'first_response', creditPercent: '2' },
  { kind: 'achievement', clock: 'first_response', tiers: [{ belowPercent: '99', creditPercent: '10' }, { belowPercent: '95', creditPercent: '25' }] },
];

describe('API: contracts and service credits', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  const statement = async (org: string, period: string, key?: string) => bodyOf(await h.api(`/api/v1/organizations/${org}/statements/${period}`, { key }), statementResponse);
  const finalOf = (org: string, period: string) => eventually(async () => (await h.api(`/api/v1/organizations/${org}/statements`)).body && bodyOf(await h.api(`/api/v1/organizations/${org}/statements`), periodsResponse).data.find((p) => p.key === period && p.status === 'final'), 30_000, `${period} closed`);

  before(async function () {
    this.timeout(180_000);
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  describe('a New York contract from October 2026', () => {
    let org: string;
    let t: TicketView[];
    before(async () => {
      org = (await createOrg(h, 'enterprise')).id;
      t = [];
      for (const priority of ['urgent', 'high', 'high', 'normal']) t.push(await createTicket(h, { priority, organizationId: org }));
      await insertEvents(h.database.db, t[0]!.id, [breach(t[0]!, 'resolution', '2026-11-01T03:30:00.000Z'), firstResponseMet(t[0]!, '2026-10-20T12:00:00.000Z')]);
      await insertEvents(h.database.db, t[1]!.id, [breach(t[1]!, 'resolution', '2026-11-01T04:30:00.000Z')]);
      await insertEvents(h.database.db, t[2]!.id, [breach(t[2]!, 'first_response', '2026-12-01T04:30:00.000Z')]);
      await insertEvents(h.database.db, t[3]!.id, [firstResponseMet(t[3]!, '2026-11-15T12:00:00.000Z')]);
      const put = await h.api(`/api/v1/organizations/${org}/contract`, { method: 'PUT', body: { timezone: 'America/New_York', currency: 'USD', fee: '1000.00', startsOn: '2026-10-01', rules: NY_RULES, capPercent: '30' } });
      assert.equal(bodyOf(put, contractResponse).fee, '1000.00');
    });

    it('the period workflow freezes October and November once they are over', async () => {
      await finalOf(org, '2026-10');
      await finalOf(org, '2026-11');
      assert.equal((await statement(org, '2026-11')).status, 'final');
    });

    it('October holds the breach due at 23:30 local on the 31st, credited 5% as urgent', async () => {
      const oct = await statement(org, '2026-10');
      assert.deepEqual(oct.breaches.map((b) => [b.number, b.clock, b.dueAt]), [[t[0]!.number, 'resolution', '2026-11-01T03:30:00.000Z']]);
      assert.deepEqual(oct.lines.map((l) => [l.rule, l.amount]), [[0, '50.00']]);
      assert.equal(oct.total, '50.00');
      assert.deepEqual(oct.period, { key: '2026-10', start: '2026-10-01T04:00:00.000Z', end: '2026-11-01T04:00:00.000Z', timezone: 'America/New_York' });
    });

    it('November: 00:30 on the 1st to 23:30 on the 30th (EST), 2% each, and 50% first-response achievement → 25%', async () => {
      const nov = await statement(org, '2026-11');
      assert.deepEqual(nov.breaches.map((b) => b.number).sort(), [t[1]!.number, t[2]!.number].sort());
      assert.deepEqual(nov.lines.map((l) => [l.rule, l.amount]), [[1, '20.00'], [2, '20.00'], [3, '250.00']]);
      assert.deepEqual(nov.achievement.filter((a) => a.clock === 'first_response').map((a) => [a.priority, a.met, a.breached]).sort(), [['high', 0, 1], ['normal', 1, 0]]);
      assert.deepEqual([nov.subtotal, nov.cap?.amount, nov.capped, nov.total], ['290.00', '300.00', false, '290.00']);
    });

    it('a breach in a closed period cannot be excluded, and the CSV carries the same lines', async () => {
      assertError(await h.api(`/api/v1/breaches/${encodeURIComponent(breach(t[1]!, 'resolution', '').id)}/exclusion`, { body: { reason: 'force_majeure' } }), 409, 'period_closed');
      const csv = await h.api(`/api/v1/organizations/${org}/statements/2026-11/csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      const lines = String(csv.body).trim().split('\n');
      assert.equal(lines[0], 'section,period,clock,priority,ticket,due_at,measured,met,breached,excluded,achievement_percent,description,credit_percent,amount,currency');
      assert.equal(lines.filter((l) => l.startsWith('credit,')).length, 3);
      assert.match(lines[lines.length - 1]!, /^total,2026-11,.*,290\.00,USD$/);
    });
  });

  describe('exclusions in the running period', () => {
    let org: string;
    let t: TicketView[];
    let running: { key: string; start: Date };
    let previousKey: string;
    const put = (customerVisible: boolean) =>
      h.api(`/api/v1/organizations/${org}/contract`, { method: 'PUT', body: { timezone: 'UTC', currency: 'EUR', fee: '500.00', startsOn: previousMonth(), rules: [{ kind: 'per_breach', clock: 'resolution', creditPercent: '10' }], customerVisible } });
    before(async () => {
      org = (await createOrg(h, 'enterprise')).id;
      t = [];
      for (let i = 0; i < 3; i++) t.push(await createTicket(h, { priority: 'high', organizationId: org }));
      const now = new Date();
      running = periodContaining({ period: 'monthly', timezone: 'UTC', startsOn: previousMonth() }, now)!;
      previousKey = periodContaining({ period: 'monthly', timezone: 'UTC', startsOn: previousMonth() }, new Date(running.start.getTime() - 1))!.key;
      const inRunning = new Date(running.start.getTime() + Math.min(60_000, (now.getTime() - running.start.getTime()) / 2)).toISOString();
      await insertEvents(h.database.db, t[0]!.id, [breach(t[0]!, 'resolution', inRunning)]);
      await insertEvents(h.database.db, t[1]!.id, [breach(t[1]!, 'resolution', inRunning)]);
      await insertEvents(h.database.db, t[2]!.id, [breach(t[2]!, 'resolution', new Date(running.start.getTime() - 3_600_000).toISOString())]);
      bodyOf(await put(false), contractResponse);
      await finalOf(org, previousKey);
    });

    it('an admin excludes a breach with a reason: off the credits, on the timeline; twice is a conflict; an agent may not', async () => {
      const id = encodeURIComponent(breach(t[0]!, 'resolution', '').id);
      const agent = await createKey(h, 'agent');
      assertError(await h.api(`/api/v1/breaches/${id}/exclusion`, { key: agent.key, body: { reason: 'customer_caused' } }), 403);
      const x = bodyOf(await h.api(`/api/v1/breaches/${id}/exclusion`, { body: { reason: 'customer_caused', note: 'waited on their vendor' } }), exclusionResponse, 201);
      assertError(await h.api(`/api/v1/breaches/${id}/exclusion`, { body: { reason: 'duplicate' } }), 409, 'already_excluded');
      const s = await statement(org, 'current');
      assert.deepEqual(s.lines.map((l) => [l.breaches, l.amount]), [[1, '50.00']]);
      assert.equal(s.breaches.find((b) => b.ticketId === t[0]!.id)?.excluded?.reason, 'customer_caused');
      const events = await h.database.db.selectFrom('ticket_events').select(['type', 'actor']).where('ticket_id', '=', t[0]!.id).where('type', 'in', ['sla.breach_excluded', 'sla.breach_exclusion_undone']).execute();
      assert.deepEqual(events.map((e) => e.type), ['sla.breach_excluded']);
      await undoIt(x.id);
    });

    async function undoIt(exclusionId: string) {
      const undone = bodyOf(await h.api(`/api/v1/breach-exclusions/${exclusionId}/undo`, { method: 'POST' }), exclusionResponse);
      assert.ok(undone.undoneAt);
      assertError(await h.api(`/api/v1/breach-exclusions/${exclusionId}/undo`, { method: 'POST' }), 409, 'already_undone');
      assert.deepEqual((await statement(org, 'current')).lines.map((l) => [l.breaches, l.amount]), [[2, '100.00']], 'both running breaches credited again');
    }

    it('a breach of the closed period that reached the log after the close is credited in the running period as late', async () => {
      const late = await createTicket(h, { priority: 'high', organizationId: org });
      await insertEvents(h.database.db, late.id, [breach(late, 'resolution', new Date(running.start.getTime() - 60_000).toISOString())]);
      const s = await statement(org, 'current');
      assert.deepEqual(s.breaches.filter((b) => b.late).map((b) => b.number), [late.number]);
      assert.equal((await statement(org, previousKey)).breaches.length, 1, 'the frozen statement is unchanged');
      assert.equal(s.period.key, running.key);
    });

    it("an incident excludes its linked tickets' breaches at once", async () => {
      const incident = bodyOf(await h.api('/api/v1/incidents', { body: { title: 'Payments outage', severity: 'low' } }), z.object({ id: z.string() }), 201);
      assert.equal((await h.api(`/api/v1/incidents/${incident.id}/tickets`, { body: { ticketId: t[1]!.id } })).status, 201);
      await eventually(async () => (await h.database.db.selectFrom('incident_tickets').select('ticket_id').where('incident_id', '=', incident.id).execute()).length === 1, 20_000, 'the link');
      const answer = bodyOf(await h.api(`/api/v1/incidents/${incident.id}/breach-exclusions`, { body: { reason: 'planned_maintenance' } }), z.object({ excluded: z.array(z.string()), skipped: z.array(z.unknown()) }));
      assert.equal(answer.excluded.length, 1);
      assert.equal((await statement(org, 'current')).breaches.find((b) => b.ticketId === t[1]!.id)?.excluded?.reason, 'planned_maintenance');
    });

    it('customers see their own statements only when the contract says so, never another organization\'s', async () => {
      const own = await createKey(h, 'customer', org);
      const other = await createKey(h, 'customer', (await createOrg(h, 'enterprise')).id);
      assertError(await h.api(`/api/v1/organizations/${org}/statements/current`, { key: own.key }), 404);
      bodyOf(await put(true), contractResponse);
      assert.equal((await statement(org, 'current', own.key)).organizationId, org);
      assertError(await h.api(`/api/v1/organizations/${org}/statements/current`, { key: other.key }), 404);
      assertError(await h.api(`/api/v1/organizations/${org}/contract`, { key: other.key }), 404);
    });
  });

  it('refuses bad terms field by field and changes nothing', async () => {
    const org = (await createOrg(h, 'enterprise')).id;
    const res = await h.api(`/api/v1/organizations/${org}/contract`, {
      method: 'PUT',
      body: { timezone: 'Mars/Olympus', currency: 'eur', fee: '-5', startsOn: '2026-11-15', capPercent: '101', rules: [{ kind: 'per_breach', clock: 'resolution', creditPercent: '2.555' }, { kind: 'achievement', clock: 'next_reply', tiers: [] }] },
    });
    assertError(res, 400, 'validation_failed');
    for (const path of ['timezone', 'currency', 'startsOn', 'capPercent', 'rules.0.creditPercent', 'rules.1.clock', 'rules.1.tiers']) assert.ok(detailPaths(res).includes(path), `${path} in ${detailPaths(res).join(', ')}`);
    const fee = await h.api(`/api/v1/organizations/${org}/contract`, { method: 'PUT', body: { timezone: 'UTC', currency: 'JPY', fee: '10.5', startsOn: '2026-11-01', rules: [{ kind: 'per_breach', clock: 'resolution', priority: 'blocker', creditPercent: '1' }] } });
    assert.deepEqual(detailPaths(fee).sort(), ['fee', 'rules.0.priority']);
    assertError(await h.api(`/api/v1/organizations/${org}/contract`), 404);
  });
});

/** The first day of the previous UTC month: a contract with one closed period behind the running one. */
function previousMonth(): string {
  const d = new Date();
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
  return m.toISOString().slice(0, 10);
}
