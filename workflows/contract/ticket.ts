/**
 * The ticket workflow's contract: its input, the actions agents and customers send it,
 * and the SLA state it answers with. Side-effect free, so both the workflow bundle and
 * the API import it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CalendarSpec } from './sla';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const FINAL_STATUSES: readonly TicketStatus[] = ['closed', 'cancelled'];

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** `next_reply` and `update` repeat: one cycle after another, each a clock of its own. */
export type ClockName = 'first_response' | 'resolution' | 'next_reply' | 'update';

/** One thing a ladder step does. `type` keys into the activity-side action registry. */
export interface ActionSpec {
  type: string;
  /** Free-form per action type: a role to notify, a channel, an address… */
  [option: string]: unknown;
}

export interface LadderStep {
  percent: number;
  actions: ActionSpec[];
}

/** The policy as the workflow sees it: a snapshot taken when it was matched. */
export interface SlaPolicySnapshot {
  policyId: string | null;
  name: string;
  calendar: CalendarSpec;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  pauseOn: TicketStatus[];
  escalations: LadderStep[];
  autoCloseDays: number;
  /** Both clocks pause while the ticket waits on a linked, active incident (pause reason "incident"). Absent = true. */
  pauseOnIncident?: boolean;
  /** The policy's and its calendar's edit versions when the snapshot was read (absent in snapshots older than versions). */
  versions?: EditVersions;
  /** Business minutes for each next reply once first response is met (null or absent: no next-reply clock). */
  nextReplyMinutes?: number | null;
  /** The next-reply clock's ladder; absent = `escalations`. */
  nextReplyEscalations?: LadderStep[];
  /** A public agent update is owed every this many business minutes while the ticket is open or on hold (null or absent: none). */
  updateEveryMinutes?: number | null;
  /** The update cadence's ladder (remind at 80%, escalate at 100% by default). */
  updateEscalations?: LadderStep[];
}

/** Edit versions, each bumped on every save of its row: a snapshot with an older one is never applied over a newer. */
export interface EditVersions {
  policy: number;
  calendarId: string | null;
  calendar: number;
}

/**
 * How a rollout re-targets a ticket: the ticket keeps its own priority (it may have changed
 * since the rollout read it), and an edit reaches it only while it still uses the edited policy.
 */
export interface RolloutRetarget {
  rolloutId: string;
  /** An edit of a policy or calendar: the new snapshot for each affected policy, by policy id. */
  policies?: Record<string, SlaPolicySnapshot>;
  /** A tier change: the tier's policy for each priority (null: none); the ticket takes its own priority's. */
  tierPolicies?: Partial<Record<Priority, SlaPolicySnapshot | null>>;
}

export interface TicketFacts {
  id: string;
  number: string;
  subject: string;
  description: string;
  priority: Priority;
  status: TicketStatus;
  channel: string;
  category: string | null;
  requesterEmail: string;
  requesterName: string | null;
  assignee: string | null;
  organizationId: string;
  tier: string;
  /** ISO 8601; the instant both clocks start from. */
  createdAt: string;
  /** What intake learned from the text (src/domain/classify); absent on tickets created before it. Written with the row, never changed by the workflow. */
  intake?: TicketIntake;
}

/** Who chose a ticket's category: a person (agent, customer) or, automatically, the trained classifier or the keyword lists. */
export type CategorySource = 'agent' | 'customer' | 'classifier' | 'keywords';

export interface TicketIntake {
  /** ISO 639-1, null when the detector was unsure. */
  language: string | null;
  /** Who set `category` at creation; null when nobody did (no category, or only a suggestion). */
  categorySource: CategorySource | null;
  /** Confidence (0..1) of the automatic category or of the suggestion. */
  categoryConfidence: number | null;
  /** Below the threshold: offered to the agent, not set. */
  categorySuggestion: string | null;
}

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
  /** The running update-cadence cycle's due and at-risk instants; absent when none runs (and from older snapshots). */
  updDueAt?: string | null;
  updAtRiskAt?: string | null;
}

/**
 * The due and at-risk instants of one clock in a snapshot: what a ladder action's message names
 * (a repeating clock's are its running cycle's, null when none runs).
 */
export function clockDueIn(sla: SlaSnapshot, clock: ClockName): { dueAt: string | null; atRiskAt: string | null } {
  switch (clock) {
    case 'first_response':
      return { dueAt: sla.frDueAt, atRiskAt: sla.frAtRiskAt };
    case 'resolution':
      return { dueAt: sla.resDueAt, atRiskAt: sla.resAtRiskAt };
    case 'next_reply':
      return { dueAt: sla.nrDueAt ?? null, atRiskAt: sla.nrAtRiskAt ?? null };
    case 'update':
      return { dueAt: sla.updDueAt ?? null, atRiskAt: sla.updAtRiskAt ?? null };
  }
}

/** Clock-relevant history, kept in the workflow so every re-plan uses the same rules as the preview. */
export type ClockEvent =
  | { at: number; type: 'agent_reply' }
  | { at: number; type: 'status'; status: TicketStatus }
  | { at: number; type: 'reopen' }
  /** Every public comment of an agent or a customer (the next-reply and update clocks listen to these). */
  | { at: number; type: 'public_reply'; by: 'agent' | 'customer' }
  /** The ticket starts or stops waiting on an incident it is linked to. */
  | { at: number; type: 'incident_wait'; incidentId: string; waiting: boolean };

