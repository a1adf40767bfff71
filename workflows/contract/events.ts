/**
 * The events a ticket or an incident puts on its timeline, as one typed union (discriminated
 * by `type`), and the builders of their ids. An event id is an idempotency key (the primary
 * key in PostgreSQL, and part of recorded histories' activity inputs): every builder's output
 * is pinned byte for byte by test/unit/event-ids.test.ts, and no id is written by hand elsewhere.
 */
import type { ActionSpec, CategorySource, ClockName, Priority, SlaSnapshot, TicketStatus } from './ticket';
import type { ReleaseReason, RoutedReason, RoutingStrategy } from './routing';
import type { IncidentClockName, IncidentFields, IncidentImpact, IncidentSeverity, IncidentStatus } from './incident';

export type EventVisibility = 'public' | 'internal';

/** One recorded event: `data` is typed by `type`. */
interface Recorded<T extends string, D> {
  /** Deterministic (one of the builders below), so a retried write lands once. */
  id: string;
  type: T;
  at: string;
  actor: string;
  visibility: EventVisibility;
  data: D;
}

type Empty = Record<string, never>;

// ---- what a ladder step did, on either timeline ----------------------------------------

/** A ladder action's outcome. The workflow's own skip (acknowledged, clock met) carries no clock or percent. */
export interface ActionOutcomeData {
  step: string;
  clock?: ClockName | IncidentClockName;
  percent?: number;
  action: ActionSpec;
  detail: string;
  /** action.failed: the failure's type (ApplicationFailure, …). */
  failure?: string;
  /** What set the action off when no ladder step did (`csat.low_rating`). */
  trigger?: string;
  /** action.failed of an integration: what the remote side answered. */
  errors?: unknown;
  error?: unknown;
}

export type ActionOutcomeEvent = Recorded<'action.done' | 'action.skipped' | 'action.failed', ActionOutcomeData>;

/** A change the store refused for good (workflows/runtime/change-refusal.ts). */
export type ChangeRefusedEvent = Recorded<'change.refused', { kind: string; actionId: string; failure: string; reason: string }>;

// ---- ticket timeline ---------------------------------------------------------------------

export type TicketCreatedEvent = Recorded<'ticket.created', { number: string; subject: string; priority: Priority; channel: string; organizationId: string; sla: SlaSnapshot }>;
export type CommentEvent = Recorded<'comment.public' | 'comment.internal', { commentId: string; authorType: 'agent' | 'customer' | 'system' }>;
export type FirstResponseMetEvent = Recorded<'sla.first_response_met', Empty>;
export interface RetargetSide {
  priority: Priority;
  tier: string;
  policy: string | null;
}
export type TicketRetargetedEvent = Recorded<'ticket.retargeted', { from: RetargetSide; to: RetargetSide; rolloutId?: string }>;
export type TicketAssignedEvent = Recorded<'ticket.assigned', { from: string | null; to: string | null }>;
export type SlaAcknowledgedEvent = Recorded<'sla.acknowledged', { clocks: ClockName[]; by: string; source: string }>;
export type IncidentWaitEvent = Recorded<'ticket.waiting_on_incident' | 'ticket.incident_wait_ended', { incidentId: string; incidentNumber: string; pausesSla: boolean }>;
export type EscalatedManuallyEvent = Recorded<'sla.escalated_manually', { clock: ClockName; percent: number; step: string; by: string }>;
export type TicketEditedEvent = Recorded<'ticket.edited', { fields: string[] }>;
/**
 * A category chosen automatically at intake (`automatic: true`, source classifier or keywords),
 * or chosen by an agent (`automatic: false`); `replaced` is the automatic choice an agent's
 * change overrode (null when the category it replaced was not automatic).
 */
export type TicketCategorizedEvent = Recorded<
  'ticket.categorized',
  { category: string | null; confidence: number | null; source: CategorySource; automatic: boolean; replaced: { category: string | null; source: CategorySource; confidence: number | null } | null }
>;
export type TicketReopenedEvent = Recorded<'ticket.reopened', Empty>;
export type TicketStatusChangedEvent = Recorded<'ticket.status_changed', { from: TicketStatus; to: TicketStatus }>;
/** A ticket's ladder step fired (sla.breached at 100%). */
export type SlaStepEvent = Recorded<
  'sla.escalation' | 'sla.breached',
  { number: string; clock: ClockName; cycle: number; percent: number; scheduledAt: string | null; dueAt: string | null; priority: Priority }
>;

/** A manager left a breach out of the service credits (src/domain/contracts), or undid that: bookkeeping on the timeline, no clock changes. */
export type BreachExclusionEvent = Recorded<
  'sla.breach_excluded' | 'sla.breach_exclusion_undone',
  { exclusionId: string; breachEventId: string; clock: ClockName; cycle: number; reason: string; note: string | null; incidentId: string | null }
