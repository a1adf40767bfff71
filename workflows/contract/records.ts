/** Shapes that cross the workflow/activity boundary (plain JSON). */
import type { ActionSpec, ClockName, TicketFacts } from './ticket';

/** The SLA columns of a ticket row, as ISO instants. */
export interface SlaSnapshot {
  frDueAt: string | null;
  frMetAt: string | null;
  frAtRiskAt: string | null;
  resDueAt: string | null;
  resMetAt: string | null;
  resAtRiskAt: string | null;
  resPausedSince: string | null;
  /** The running next-reply cycle's due and at-risk instants (null when none runs); absent from snapshots older than the clock. */
  nrDueAt?: string | null;
  nrAtRiskAt?: string | null;
  /** How many next-reply cycles were met after their due. */
  nrBreaches?: number;
}

export type EventVisibility = 'public' | 'internal';

export interface EventInput {
  /** Deterministic, so a retried write lands once. */
  id: string;
  type: string;
  at: string;
  actor: string;
  visibility: EventVisibility;
  data: Record<string, unknown>;
}

export interface TicketFieldChanges {
  status?: string;
  priority?: string;
  assignee?: string | null;
  subject?: string;
  description?: string;
  category?: string | null;
  policyId?: string | null;
  solvedAt?: string | null;
  closedAt?: string | null;
}

export interface CommentInput {
  id: string;
  authorType: 'agent' | 'customer' | 'system';
  authorName: string;
  body: string;
  public: boolean;
  at: string;
}

export interface InitTicketInput {
  ticket: TicketFacts;
  policyId: string | null;
  sla: SlaSnapshot;
}

export interface ApplyChangeInput {
  ticketId: string;
  /** Monotonic per ticket: a late retry of an older change never overwrites a newer one. */
  stateVersion: number;
  at: string;
  fields: TicketFieldChanges;
  sla: SlaSnapshot;
  comment?: CommentInput;
  events: EventInput[];
}

/** A webhook delivery the workflow must see through (one per subscription and event). */
export interface PendingDelivery {
  deliveryId: string;
}

export interface RunActionInput {
  ticketId: string;
  ticketNumber: string;
  stepId: string;
  clock: ClockName;
  percent: number;
  actionIndex: number;
  action: ActionSpec;
  at: string;
  sla: SlaSnapshot;
}

export interface ActionOutcome {
  status: 'done' | 'skipped';
  detail: string;
}
