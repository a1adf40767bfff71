/**
 * The ticket's assign guards that routing relies on: `ifUnassigned` (a manual assignment wins
 * over routing's) and `ifAssignee` (a release takes the ticket back only from the agent it was
 * released from). Validator-only: a refused guard changes nothing, and a repeat of an applied
 * action is answered, not refused.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ActionRejected, TicketState } from '../../workflows/ticket/ticket-state';
import type { TicketAction } from '../../workflows/contract/ticket';
import { policy, ticketInput } from '../support/ticket-fixtures';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const routing = { type: 'system' as const, name: 'routing' };
const lead = { type: 'agent' as const, name: 'lead' };
const assign = (assignee: string | null, over: Partial<Extract<TicketAction, { kind: 'assign' }>> = {}): TicketAction => ({ kind: 'assign', actionId: crypto.randomUUID(), actor: routing, assignee, ...over });
const fresh = () => {
  const input = ticketInput(crypto.randomUUID(), T0, policy({ firstResponseMinutes: 60 }));
  return new TicketState(input.ticket, input.policy);
};
const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ActionRejected) return err.code;
    throw err;
  }
  return null;
};

describe('assign guards', () => {
  it('ifUnassigned applies to an unassigned ticket and records routing as the actor', () => {
    const state = fresh();
    const change = state.apply(assign('ann@pacer.test', { ifUnassigned: true }), T0 + 1000);
    assert.equal(state.assignee, 'ann@pacer.test');
    assert.equal(change.events[0]!.actor, 'system:routing');
  });

  it('ifUnassigned is refused once someone holds the ticket (a manual assignment wins), and nothing changes', () => {
    const state = fresh();
    state.apply({ kind: 'assign', actionId: crypto.randomUUID(), actor: lead, assignee: 'bob@pacer.test' }, T0 + 1000);
    const version = state.stateVersion;
    const routed = assign('ann@pacer.test', { ifUnassigned: true });
    assert.equal(refusal(() => state.validate(routed)), 'already_assigned');
    assert.equal(refusal(() => state.apply(routed, T0 + 2000)), 'already_assigned');
    assert.equal(state.assignee, 'bob@pacer.test');
    assert.equal(state.stateVersion, version);
  });

  it('a repeat of an applied routed assignment is answered, not refused (a retried activity)', () => {
    const state = fresh();
    const routed = assign('ann@pacer.test', { ifUnassigned: true });
    state.apply(routed, T0 + 1000);
    assert.equal(refusal(() => state.validate(routed)), null);
  });

  it('ifAssignee releases only from that agent', () => {
    const state = fresh();
    state.apply(assign('ann@pacer.test'), T0 + 1000);
    assert.equal(refusal(() => state.validate(assign(null, { ifAssignee: 'bob@pacer.test' }))), 'assignee_changed');
    state.apply(assign(null, { ifAssignee: 'ann@pacer.test' }), T0 + 2000);
    assert.equal(state.assignee, null);
  });
});
