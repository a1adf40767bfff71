/**
 * How a ticket decides on a re-target by edit versions: an older edit never replaces a newer
 * one, a rollout keeps the ticket's own priority and reaches it only while it still uses the
 * edited policy, and a tier rollout gives it the tier's policy for its own priority.
 */
import assert from 'node:assert/strict';
import { compareSnapshots, resolveRetarget } from '../../workflows/rollout/edit-versions';
import type { SlaPolicySnapshot } from '../../workflows/contract/ticket';
import { policy } from '../support/ticket-fixtures';

const versioned = (id: string, p: number, c: number, over: Partial<SlaPolicySnapshot> = {}): SlaPolicySnapshot =>
  policy({ policyId: id, versions: { policy: p, calendarId: 'cal-1', calendar: c }, ...over });

describe('unit: rollout edit versions', () => {
  it('orders snapshots of one policy by both versions, and calls other policies unrelated', () => {
    assert.equal(compareSnapshots(versioned('a', 2, 1), versioned('a', 3, 1)), 'older');
    assert.equal(compareSnapshots(versioned('a', 3, 1), versioned('a', 3, 2)), 'older');
    assert.equal(compareSnapshots(versioned('a', 3, 2), versioned('a', 3, 2)), 'same');
    assert.equal(compareSnapshots(versioned('a', 3, 3), versioned('a', 3, 2)), 'newer');
    assert.equal(compareSnapshots(versioned('b', 1, 1), versioned('a', 9, 9)), 'unrelated');
    assert.equal(compareSnapshots(policy({ policyId: 'a' }), versioned('a', 9, 9)), 'unrelated');
  });

  it("a rollout's edit keeps the ticket's priority and tier and is refused when stale, current or no longer the ticket's", () => {
    const current = { priority: 'high' as const, tier: 'enterprise', policy: versioned('a', 2, 1) };
    const next = versioned('a', 3, 1, { resolutionMinutes: 99 });
    const action = (p: SlaPolicySnapshot) => ({ priority: 'urgent' as const, tier: 'starter', policy: p, rollout: { rolloutId: 'r', policies: { a: p } } });
    assert.deepEqual(resolveRetarget(action(next), current), { priority: 'high', tier: 'enterprise', policy: next });
    assert.deepEqual(resolveRetarget(action(versioned('a', 1, 1)), current), { skip: 'stale_version' });
    assert.deepEqual(resolveRetarget(action(versioned('a', 2, 1)), current), { skip: 'up_to_date' });
    assert.deepEqual(resolveRetarget(action(next), { ...current, policy: versioned('b', 1, 1) }), { skip: 'not_affected' });
  });

  it("a tier rollout gives the ticket the new tier's policy for its own priority", () => {
    const current = { priority: 'normal' as const, tier: 'starter', policy: versioned('s', 1, 1) };
    const normal = versioned('e-normal', 1, 1);
    const out = resolveRetarget({ priority: 'urgent', tier: 'enterprise', policy: versioned('e-urgent', 1, 1), rollout: { rolloutId: 'r', tierPolicies: { urgent: versioned('e-urgent', 1, 1), normal } } }, current);
    assert.deepEqual(out, { priority: 'normal', tier: 'enterprise', policy: normal });
  });

  it("a person's priority change keeps a newer edit of the same policy over the older snapshot it carries", () => {
    const current = { priority: 'high' as const, tier: 'enterprise', policy: versioned('a', 5, 1) };
    assert.deepEqual(resolveRetarget({ priority: 'urgent', tier: 'enterprise', policy: versioned('a', 4, 1) }, current), { priority: 'urgent', tier: 'enterprise', policy: current.policy });
  });
});
