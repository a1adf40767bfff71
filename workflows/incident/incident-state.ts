/**
 * The incident workflow's state and how each action changes it. Pure (no Temporal calls):
 * the workflow applies an action here, persists the returned change through activities,
 * then carries out the returned effects (linked tickets, PagerDuty, subscribers).
 */
import { actionEventId, postmortemReminderEventId, postmortemReminderKey, type ActionEventSuffix, type EventVisibility, type IncidentEvent, type IncidentEventBody, type PostmortemReminderEvent } from '../contract/events';
import { ActionRejected, actorName } from '../ticket/ticket-state';
import { incidentRolloutSkip } from '../rollout/edit-versions';
import type { Actor } from '../contract/ticket';
import {
  ACTIVE_INCIDENT_STATUSES,
  type IncidentAction,
  type IncidentCarried,
  type IncidentFacts,
  type IncidentFields,
  type IncidentPolicySnapshot,
  type IncidentView,
  type IncidentStatus,
} from '../contract/incident';
import { describeIncidentClock, hasUpdateCadence, planIncident, postmortemReminderAt, type IncidentPlan } from './incident-plan';
import type { CadenceEvent } from '../contract/sla';
import type { EntityIndex } from '../contract/search-attributes';
import { nextDeadline } from '../sla/sla-clock';
import type { IncidentRowChanges, IncidentUpdateRecord, ApplyIncidentChangeInput } from '../contract/records';

const RECENT_ACTION_IDS = 200;
const DAY_MS = 86_400_000;
/** A resolved incident whose post-mortem needs are met closes itself after this long. */
export const AUTO_CLOSE_DAYS = 7;

/** Forward through the lifecycle, back among the active statuses, and a resolved incident may reopen. */
const ALLOWED: Record<IncidentStatus, readonly IncidentStatus[]> = {
  detected: ['investigating', 'identified', 'monitoring', 'resolved'],
  investigating: ['identified', 'monitoring', 'resolved'],
  identified: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'identified', 'resolved'],
  resolved: ['investigating', 'closed'],
  closed: [],
};

