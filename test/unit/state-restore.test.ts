/**
 * Taking back a refused change: after snapshot → apply → restore, a ticket's and an
 * incident's state answer exactly as before the change, and the next change gets the version
 * the refused one would have had (the row never saw it).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { AROUND_THE_CLOCK, DEFAULT_INCIDENT_POLICIES, DEFAULT_REMINDER_HOURS } from '../../src/db/repositories/incident-policies';
import type { IncidentAction, IncidentPolicySnapshot } from '../../workflows/contract/incident';
import { IncidentState } from '../../workflows/incident/incident-state';
import { TicketState } from '../../workflows/ticket/ticket-state';
import { act, policy, ticketInput } from '../support/ticket-fixtures';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const agent = { type: 'agent' as const, name: 'riley' };

function critical(): IncidentPolicySnapshot {
  const p = DEFAULT_INCIDENT_POLICIES.find((x) => x.severity === 'critical')!;
  return {
    severity: 'critical',
    acknowledgeMinutes: p.acknowledgeMinutes,
    resolveMinutes: p.resolveMinutes,
    calendar: AROUND_THE_CLOCK,
    acknowledgementEscalations: p.ack,
    resolutionEscalations: p.res,
    postmortemRequired: p.postmortem,
    postmortemReminderHours: DEFAULT_REMINDER_HOURS,
    solveLinkedTickets: false,
  };
}

describe('state restore after a refused change', () => {
  it('puts a ticket back exactly: status, priority, policy, clocks, seen ids and version', () => {
    const input = ticketInput(crypto.randomUUID(), T0, policy({ firstResponseMinutes: 60, resolutionMinutes: 600 }));
    const state = new TicketState(input.ticket, input.policy);
    state.apply(act.status('open'), T0 + 1000);
    const before = state.inputs();
    const snapshot = state.snapshot();
    const refused = [act.reply(), act.retarget(policy({ firstResponseMinutes: 5 }), 'urgent'), act.status('pending')];
    for (const [i, a] of refused.entries()) state.apply(a, T0 + 2000 + i);
    assert.notDeepEqual(state.inputs(), before);

    state.restore(snapshot);
    assert.deepEqual(state.inputs(), before);
    assert.deepEqual(state.slaSnapshot(), new TicketState(input.ticket, input.policy, state.carry()).slaSnapshot(), 'the plan is recomputed, not cached');
    assert.ok(!state.hasSeen(refused[0]!.actionId), 'a retry of the refused action applies (and refuses) again');
    assert.equal(state.apply(act.note(), T0 + 3000).stateVersion, before.stateVersion + 1);
  });

  it('puts an incident back exactly: status, fields, links, acknowledgement and version', () => {
    const state = new IncidentState(
      { id: crypto.randomUUID(), number: 'INC-20261201-0001', title: 'Down', description: '', severity: 'critical', commander: null, responders: [], impact: 'major_outage', affectedComponents: [], affectedCustomers: null, sourceTicketId: null, createdBy: 'agent:riley', createdAt: new Date(T0).toISOString() },
      critical(),
    );
    const before = state.view(T0 + 5000);
    const fieldsBefore = { ...state.fields };
    const snapshot = state.snapshot();
    const refused: IncidentAction[] = [
      { kind: 'edit', actionId: crypto.randomUUID(), actor: agent, fields: { affectedCustomers: 2_147_483_648, responders: ['sam'] } },
      { kind: 'acknowledge', actionId: crypto.randomUUID(), actor: agent, source: 'api' },
      { kind: 'link_ticket', actionId: crypto.randomUUID(), actor: agent, ticketId: crypto.randomUUID() },
      { kind: 'update', actionId: crypto.randomUUID(), actor: agent, status: 'resolved', body: 'Fixed', public: true },
    ];
    for (const [i, a] of refused.entries()) state.apply(a, T0 + 1000 + i);

    state.restore(snapshot);
    assert.deepEqual(state.view(T0 + 5000), before);
    assert.deepEqual(state.fields, fieldsBefore);
    assert.equal(state.apply({ kind: 'acknowledge', actionId: crypto.randomUUID(), actor: agent, source: 'api' }, T0 + 6000).change.stateVersion, before.stateVersion + 1);
  });
});
