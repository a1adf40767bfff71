/**
 * Which of two policy snapshots is newer, by the edit versions they carry, and what a
 * re-target does to a ticket (or an incident) given them. Pure: the ticket and incident
 * workflows decide with it whether a re-target applies, so an older edit's rollout never
 * overwrites a newer one.
 */
import type { Priority, RolloutRetarget, SlaPolicySnapshot } from '../contract/ticket';
import type { IncidentPolicySnapshot } from '../contract/incident';

export type SnapshotOrder = 'older' | 'same' | 'newer' | 'unrelated';

/**
 * Snapshots of different policies (or without versions) are unrelated: the ticket moves to
 * another policy, which a priority or tier change may do. Of the same policy, the one with any
 * older component is older: snapshots are read in one query and versions only grow, so a
 * snapshot newer in one component and older in the other cannot be read.
 */
export function compareSnapshots(next: SlaPolicySnapshot | null, current: SlaPolicySnapshot | null): SnapshotOrder {
  const a = next?.versions;
  const b = current?.versions;
  if (!next || !current || !a || !b || next.policyId === null || next.policyId !== current.policyId) return 'unrelated';
  const sameCalendar = a.calendarId === b.calendarId;
  if (a.policy < b.policy || (sameCalendar && a.calendar < b.calendar)) return 'older';
  if (a.policy === b.policy && (!sameCalendar || a.calendar === b.calendar)) return 'same';
  return 'newer';
}

export interface RetargetOutcome {
  priority: Priority;
  tier: string;
  policy: SlaPolicySnapshot | null;
}

/** Why a rollout's re-target leaves a ticket as it is (the rollout counts it as reached, unchanged). */
export type RolloutSkip = 'not_affected' | 'stale_version' | 'up_to_date';

export interface TicketTargets {
  priority: Priority;
  tier: string;
  policy: SlaPolicySnapshot | null;
}

/**
 * What a re-target sets, or why a rollout's leaves the ticket alone. A plain re-target (a
 * priority or tier change by a person) always applies its priority and tier; it keeps the
 * ticket's policy only when that is a newer edit of the same policy.
 */
export function resolveRetarget(
  action: { priority: Priority; tier: string; policy: SlaPolicySnapshot | null; rollout?: RolloutRetarget },
  current: TicketTargets,
): RetargetOutcome | { skip: RolloutSkip } {
  const r = action.rollout;
  if (!r) {
    const policy = compareSnapshots(action.policy, current.policy) === 'older' ? current.policy : action.policy;
    return { priority: action.priority, tier: action.tier, policy };
  }
  let policy: SlaPolicySnapshot | null;
  let tier = current.tier;
  if (r.tierPolicies) {
    const own = r.tierPolicies[current.priority];
    if (own === undefined) return { skip: 'not_affected' };
    policy = own;
    tier = action.tier;
  } else {
    const id = current.policy?.policyId;
    const edited = id ? r.policies?.[id] : undefined;
    if (!edited) return { skip: 'not_affected' };
    policy = edited;
  }
  const order = compareSnapshots(policy, current.policy);
  if (order === 'older') return { skip: 'stale_version' };
  if (order === 'same' && tier === current.tier) return { skip: 'up_to_date' };
  return { priority: current.priority, tier, policy };
}

/**
 * Why a rollout's re-target leaves an incident alone, or null when it applies. A rollout
 * carries the edit of one severity's policy: an incident whose severity has changed since is
 * no longer the edit's; one holding that edit (or a newer one) already has what it brings.
 * A snapshot without a version predates rollouts and is older than any that has one.
 */
export function incidentRolloutSkip(next: Pick<IncidentPolicySnapshot, 'severity' | 'editVersion'>, current: Pick<IncidentPolicySnapshot, 'severity' | 'editVersion'>): RolloutSkip | null {
  if (next.severity !== current.severity) return 'not_affected';
  if (current.editVersion === undefined) return null;
  if (next.editVersion === undefined || next.editVersion < current.editVersion) return 'stale_version';
  return next.editVersion === current.editVersion ? 'up_to_date' : null;
}