>;
/** The ticket's satisfaction survey went out (by email when mail is configured, and in the portal); its link is valid until `expiresAt`. */
export type CsatSurveySentEvent = Recorded<'csat.survey_sent', { expiresAt: string }>;
/** The customer rated the ticket; `previous` is the rating this one replaced, `assignee` who held the ticket then. */
export type CsatRatedEvent = Recorded<'csat.rated', { rating: number; previous: number | null; reason: string | null; comment: string | null; assignee: string | null }>;

/** Routing gave the ticket to an agent of the group, saying why (workflows/routing/planner.ts). */
export type TicketRoutedEvent = Recorded<'ticket.routed', { group: string; agent: string; strategy: RoutingStrategy; reason: RoutedReason }>;
/** Routing took the ticket back from its agent (offline, away past the limit, shift ended before it comes due); it is queued again. */
export type TicketRoutingReleasedEvent = Recorded<'ticket.routing_released', { agent: string; reason: ReleaseReason }>;

export type TicketEvent =
  | TicketCreatedEvent
  | TicketRoutedEvent
  | TicketRoutingReleasedEvent
  | CsatSurveySentEvent
  | CsatRatedEvent
  | CommentEvent
  | FirstResponseMetEvent
  | TicketRetargetedEvent
  | TicketAssignedEvent
  | SlaAcknowledgedEvent
  | IncidentWaitEvent
  | EscalatedManuallyEvent
  | TicketEditedEvent
  | TicketCategorizedEvent
  | TicketReopenedEvent
  | TicketStatusChangedEvent
  | SlaStepEvent
  | BreachExclusionEvent
  | ActionOutcomeEvent
  | ChangeRefusedEvent;

// ---- incident timeline -------------------------------------------------------------------

export type IncidentCreatedEvent = Recorded<
  'incident.created',
  {
    number: string;
    title: string;
    severity: IncidentSeverity;
    impact: IncidentImpact;
    affectedComponents: string[];
    sourceTicketId: string | null;
    ackDueAt: string | null;
    resDueAt: string | null;
  }
>;
export type IncidentUpdateEvent = Recorded<'incident.update_public' | 'incident.update_internal', { updateId: string; status: IncidentStatus; body: string }>;
export type IncidentAcknowledgedEvent = Recorded<'incident.acknowledged', { by: string; source: string; secondsToAcknowledge: number }>;
export type IncidentSeverityChangedEvent = Recorded<'incident.severity_changed', { from: IncidentSeverity; to: IncidentSeverity }>;
/** A rollout carried a saved edit of the incident's severity's policy to it (versions null in snapshots older than rollouts). */
export type IncidentRetargetedEvent = Recorded<'incident.retargeted', { severity: IncidentSeverity; fromVersion: number | null; toVersion: number | null; rolloutId: string }>;
export type IncidentEditedEvent = Recorded<'incident.edited', IncidentFields & { fields: Array<keyof IncidentFields> }>;
export type IncidentTicketLinkEvent = Recorded<'incident.ticket_linked' | 'incident.ticket_unlinked', { ticketId: string }>;
export type PostmortemRecordedEvent = Recorded<'incident.postmortem_recorded', { actionItems: number }>;
export type IncidentStatusChangedEvent = Recorded<'incident.status_changed', { from: IncidentStatus; to: IncidentStatus }>;
export type IncidentResolvedEvent = Recorded<'incident.resolved', { by: string; secondsToResolve: number }>;
export type IncidentReopenedEvent = Recorded<'incident.reopened', Empty>;
export type PostmortemReminderEvent = Recorded<'incident.postmortem_reminder', { reminder: number; commander: string | null; resolvedAt: string | null }>;
/** An incident's ladder step fired (incident.sla_breached at 100%); `cycle` only on the update cadence. */
export type IncidentStepEvent = Recorded<
  'incident.escalation' | 'incident.sla_breached',
  { number: string; clock: IncidentClockName; percent: number; severity: IncidentSeverity; scheduledAt: string | null; dueAt: string | null; cycle?: number | null }
>;

export type IncidentEvent =
  | IncidentCreatedEvent
  | IncidentUpdateEvent
  | IncidentAcknowledgedEvent
  | IncidentSeverityChangedEvent
  | IncidentRetargetedEvent
  | IncidentEditedEvent
  | IncidentTicketLinkEvent
  | PostmortemRecordedEvent
  | IncidentStatusChangedEvent
  | IncidentResolvedEvent
  | IncidentReopenedEvent
  | PostmortemReminderEvent
  | IncidentStepEvent
  | ActionOutcomeEvent
  | ChangeRefusedEvent;

/** Every event either timeline records. */
export type RecordedEvent = TicketEvent | IncidentEvent;
type BodyOf<E> = E extends { type: infer T; data: infer D } ? { type: T; data: D } : never;
/** An event's `type` with its `data`, one pair per event type (so checking `type` narrows `data`). */
export type EventBody = BodyOf<RecordedEvent>;
export type TicketEventBody = BodyOf<TicketEvent>;
export type IncidentEventBody = BodyOf<IncidentEvent>;

