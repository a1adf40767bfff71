/**
 * The rollout workflow's contract: which edit it carries, where it has got to, and the
 * progress it reports. Side-effect free, so the workflow, the activities and the API share it.
 * An `incident_policy` rollout (its target is the severity) walks the incidents not yet closed
 * instead of tickets; the pages and outcomes keep their `ticketId` names so that rollouts
 * already running replay (the names are in their recorded activity results).
 */
export const ROLLOUT_KINDS = ['sla_policy', 'calendar', 'organization_tier', 'incident_policy'] as const;
export type RolloutKind = (typeof ROLLOUT_KINDS)[number];

/** What happened to one ticket: re-targeted, already as the edit wants it (or no longer affected), or refused. */
export type RetargetOutcome = { ticketId: string; outcome: 'done' } | { ticketId: string; outcome: 'unchanged'; reason: string } | { ticketId: string; outcome: 'failed'; reason: string };

export interface RolloutProgress {
  done: number;
  unchanged: number;
  failed: number;
  /** The first failures, each with its reason (capped: the count above is exact). */
  failures: Array<{ id: string; reason: string }>;
}

export interface RolloutInput {
  rolloutId: string;
  kind: RolloutKind;
  targetId: string;
  /** Tickets per page (and per continue-as-new); default 200. */
  pageSize?: number;
  /** Where the next page starts (keyset on ticket id); carried over continue-as-new. */
  after?: string | null;
  progress?: RolloutProgress;
}

export const MAX_RECORDED_FAILURES = 100;

export function rolloutWorkflowId(rolloutId: string): string {
  return `rollout-${rolloutId}`;
}
