/**
 * The pure pieces behind incidents: the two clocks and their ladders (including a business
 * calendar across a DST change), the post-mortem reminder schedule, the lifecycle rules, and
 * a ticket's waits on linked incidents (overlapping incidents make one pause).
 */
import assert from 'node:assert/strict';
import { AROUND_THE_CLOCK, DEFAULT_INCIDENT_POLICIES, DEFAULT_REMINDER_HOURS } from '../../src/db/repositories/incident-policies';
import type { IncidentFacts, IncidentPolicySnapshot } from '../../workflows/contract/incident';
import { dueIncidentSteps, nextIncidentStepAt, planIncident, postmortemReminderAt } from '../../workflows/incident/incident-plan';
import { canMoveIncident, IncidentState } from '../../workflows/incident/incident-state';
import { incidentWaits, planSla } from '../../workflows/ticket/clock-plan';
import { ActionRejected } from '../../workflows/ticket/ticket-state';
import { policy } from '../support/ticket-fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-12-01T10:00:00Z');
const agent = { type: 'agent' as const, name: 'riley' };

function snapshot(severity: 'critical' | 'high' | 'medium' | 'low', over: Partial<IncidentPolicySnapshot> = {}): IncidentPolicySnapshot {
  const p = DEFAULT_INCIDENT_POLICIES.find((x) => x.severity === severity)!;
  return {
    severity,
    acknowledgeMinutes: p.acknowledgeMinutes,
    resolveMinutes: p.resolveMinutes,
    calendar: AROUND_THE_CLOCK,
    acknowledgementEscalations: p.ack,
    resolutionEscalations: p.res,
    postmortemRequired: p.postmortem,
    postmortemReminderHours: DEFAULT_REMINDER_HOURS,
    solveLinkedTickets: false,
    ...over,
  };
}

function facts(over: Partial<IncidentFacts> = {}): IncidentFacts {
  return {
    id: '11111111-1111-4111-8111-111111111111', number: 'INC-20261201-0001', title: 'Down', description: '', severity: 'critical', commander: null,
    responders: [], impact: 'major_outage', affectedComponents: [], affectedCustomers: null, sourceTicketId: null, createdBy: 'agent:riley',
    createdAt: new Date(T0).toISOString(), ...over,
  };
}

describe('incident clocks', () => {
  it('uses the seeds: acknowledge 15m/1h/4h/24h and resolve 4h/8h/24h/72h, around the clock', () => {
    const expected = { critical: [15, 240], high: [60, 480], medium: [240, 1440], low: [1440, 4320] } as const;
    for (const [severity, [ack, res]] of Object.entries(expected)) {
      const plan = planIncident(snapshot(severity as 'critical'), { createdAt: T0, acknowledgedAt: null, firstResolvedAt: null });
      assert.equal(plan.acknowledgement.result.dueAt, T0 + ack * MIN, severity);
      assert.equal(plan.resolution.result.dueAt, T0 + res * MIN, severity);
    }
  });

  it('pages at detection for critical and high; the 0% step is due at once, the next level at the target', () => {
    const plan = planIncident(snapshot('critical'), { createdAt: T0, acknowledgedAt: null, firstResolvedAt: null });
    assert.deepEqual(dueIncidentSteps(plan, new Set(), T0).map((s) => s.id), ['acknowledgement:0']);
    assert.equal(nextIncidentStepAt(plan, new Set(['acknowledgement:0']), T0), T0 + 15 * MIN);
    assert.deepEqual(
      plan.acknowledgement.steps.map((s) => [s.percent, s.at! - T0]),
      [[0, 0], [100, 15 * MIN], [200, 30 * MIN]],
    );
    const medium = planIncident(snapshot('medium'), { createdAt: T0, acknowledgedAt: null, firstResolvedAt: null });
    assert.deepEqual(dueIncidentSteps(medium, new Set(), T0), [], 'medium pages nobody at detection');
  });

  it('an acknowledgement meets its clock: later steps never come due; met one second late is a breach', () => {
    const acked = planIncident(snapshot('critical'), { createdAt: T0, acknowledgedAt: T0 + 10 * MIN, firstResolvedAt: null });
    assert.deepEqual(dueIncidentSteps(acked, new Set(['acknowledgement:0']), T0 + 2 * HOUR).map((s) => s.id), [], 'no acknowledgement step after the acknowledgement');
    assert.equal(acked.acknowledgement.result.breached, false);
    const late = planIncident(snapshot('critical'), { createdAt: T0, acknowledgedAt: T0 + 15 * MIN + 1000, firstResolvedAt: null });
    assert.equal(late.acknowledgement.result.breached, true);
    const exact = planIncident(snapshot('critical'), { createdAt: T0, acknowledgedAt: T0 + 15 * MIN, firstResolvedAt: null });
    assert.equal(exact.acknowledgement.result.breached, false, 'met exactly at due is not a breach');
  });

  it('resolving first meets the acknowledgement clock too', () => {
    const plan = planIncident(snapshot('high'), { createdAt: T0, acknowledgedAt: null, firstResolvedAt: T0 + 30 * MIN });
    assert.equal(plan.acknowledgement.result.metAt, T0 + 30 * MIN);
    assert.equal(nextIncidentStepAt(plan, new Set(['acknowledgement:0']), T0 + 30 * MIN), null);
  });

  it('follows a business calendar when the policy has one, across the New York DST change', () => {
    const hours: Array<[string, string]> = [['09:00', '17:00']];
    const calendar = { timezone: 'America/New_York', weekly: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] }, holidays: [] };
    // Friday 2026-10-30 16:00 EDT; 2 business hours ends Monday 2026-11-02 10:00 EST (DST ended on Sunday).
    const created = Date.parse('2026-10-30T20:00:00Z');
    const plan = planIncident(snapshot('low', { calendar, acknowledgeMinutes: 120 }), { createdAt: created, acknowledgedAt: null, firstResolvedAt: null });
    assert.equal(new Date(plan.acknowledgement.result.dueAt!).toISOString(), '2026-11-02T15:00:00.000Z');
  });
});