/**
 * An event read back from `ticket_events` / `incident_events`: what was written is a
 * RecordedEvent (every writer takes one), so the row holds one. The only place a stored row
 * becomes typed; check its `type` before reading `data`.
 */
export function storedEvent<R extends { type: string; data: unknown }>(row: R): Omit<R, 'type' | 'data'> & EventBody {
  return row as unknown as Omit<R, 'type' | 'data'> & EventBody;
}

// ---- ids ---------------------------------------------------------------------------------

/** The suffix an action's event carries after `<entity>:<actionId>:`. */
export type ActionEventSuffix =
  | 'comment'
  | 'first-response'
  | 'reopen'
  | 'retarget'
  | 'assign'
  | 'ack'
  | 'incident-wait'
  | 'escalate'
  | 'edit'
  | 'csat'
  | 'routed'
  | 'routing-released'
  | 'update'
  | 'postmortem'
  | 'resolved'
  | 'reopened'
  | `status-${TicketStatus | IncidentStatus}`
  | `link-${string}`
  | `unlink-${string}`;

/** `<entity>:created`: the first event of a ticket or an incident. */
export function createdEventId(entityId: string): string {
  return `${entityId}:created`;
}

/** `<entity>:<actionId>:<suffix>`: one of the events an agent's, customer's or responder's action recorded. */
export function actionEventId(entityId: string, actionId: string, suffix: ActionEventSuffix): string {
  return `${entityId}:${actionId}:${suffix}`;
}

/** `<ticket>:categorized`: the category intake chose automatically (once per ticket). */
export function intakeCategorizedEventId(ticketId: string): string {
  return `${ticketId}:categorized`;
}

/** `<ticket>:<actionId>:categorized`: the category an agent's edit (that action) chose. */
export function editCategorizedEventId(ticketId: string, actionId: string): string {
  return `${ticketId}:${actionId}:categorized`;
}

/** `<ticket>:csat-survey`: the ticket's one satisfaction survey went out. */
export function csatSurveyEventId(ticketId: string): string {
  return `${ticketId}:csat-survey`;
}

/** `csat-low:<actionId>`: the step id under which a low rating's actions run (their outcome ids follow stepActionEventId). */
export function csatLowRatingStepId(actionId: string): string {
  return `csat-low:${actionId}`;
}

/** `<entity>:<actionId>:refused`: the change.refused event of an action the store refused. */
export function refusalEventId(entityId: string, actionId: string): string {
  return `${entityId}:${actionId}:refused`;
}

const STEP = ':sla:';

/** `<entity>:sla:<stepId>`: a ladder step fired. */
export function stepEventId(entityId: string, stepId: string): string {
  return `${entityId}${STEP}${stepId}`;
}

/** `<entity>:sla:<stepId>:action:<i>`: the outcome of the step's i-th action (also the action's idempotency key). */
export function stepActionEventId(entityId: string, stepId: string, actionIndex: number): string {
  return `${stepEventId(entityId, stepId)}:action:${actionIndex}`;
}

/** The step id inside a step event's id, or null when the id is not one of the entity's step events. */
export function stepIdOfEventId(entityId: string, eventId: string): string | null {
  const prefix = `${entityId}${STEP}`;
  return eventId.startsWith(prefix) ? eventId.slice(prefix.length) : null;
}

/** `<stepId>:manual:<actionId>`: the step an "escalate now" runs, so its actions' ids differ from the step's own. */
export function manualStepId(stepId: string, actionId: string): string {
  return `${stepId}:manual:${actionId}`;
}

/** `postmortem-reminder:<n>`: the n-th (from 0) post-mortem reminder, as the incident's fired set holds it. */
export function postmortemReminderKey(n: number): string {
  return `postmortem-reminder:${n}`;
}

/** `<incident>:postmortem-reminder:<n>`: the event of the n-th (from 0) post-mortem reminder. */
export function postmortemReminderEventId(incidentId: string, n: number): string {
  return `${incidentId}:${postmortemReminderKey(n)}`;
}

/** `<ticket>:exclusion:<exclusionId>:excluded|undone`: a breach exclusion made or undone (each exclusion row is made and undone at most once). */
export function exclusionEventId(ticketId: string, exclusionId: string, what: 'excluded' | 'undone'): string {
  return `${ticketId}:exclusion:${exclusionId}:${what}`;
}

/** The fired-set key inside a reminder event's id, or null when the id is not the incident's. */
export function firedKeyOfEventId(entityId: string, eventId: string): string | null {
  const prefix = `${entityId}:`;
  return eventId.startsWith(prefix) ? eventId.slice(prefix.length) : null;
}