export function canMoveIncident(from: IncidentStatus, to: IncidentStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** What the workflow does after a change is persisted. */
export type IncidentEffect =
  | { kind: 'ticket_comment'; ticketIds: string[]; updateId: string; body: string }
  | { kind: 'ticket_wait'; ticketIds: string[]; waiting: boolean }
  | { kind: 'ticket_solve'; ticketIds: string[] }
  | { kind: 'alerts'; how: 'acknowledge' | 'resolve' }
  | { kind: 'subscribers'; updateId: string };

export interface AppliedIncidentAction {
  change: ApplyIncidentChangeInput;
  effects: IncidentEffect[];
}

/** What an action may change, kept so a change the store refused can be taken back. */
export interface IncidentStateSnapshot {
  status: IncidentStatus;
  policy: IncidentPolicySnapshot;
  fields: Required<IncidentFields>;
  linkedTickets: string[];
  acknowledged: { by: string; at: string; source: string } | null;
  resolvedAt: number | null;
  firstResolvedAt: number | null;
  postmortemAt: number | null;
  recentActionIds: string[];
  stateVersion: number;
  cadence: CadenceEvent[];
}

export class IncidentState {
  readonly facts: IncidentFacts;
  readonly createdAt: number;
  status: IncidentStatus;
  policy: IncidentPolicySnapshot;
  fields: Required<IncidentFields>;
  linkedTickets: string[];
  acknowledged: { by: string; at: string; source: string } | null;
  resolvedAt: number | null;
  firstResolvedAt: number | null;
  postmortemAt: number | null;
  readonly fired: Set<string>;
  recentActionIds: string[];
  stateVersion: number;
  private cachedPlan: IncidentPlan | null = null;
  /** The update cadence's history; the workflow decides (by patch) whether it is planned. */
  cadence: CadenceEvent[];
  repeatingClocksAllowed: () => boolean = () => true;
  /** Whether a rollout's re-target is checked against edit versions; the workflow decides by patch (a history recorded without treats it as a severity change). */
  rolloutRetargetsAllowed: () => boolean = () => true;

  constructor(facts: IncidentFacts, policy: IncidentPolicySnapshot, carried?: IncidentCarried) {
    this.facts = facts;
    this.createdAt = Date.parse(facts.createdAt);
    const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);
    this.status = carried?.status ?? 'detected';
    this.policy = carried?.policy ?? policy;
    this.fields = carried?.fields ?? {
      title: facts.title,
      description: facts.description,
      commander: facts.commander,
      responders: facts.responders,
      impact: facts.impact,
      affectedComponents: facts.affectedComponents,
      affectedCustomers: facts.affectedCustomers,
    };
    this.linkedTickets = carried?.linkedTickets ?? (facts.sourceTicketId ? [facts.sourceTicketId] : []);
    this.acknowledged = carried?.acknowledged ?? null;
    this.resolvedAt = ms(carried?.resolvedAt);
    this.firstResolvedAt = ms(carried?.firstResolvedAt);
    this.postmortemAt = ms(carried?.postmortemAt);
    this.fired = new Set(carried?.fired ?? []);
    this.recentActionIds = carried?.recentActionIds ?? [];
    this.stateVersion = carried?.stateVersion ?? 0;
    this.cadence = carried?.cadence ?? [];
  }

  get finished(): boolean {
    return this.status === 'closed';
  }

  /** What Temporal's visibility finds this incident by (workflows/contract/search-attributes.ts): its severity stands for the priority. */
  index(): EntityIndex {
    const { acknowledgement, resolution, update } = this.plan();
    const deadline = this.finished ? null : nextDeadline([acknowledgement.result, resolution.result, update?.result]);
    return { kind: 'incident', number: this.facts.number, status: this.status, priority: this.policy.severity, organizationId: null, nextDeadline: deadline };
  }

  get active(): boolean {
    return ACTIVE_INCIDENT_STATUSES.includes(this.status);
  }

  plan(): IncidentPlan {
    this.cachedPlan ??= planIncident(this.policy, {
      createdAt: this.createdAt,
      acknowledgedAt: this.acknowledged ? Date.parse(this.acknowledged.at) : null,
      firstResolvedAt: this.firstResolvedAt,
      cadence: this.cadence,
      repeatingClocks: hasUpdateCadence(this.policy) && this.repeatingClocksAllowed(),
    });
    return this.cachedPlan;
  }

  get postmortemOwed(): boolean {
    return this.policy.postmortemRequired && this.postmortemAt === null;
  }

  /** When the next post-mortem reminder is due, or null when none is owed. */
  nextReminderAt(): number | null {
    if (this.resolvedAt === null || this.status !== 'resolved' || !this.postmortemOwed) return null;
    let n = 0;
    while (this.fired.has(reminderId(n))) n++;
    return postmortemReminderAt(this.policy, this.resolvedAt, n);
  }

  /** Resolved, nothing owed: the incident closes itself a week later. */
  autoCloseAt(): number | null {
    if (this.status !== 'resolved' || this.resolvedAt === null || this.postmortemOwed) return null;
    return Math.max(this.resolvedAt, this.postmortemAt ?? 0) + AUTO_CLOSE_DAYS * DAY_MS;
  }

  hasSeen(actionId: string): boolean {
    return this.recentActionIds.includes(actionId);
  }

  /** Everything apply() may change, copied (ladder progress, `fired`, is the loop's and stays). */
  snapshot(): IncidentStateSnapshot {
    return {
      status: this.status,
      policy: this.policy,
      fields: { ...this.fields, responders: [...this.fields.responders], affectedComponents: [...this.fields.affectedComponents] },
      linkedTickets: [...this.linkedTickets],
      acknowledged: this.acknowledged,
      resolvedAt: this.resolvedAt,
      firstResolvedAt: this.firstResolvedAt,
      postmortemAt: this.postmortemAt,
      recentActionIds: [...this.recentActionIds],
      stateVersion: this.stateVersion,
      cadence: [...this.cadence],
    };
  }

  /** Back to a snapshot: the live state equals what was stored before a refused change. */
  restore(s: IncidentStateSnapshot): void {
    this.status = s.status;
    this.policy = s.policy;
    this.fields = s.fields;
    this.linkedTickets = s.linkedTickets;
    this.acknowledged = s.acknowledged;
    this.resolvedAt = s.resolvedAt;
    this.firstResolvedAt = s.firstResolvedAt;
    this.postmortemAt = s.postmortemAt;
    this.recentActionIds = s.recentActionIds;
    this.stateVersion = s.stateVersion;
    this.cadence = s.cadence;
    this.cachedPlan = null;
  }

  /** Throws ActionRejected when the action cannot apply now; never mutates. */
  validate(action: IncidentAction): void {
    if (this.hasSeen(action.actionId)) return;
    if (this.finished) throw new ActionRejected('incident_closed', 'the incident is closed and accepts no more changes');
    switch (action.kind) {
      case 'update':
        if (action.status === undefined && !action.body) throw new ActionRejected('empty_update', 'an update needs a status or a text');
        if (action.status !== undefined && action.status !== this.status) {
          if (!canMoveIncident(this.status, action.status)) throw new ActionRejected('invalid_transition', `cannot move the incident from ${this.status} to ${action.status}`);
          if (action.status === 'closed' && this.postmortemOwed) {
            throw new ActionRejected('postmortem_required', `a ${this.policy.severity} incident needs its post-mortem recorded before it can close`);
          }
        }
        break;
      case 'link_ticket':
        if (this.linkedTickets.includes(action.ticketId)) throw new ActionRejected('already_linked', 'the ticket is already linked to this incident');
        break;
      case 'unlink_ticket':
        if (!this.linkedTickets.includes(action.ticketId)) throw new ActionRejected('not_linked', 'the ticket is not linked to this incident');
        break;
      case 'acknowledge':
        if (this.acknowledged) throw new ActionRejected('already_acknowledged', `already acknowledged by ${this.acknowledged.by}`);
        break;
      case 'record_postmortem':
        if (this.status !== 'resolved') throw new ActionRejected('not_resolved', 'a post-mortem is recorded once the incident is resolved');
        break;
      case 'retarget': {
        // Refused before anything is written: the rollout counts the incident as reached, unchanged.
        const skip = action.rollout ? incidentRolloutSkip(action.policy, this.policy) : null;
        if (skip) throw new ActionRejected(skip, `re-target not applied: ${skip}`);
        break;
      }
      default:
        break;
    }
  }

  apply(given: IncidentAction, now: number): AppliedIncidentAction {
    // Asked only for a rollout's re-target, in the handler (never the validator: a patch marker is a command).
    const action: IncidentAction = given.kind === 'retarget' && given.rollout && !this.rolloutRetargetsAllowed() ? { ...given, rollout: undefined } : given;
    this.validate(action);
    this.remember(action.actionId);
    const at = new Date(now).toISOString();
    const actor = actorName(action.actor);
    const fields: IncidentRowChanges = {};
    const events: IncidentEvent[] = [];
    const effects: IncidentEffect[] = [];
    const change: Partial<ApplyIncidentChangeInput> = {};
    const event = (suffix: ActionEventSuffix, visibility: EventVisibility, body: IncidentEventBody) =>
      events.push({ id: actionEventId(this.facts.id, action.actionId, suffix), ...body, at, actor, visibility });

    switch (action.kind) {
      case 'update': {
        const from = this.status;
        const to = action.status ?? from;
        if (to !== from) this.moveTo(to, now, action.actor, fields, effects, event);
        const body = action.body?.trim() || defaultUpdateText(from, to);
        const update: IncidentUpdateRecord = { id: action.actionId, status: to, body, public: action.public, author: action.actor.name, at };
        change.update = update;
        event('update', action.public ? 'public' : 'internal', { type: action.public ? 'incident.update_public' : 'incident.update_internal', data: { updateId: update.id, status: to, body } });
        if (action.public) {
          this.cadence.push({ at: now, type: 'update' });
          effects.unshift({ kind: 'ticket_comment', ticketIds: [...this.linkedTickets], updateId: update.id, body: `${this.facts.number} — ${label(to)}: ${body}` });
          effects.push({ kind: 'subscribers', updateId: update.id });
        }
        break;
      }
      case 'acknowledge':
        this.acknowledged = { by: action.actor.name, at, source: action.source };
        fields.acknowledgedAt = at;
        fields.acknowledgedBy = action.actor.name;
        event('ack', 'internal', { type: 'incident.acknowledged', data: { by: action.actor.name, source: action.source, secondsToAcknowledge: Math.round((now - this.createdAt) / 1000) } });
        effects.push({ kind: 'alerts', how: 'acknowledge' });
        break;
      case 'retarget':
        if (action.rollout) {
          event('retarget', 'internal', {
            type: 'incident.retargeted',
            data: { severity: action.policy.severity, fromVersion: this.policy.editVersion ?? null, toVersion: action.policy.editVersion ?? null, rolloutId: action.rollout.rolloutId },
          });
        } else {
          event('retarget', 'internal', { type: 'incident.severity_changed', data: { from: this.policy.severity, to: action.policy.severity } });
        }
        // Fired steps keep their ids (`<clock>:<percent>`) across the new plan: none fires again; one whose new instant has passed fires on the next turn of the loop.
        this.policy = action.policy;
        fields.severity = action.policy.severity;
        fields.postmortemRequired = action.policy.postmortemRequired;
        break;
      case 'edit': {
        const changed = Object.keys(action.fields) as Array<keyof IncidentFields>;
        Object.assign(this.fields, action.fields);
        Object.assign(fields, action.fields);
        event('edit', 'internal', { type: 'incident.edited', data: { fields: changed, ...action.fields } });
        break;
      }
      case 'link_ticket':
        this.linkedTickets.push(action.ticketId);
        change.link = { ticketId: action.ticketId, by: actor };
        event(`link-${action.ticketId}`, 'internal', { type: 'incident.ticket_linked', data: { ticketId: action.ticketId } });
        if (this.active) effects.push({ kind: 'ticket_wait', ticketIds: [action.ticketId], waiting: true });
        break;
      case 'unlink_ticket':
        this.linkedTickets = this.linkedTickets.filter((t) => t !== action.ticketId);
        change.unlink = { ticketId: action.ticketId };
        event(`unlink-${action.ticketId}`, 'internal', { type: 'incident.ticket_unlinked', data: { ticketId: action.ticketId } });
        // Only an active incident holds its tickets; a resolved one already let them go.
        if (this.active) effects.push({ kind: 'ticket_wait', ticketIds: [action.ticketId], waiting: false });
        break;
      case 'record_postmortem':
        this.postmortemAt = now;
        change.postmortem = { ...action.postmortem, by: actor };
        event('postmortem', 'internal', { type: 'incident.postmortem_recorded', data: { actionItems: action.postmortem.actionItems.length } });
        break;
    }
    this.cachedPlan = null;
    this.stateVersion += 1;
    return { change: this.change(at, fields, events, change), effects };
  }

  private moveTo(
    to: IncidentStatus,
    now: number,
    actor: Actor,
    fields: IncidentRowChanges,
    effects: IncidentEffect[],
    event: (suffix: ActionEventSuffix, visibility: EventVisibility, body: IncidentEventBody) => void,
  ): void {
    const from = this.status;
    this.status = to;
    fields.status = to;
    const at = new Date(now).toISOString();
    event(`status-${to}`, 'public', { type: 'incident.status_changed', data: { from, to } });
    if (to === 'resolved') {
      this.cadence.push({ at: now, type: 'not_owing' });
      this.resolvedAt = now;
      if (this.firstResolvedAt === null) {
        this.firstResolvedAt = now;
        event('resolved', 'internal', { type: 'incident.resolved', data: { by: actor.name, secondsToResolve: Math.round((now - this.createdAt) / 1000) } });
      }
      fields.resolvedAt = at;
      effects.push({ kind: 'alerts', how: 'resolve' }, { kind: 'ticket_wait', ticketIds: [...this.linkedTickets], waiting: false });
      if (this.policy.solveLinkedTickets) effects.push({ kind: 'ticket_solve', ticketIds: [...this.linkedTickets] });
    }
    if (from === 'resolved' && to !== 'closed') {
      this.cadence.push({ at: now, type: 'owing' });
      this.resolvedAt = null;
      fields.resolvedAt = null;
      event('reopened', 'public', { type: 'incident.reopened', data: {} });
      effects.push({ kind: 'ticket_wait', ticketIds: [...this.linkedTickets], waiting: true });
    }
    if (to === 'closed') fields.closedAt = at;
  }

  /** The post-mortem reminder that is due now, as events; marks it fired. */
  fireReminder(now: number): PostmortemReminderEvent {
    let n = 0;
    while (this.fired.has(reminderId(n))) n++;
    this.fired.add(reminderId(n));
    return {
      id: postmortemReminderEventId(this.facts.id, n),
      type: 'incident.postmortem_reminder',
      at: new Date(now).toISOString(),
      actor: 'system:postmortem',
      visibility: 'internal',
      data: { reminder: n + 1, commander: this.fields.commander, resolvedAt: this.resolvedAt === null ? null : new Date(this.resolvedAt).toISOString() },
    };
  }

  private change(at: string, fields: IncidentRowChanges, events: IncidentEvent[], extra: Partial<ApplyIncidentChangeInput>): ApplyIncidentChangeInput {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const plan = this.plan();
    return {
      incidentId: this.facts.id,
      stateVersion: this.stateVersion,
      at,
      fields,
      ackDueAt: iso(plan.acknowledgement.result.dueAt),
      resDueAt: iso(plan.resolution.result.dueAt),
      impact: { components: this.fields.affectedComponents, impact: this.fields.impact, active: this.active },
      events,
      ...extra,
    };
  }

  private remember(actionId: string): void {
    this.recentActionIds.push(actionId);
    if (this.recentActionIds.length > RECENT_ACTION_IDS) this.recentActionIds.splice(0, this.recentActionIds.length - RECENT_ACTION_IDS);
  }

  /** The first record of the incident, before any action. */
  initialChange(): ApplyIncidentChangeInput {
    return this.change(this.facts.createdAt, {}, [], {});
  }

  view(now: number): IncidentView {
    const plan = this.plan();
    const next = this.nextReminderAt();
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      incidentId: this.facts.id,
      status: this.status,
      severity: this.policy.severity,
      acknowledged: this.acknowledged,
      resolvedAt: iso(this.resolvedAt),
      postmortemRequired: this.policy.postmortemRequired,
      postmortemAt: iso(this.postmortemAt),
      nextPostmortemReminderAt: iso(next),
      linkedTickets: [...this.linkedTickets],
      acknowledgement: describeIncidentClock(plan.acknowledgement, this.fired, now),
      resolution: describeIncidentClock(plan.resolution, this.fired, now),
      updateCadence: plan.update ? { ...describeIncidentClock(plan.update, this.fired, now), cycle: plan.update.cycle, startedAt: iso(plan.update.startedAt)! } : null,
      stateVersion: this.stateVersion,
    };
  }

  carry(): IncidentCarried {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      status: this.status,
      policy: this.policy,
      fields: this.fields,
      linkedTickets: this.linkedTickets,
      acknowledged: this.acknowledged,
      resolvedAt: iso(this.resolvedAt),
      firstResolvedAt: iso(this.firstResolvedAt),
      postmortemAt: iso(this.postmortemAt),
      fired: [...this.fired],
      recentActionIds: this.recentActionIds,
      stateVersion: this.stateVersion,
      cadence: this.cadence,
    };
  }
}

function reminderId(n: number): string {
  return postmortemReminderKey(n);
}

const LABELS: Record<IncidentStatus, string> = {
  detected: 'Detected',
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  closed: 'Closed',
};

export function label(status: IncidentStatus): string {
  return LABELS[status];
}

function defaultUpdateText(from: IncidentStatus, to: IncidentStatus): string {
  if (to === 'resolved') return 'This incident has been resolved.';
  if (from === to) return 'Update.';
  return `Status changed to ${label(to).toLowerCase()}.`;
}