describe('post-mortem reminders', () => {
  it('follow the schedule after resolution, then weekly', () => {
    const p = snapshot('high');
    const at = (n: number) => (postmortemReminderAt(p, T0, n) - T0) / HOUR;
    assert.deepEqual([0, 1, 2, 3, 4].map(at), [24, 72, 168, 336, 504]);
    assert.equal((postmortemReminderAt(snapshot('high', { postmortemReminderHours: [] }), T0, 0) - T0) / HOUR, 24, 'an empty schedule still reminds');
    assert.equal((postmortemReminderAt(snapshot('high', { postmortemReminderHours: [48, 4] }), T0, 0) - T0) / HOUR, 4, 'an unordered schedule is sorted');
  });

  it('are owed only by resolved incidents whose policy requires a post-mortem, until it is recorded; closing waits for it', () => {
    const s = new IncidentState(facts(), snapshot('critical'));
    assert.equal(s.nextReminderAt(), null, 'nothing owed while active');
    s.apply({ kind: 'update', actionId: 'a1', actor: agent, status: 'resolved', public: true }, T0 + HOUR);
    assert.equal(s.nextReminderAt(), T0 + HOUR + 24 * HOUR);
    assert.equal(s.autoCloseAt(), null, 'no auto-close while the post-mortem is owed');
    assert.throws(() => s.validate({ kind: 'update', actionId: 'a2', actor: agent, status: 'closed', public: false }), (e: ActionRejected) => e.code === 'postmortem_required');
    s.fireReminder(T0 + 25 * HOUR);
    assert.equal(s.nextReminderAt(), T0 + HOUR + 72 * HOUR);
    s.apply({ kind: 'record_postmortem', actionId: 'a3', actor: agent, postmortem: { summary: 's', rootCause: 'r', actionItems: [] } }, T0 + 30 * HOUR);
    assert.equal(s.nextReminderAt(), null);
    assert.equal(s.autoCloseAt(), T0 + 30 * HOUR + 7 * 24 * HOUR);
    s.validate({ kind: 'update', actionId: 'a4', actor: agent, status: 'closed', public: false });
    const medium = new IncidentState(facts({ severity: 'medium' }), snapshot('medium'));
    medium.apply({ kind: 'update', actionId: 'b1', actor: agent, status: 'resolved', public: true }, T0);
    assert.equal(medium.nextReminderAt(), null, 'medium needs no post-mortem');
  });
});

