/** Shapes that cross the workflow/activity boundary (plain JSON). */
import type { ActionSpec, ClockName, SlaSnapshot, TicketFacts } from './ticket';
import type { IncidentStatus } from './incident';
import type { IncidentEvent, TicketEvent } from './events';

export type { SlaSnapshot } from './ticket';

/** An event a ticket change writes on its timeline (the incident's are IncidentEvent). */
export type EventInput = TicketEvent;
export type { TicketEvent, IncidentEvent } from './events';

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
  /** A rating: written over the ticket's survey row with who held the ticket then. */
  csat?: CsatRatingRecord;
  events: TicketEvent[];
}

export interface CsatRatingRecord {
  rating: number;
  reason: string | null;
  comment: string | null;
  assignee: string | null;
  priority: string;
  ratedAt: string;
}

export interface SendCsatSurveyInput {
  ticketId: string;
  /** When the workflow sent it: the survey's sent_at, its link valid from then for the configured days. */
  at: string;
}

/** One of a low rating's actions, run through the action registry like a ladder step's. */
export interface CsatActionInput {
  ticketId: string;
  ticketNumber: string;
  /** csatLowRatingStepId(actionId) of the rating. */
  stepId: string;
  actionIndex: number;
  action: ActionSpec;
  rating: number;
  at: string;
  sla: SlaSnapshot;
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

/** Row columns a change writes (only those named). */
export interface IncidentRowChanges {
  status?: IncidentStatus;
  severity?: string;
  title?: string;
  description?: string;
  commander?: string | null;
  responders?: string[];
  impact?: string;
  affectedComponents?: string[];
  affectedCustomers?: number | null;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string | null;
  closedAt?: string;
  postmortemRequired?: boolean;
}

export interface IncidentUpdateRecord {
  id: string;
  status: IncidentStatus;
  body: string;
  public: boolean;
  author: string;
  at: string;
}

export interface ApplyIncidentChangeInput {
  incidentId: string;
  stateVersion: number;
  at: string;
  fields: IncidentRowChanges;
  ackDueAt: string | null;
  resDueAt: string | null;
  /** The impact the incident holds its components at now; an empty list or `active: false` ends every stretch. */
  impact: { components: string[]; impact: string; active: boolean };
  update?: IncidentUpdateRecord;
  link?: { ticketId: string; by: string };
  unlink?: { ticketId: string };
  postmortem?: { summary: string; rootCause: string; actionItems: unknown[]; by: string };
  events: IncidentEvent[];
}