/** What survives continue-as-new. */
export interface CarriedState {
  status: TicketStatus;
  priority: Priority;
  assignee: string | null;
  tier: string;
  policy: SlaPolicySnapshot | null;
  events: ClockEvent[];
  fired: string[];
  recentActionIds: string[];
  stateVersion: number;
  acknowledged?: Partial<Record<ClockName, { by: string; at: string; source: string }>>;
  hookTypes?: string[];
  csat?: CsatProgress;
}

/** The ticket's satisfaction survey as its workflow tracks it (epoch ms). */
export interface CsatProgress {
  /** When the survey went out (once per ticket), or null. */
  sentAt: number | null;
  /** The customer's current rating, or null. */
  rating: number | null;
  /** Minutes after a solve before the survey goes out, as the worker's settings said (null: not asked yet). */
  delayMinutes: number | null;
}

export interface TicketWorkflowInput {
  version: 1;
  ticket: TicketFacts;
  policy: SlaPolicySnapshot | null;
  carried?: CarriedState;
  /** Continue as new past this many history events (default 4000); tests lower it. */
  historyLimit?: number;
  /** The namespace has Pacer's search attributes: keep them current (workflows/contract/search-attributes.ts). */
  indexed?: boolean;
}

export interface Actor {
  type: 'agent' | 'customer' | 'system';
  name: string;
}

/**
 * Every agent or customer action. `actionId` is chosen by the caller and makes the action
 * idempotent end to end: the workflow ignores a repeat, and the activities write with it as key.
 */
export type TicketAction =
  | { kind: 'comment'; actionId: string; actor: Actor; body: string; public: boolean }
  | { kind: 'set_status'; actionId: string; actor: Actor; status: TicketStatus }
  | { kind: 'retarget'; actionId: string; actor: Actor; priority: Priority; tier: string; policy: SlaPolicySnapshot | null; rollout?: RolloutRetarget }
  /**
   * `ifUnassigned`: refused when the ticket already has an assignee (routing's assignment: a
   * manual one wins). `ifAssignee`: refused unless the ticket is still this one's (routing's
   * release: a ticket handed on by hand meanwhile stays where it went).
   */
  | { kind: 'assign'; actionId: string; actor: Actor; assignee: string | null; ifUnassigned?: boolean; ifAssignee?: string }
  | { kind: 'edit'; actionId: string; actor: Actor; fields: { subject?: string; description?: string; category?: string | null } }
  /** Someone took responsibility (API, Slack, PagerDuty): further paging for the clock stops. */
  | { kind: 'acknowledge'; actionId: string; actor: Actor; clock: ClockName | null; source: string }
  /** Sent by an incident's workflow: the ticket waits on it (linked while active) or no longer does. */
  | { kind: 'incident_wait'; actionId: string; actor: Actor; incidentId: string; incidentNumber: string; waiting: boolean }
  /**
   * An agent escalates now: the actions of the clock's next unfired ladder step run at once,
   * as a manual escalation. The ladder keeps its own schedule (that step still fires, and
   * records a breach at 100%, at its instant).
   */
  | { kind: 'escalate'; actionId: string; actor: Actor; clock: ClockName | null }
  /**
   * The customer rated the ticket through its survey (again: the new rating replaces the old).
   * A rating that becomes 1 or 2 runs `lowRatingActions` through the action registry.
   */
  | { kind: 'rate'; actionId: string; actor: Actor; rating: number; reason: string | null; comment: string | null; lowRatingActions?: ActionSpec[] };

export interface ClockState {
  name: ClockName;
  targetMinutes: number;
  startedAt: string;
  dueAt: string | null;
  metAt: string | null;
  breached: boolean | null;
  pausedSince: string | null;
  /** Why the clock is paused: the ticket's status (e.g. "pending") or "incident". */
  pauseReason: string | null;
  elapsedSeconds: number;
  percentElapsed: number;
  escalations: Array<{ percent: number; at: string | null; fired: boolean }>;
}

export interface SlaState {
  ticketId: string;
  status: TicketStatus;
  priority: Priority;
  policyName: string | null;
  firstResponse: ClockState | null;
  resolution: (ClockState & { cycle: number }) | null;
  /** Every next-reply cycle in order, the running one (metAt null) last; null when the policy has no next-reply clock. */
  nextReply: Array<ClockState & { cycle: number }> | null;
  /** The update cadence's latest cycle (running while metAt is null); null when none is owed or ever was. */
  updateCadence: (ClockState & { cycle: number }) | null;
  autoCloseAt: string | null;
  stateVersion: number;
}

/**
 * What the workflow knows about timing. A query answers with these inputs rather than with
 * computed elapsed times, because a query runs at the workflow's last task time; callers turn
 * them into a live SlaState at their own "now" with describeSla (the same pure code).
 */
export interface SlaInputs {
  ticketId: string;
  status: TicketStatus;
  priority: Priority;
  tier: string;
  createdAt: string;
  policy: SlaPolicySnapshot | null;
  events: ClockEvent[];
  fired: string[];
  solvedAt: string | null;
  stateVersion: number;
  acknowledged: Partial<Record<ClockName, { by: string; at: string; source: string }>>;
}

/** The result of every update: the ticket's timing inputs right after the action applied. */
export const ticketActionUpdate = defineUpdate<SlaInputs, [TicketAction]>('ticketAction');
/** The same action as a signal, for callers that cannot wait (and for servers without updates). */
export const ticketActionSignal = defineSignal<[TicketAction]>('ticketActionSignal');
export const slaInputsQuery = defineQuery<SlaInputs>('slaInputs');

export function ticketWorkflowId(ticketId: string): string {
  return `ticket-${ticketId}`;
}