describe('incident lifecycle', () => {
  it('moves forward, back among active statuses, reopens from resolved, and ends at closed', () => {
    assert.equal(canMoveIncident('detected', 'investigating'), true);
    assert.equal(canMoveIncident('monitoring', 'investigating'), true);
    assert.equal(canMoveIncident('detected', 'closed'), false);
    assert.equal(canMoveIncident('resolved', 'investigating'), true);
    assert.equal(canMoveIncident('closed', 'investigating'), false);
  });

  it('public updates go to linked tickets and subscribers, internal ones nowhere; resolution settles pages and ends the waits', () => {
    const s = new IncidentState(facts({ sourceTicketId: 't1' }), snapshot('critical', { solveLinkedTickets: true }));
    const internal = s.apply({ kind: 'update', actionId: 'u1', actor: agent, body: 'suspect the DB', public: false }, T0);
    assert.deepEqual(internal.effects, []);
    const pub = s.apply({ kind: 'update', actionId: 'u2', actor: agent, status: 'identified', body: 'DB failover', public: true }, T0 + MIN);
    assert.deepEqual(pub.effects.map((e) => e.kind), ['ticket_comment', 'subscribers']);
    const resolved = s.apply({ kind: 'update', actionId: 'u3', actor: agent, status: 'resolved', public: true }, T0 + HOUR);
    assert.deepEqual(resolved.effects.map((e) => e.kind), ['ticket_comment', 'alerts', 'ticket_wait', 'ticket_solve', 'subscribers']);
    assert.equal(resolved.change.update?.body, 'This incident has been resolved.');
    assert.deepEqual(resolved.change.impact, { components: [], impact: 'major_outage', active: false });
    const reopened = s.apply({ kind: 'update', actionId: 'u4', actor: agent, status: 'investigating', public: true }, T0 + 2 * HOUR);
    assert.ok(reopened.effects.some((e) => e.kind === 'ticket_wait' && e.waiting), 'a reopen makes linked tickets wait again');
    assert.equal(s.resolvedAt, null);
    assert.equal(s.firstResolvedAt, T0 + HOUR, 'MTTR keeps the first resolution');
  });

  it('a repeated action id changes nothing', () => {
    const s = new IncidentState(facts(), snapshot('critical'));
    s.apply({ kind: 'acknowledge', actionId: 'k1', actor: agent, source: 'api' }, T0);
    assert.equal(s.hasSeen('k1'), true);
    s.validate({ kind: 'acknowledge', actionId: 'k1', actor: agent, source: 'api' });
    assert.throws(() => s.validate({ kind: 'acknowledge', actionId: 'k2', actor: agent, source: 'api' }), (e: ActionRejected) => e.code === 'already_acknowledged');
  });
});

describe('tickets waiting on incidents', () => {
  const wait = (at: number, incidentId: string, waiting: boolean) => ({ at, type: 'incident_wait' as const, incidentId, waiting });

  it('overlapping incidents make one pause; it ends when the last one does', () => {
    const w = incidentWaits([wait(T0, 'a', true), wait(T0 + HOUR, 'b', true), wait(T0 + 2 * HOUR, 'a', false), wait(T0 + 3 * HOUR, 'b', false), wait(T0 + 5 * HOUR, 'a', true)]);
    assert.deepEqual(w.pauses, [{ from: T0, to: T0 + 3 * HOUR }, { from: T0 + 5 * HOUR, to: null }]);
    assert.equal(w.waiting, true);
  });

  it('pauses both clocks with reason incident, shifting due by the wait, unless the policy says otherwise', () => {
    const events = [wait(T0 + HOUR, 'a', true), wait(T0 + 3 * HOUR, 'a', false)];
    const plan = planSla(policy({ firstResponseMinutes: 240, resolutionMinutes: 480 }), T0, events);
    assert.equal(plan.firstResponse!.result.dueAt, T0 + 6 * HOUR);
    assert.equal(plan.resolution!.result.dueAt, T0 + 10 * HOUR);
    const waiting = planSla(policy(), T0, [wait(T0 + HOUR, 'a', true)]);
    assert.equal(waiting.firstResponse!.pauseReason, 'incident');
    assert.equal(waiting.firstResponse!.result.dueAt, null);
    const pendingAndIncident = planSla(policy(), T0, [{ at: T0, type: 'status', status: 'pending' }, wait(T0 + HOUR, 'a', true)]);
    assert.equal(pendingAndIncident.resolution!.pauseReason, 'incident');
    const pendingOnly = planSla(policy(), T0, [{ at: T0, type: 'status', status: 'pending' }]);
    assert.equal(pendingOnly.resolution!.pauseReason, 'pending');
    const off = planSla(policy({ pauseOnIncident: false }), T0, events);
    assert.equal(off.firstResponse!.result.dueAt, T0 + 4 * HOUR, 'a policy may refuse to wait');
  });
});
