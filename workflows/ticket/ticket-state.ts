/**
 * The ticket workflow's state: status, priority, policy and the clock history, and how
 * each action changes them. Pure (no Temporal calls): the workflow applies an action here,
 * then persists the returned change through activities.
 */
import type { ApplyChangeInput, CsatRatingRecord, SlaSnapshot, TicketFieldChanges, CommentInput } from '../contract/records';
import { actionEventId, manualStepId, type ActionEventSuffix, type EventVisibility, type TicketEvent, type TicketEventBody } from '../contract/events';
import { hasRepeatingClocks, liveClocks, planSla, type PlannedStep, type SlaPlan } from './clock-plan';
import type { Actor, CarriedState, ClockEvent, CsatProgress, ClockName, Priority, SlaInputs, SlaPolicySnapshot, TicketAction, TicketFacts, TicketStatus } from '../contract/ticket';
import { canTransition, isFinal, statusAfterReply } from './status-rules';
import { resolveRetarget } from '../rollout/edit-versions';
import { nextDeadline } from '../sla/sla-clock';
import type { EntityIndex } from '../contract/search-attributes';

const DEFAULT_AUTO_CLOSE_DAYS = 7;
const DAY_MS = 86_400_000;
/** Enough to recognise a client's retry; older ids have long stopped being retried. */
const RECENT_ACTION_IDS = 200;

export class ActionRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What an action may change, kept so a change the store refused can be taken back. */
export interface TicketStateSnapshot {
  status: TicketStatus;
  priority: Priority;
  assignee: string | null;
  tier: string;
  policy: SlaPolicySnapshot | null;
  events: ClockEvent[];
  recentActionIds: string[];
  stateVersion: number;
  acknowledged: NonNullable<CarriedState['acknowledged']>;
  manualEscalations: Array<{ actionId: string; stepId: string }>;
  csatRating: number | null;
}

export class TicketState {
  readonly facts: TicketFacts;
  status: TicketStatus;
  priority: Priority;
  assignee: string | null;
  tier: string;
  policy: SlaPolicySnapshot | null;
  events: ClockEvent[];
  readonly fired: Set<string>;
  recentActionIds: string[];
  stateVersion: number;
  acknowledged: NonNullable<CarriedState['acknowledged']>;
  /** Event types the worker's integrations listen to (learned at start; carried over). */
  hookTypes: string[];
  /** The satisfaction survey: sent once after a solve (the workflow sets sentAt), then rated. */
  readonly csat: CsatProgress;
  readonly createdAt: number;
  private cachedPlan: SlaPlan | null = null;
  /** Whether the next-reply and update clocks may be planned; the workflow answers with its patch decision. */
  repeatingClocksAllowed: () => boolean = () => true;
  /**
   * Whether an acknowledgement that names no clock also takes the repeating clocks running a
   * cycle then (next reply, update cadence). The workflow answers with a patch decision, asked
   * only when such a cycle runs; elsewhere (rebuilding a state from the log) the log says which.
   */
  acknowledgeRunningCycles: () => boolean = () => false;
  /** Manual escalations applied but not yet run by the workflow loop (never carried: the loop runs them first). */
  private manualEscalations: Array<{ actionId: string; stepId: string }> = [];

  constructor(facts: TicketFacts, policy: SlaPolicySnapshot | null, carried?: CarriedState) {
    this.facts = facts;
    this.createdAt = Date.parse(facts.createdAt);
    this.status = carried?.status ?? facts.status;
    this.priority = carried?.priority ?? facts.priority;
    this.assignee = carried ? carried.assignee : facts.assignee;
    this.tier = carried?.tier ?? facts.tier;
    this.policy = carried ? carried.policy : policy;
    this.events = carried?.events ?? [];
    this.fired = new Set(carried?.fired ?? []);
    this.recentActionIds = carried?.recentActionIds ?? [];
    this.stateVersion = carried?.stateVersion ?? 0;
    this.acknowledged = carried?.acknowledged ?? {};
    this.hookTypes = carried?.hookTypes ?? [];
    this.csat = { sentAt: null, rating: null, delayMinutes: null, ...carried?.csat };
  }

  /** What Temporal's visibility finds this ticket by (workflows/contract/search-attributes.ts). */
  index(): EntityIndex {
    const deadline = this.finished ? null : nextDeadline(liveClocks(this.plan()).map((c) => c.result));
    return { kind: 'ticket', number: this.facts.number, status: this.status, priority: this.priority, organizationId: this.facts.organizationId, nextDeadline: deadline };
  }

  /** The repeating clocks running a cycle now, not yet acknowledged, when an acknowledgement without a clock may take them. */
  private runningCycleClocks(): ClockName[] {
    const plan = this.plan();
    const running = (['next_reply', 'update'] as const).filter((c) => {
      const cycles = c === 'next_reply' ? plan.nextReply : plan.update;
      const last = cycles[cycles.length - 1];
      return last !== undefined && last.result.metAt === null && !this.isAcknowledged(c);
    });
    return running.length > 0 && this.acknowledgeRunningCycles() ? running : [];
  }

  isAcknowledged(clock: ClockName): boolean {
    return this.acknowledged[clock] !== undefined;
  }

  get finished(): boolean {
    return isFinal(this.status);
  }

  plan(): SlaPlan {
    this.cachedPlan ??= planSla(this.policy, this.createdAt, this.events, { repeatingClocks: hasRepeatingClocks(this.policy) && this.repeatingClocksAllowed() });
    return this.cachedPlan;
  }

  solvedAt(): number | null {
    if (this.status !== 'solved') return null;
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.type === 'status' && e.status === 'solved') return e.at;
    }
    return null;
  }

  autoCloseAt(): number | null {
    const solved = this.solvedAt();
    return solved === null ? null : solved + (this.policy?.autoCloseDays ?? DEFAULT_AUTO_CLOSE_DAYS) * DAY_MS;
  }

  /** The next ladder step with actions not yet fired on an unmet clock (the given one, or the one due first). */
  nextStep(clock: ClockName | null): PlannedStep | null {
    const plan = this.plan();
    const candidates = liveClocks(plan)
      .filter((c) => c.result.metAt === null && (clock === null || c.name === clock))
      .flatMap((c) => c.steps.filter((s) => !this.fired.has(s.id) && s.actions.length > 0).slice(0, 1));
    candidates.sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
    return candidates[0] ?? null;
  }

  /** Manual escalations to run now, each with the step whose actions it runs (under its own ids). */
  takeManualEscalations(): PlannedStep[] {
    const steps = liveClocks(this.plan()).flatMap((c) => c.steps);
    const out = this.manualEscalations.flatMap((m) => {
      const step = steps.find((s) => s.id === m.stepId);
      return step ? [{ ...step, id: manualStepId(step.id, m.actionId) }] : [];
    });
    this.manualEscalations = [];
    return out;
  }

  hasSeen(actionId: string): boolean {
    return this.recentActionIds.includes(actionId);
  }

  /**
   * Everything apply() may change, copied. Ladder progress (fired) is not in it: the loop fires
   * steps on its own, and a step that fired stays fired whatever happens to a change.
   */
  snapshot(): TicketStateSnapshot {
    return {
      status: this.status,
      priority: this.priority,
      assignee: this.assignee,
      tier: this.tier,
      policy: this.policy,
      events: [...this.events],
      recentActionIds: [...this.recentActionIds],
      stateVersion: this.stateVersion,
      acknowledged: { ...this.acknowledged },
      manualEscalations: [...this.manualEscalations],
      csatRating: this.csat.rating,
    };
  }

  /** Back to a snapshot: the live state equals what was stored before a refused change. */
  restore(s: TicketStateSnapshot): void {
    this.status = s.status;
    this.priority = s.priority;
    this.assignee = s.assignee;
    this.tier = s.tier;
    this.policy = s.policy;
    this.events = s.events;
    this.recentActionIds = s.recentActionIds;
    this.stateVersion = s.stateVersion;
    this.acknowledged = s.acknowledged;
    this.manualEscalations = s.manualEscalations;
    this.csat.rating = s.csatRating;
    this.cachedPlan = null;
  }

  /** Throws ActionRejected when the action cannot apply now; never mutates. */
  validate(action: TicketAction): void {
    if (this.hasSeen(action.actionId)) return;
    if (this.finished) throw new ActionRejected('ticket_closed', `ticket is ${this.status} and accepts no more changes`);
    if (action.kind === 'retarget') {
      // A rollout's re-target that would not change the ticket (or would take it back to an older edit) is refused before anything is written.
      const outcome = resolveRetarget(action, this);
      if ('skip' in outcome) throw new ActionRejected(outcome.skip, `re-target not applied: ${outcome.skip}`);
    }
    if (action.kind === 'escalate' && !this.nextStep(action.clock)) {
      throw new ActionRejected('nothing_to_escalate', 'no unmet clock has a ladder step left to escalate to');
    }
    if (action.kind === 'rate') {
      if (this.csat.sentAt === null) throw new ActionRejected('no_survey', 'no satisfaction survey was sent for this ticket');
      if (!Number.isInteger(action.rating) || action.rating < 1 || action.rating > 5) throw new ActionRejected('invalid_rating', 'a rating is a whole number from 1 to 5');
    }
    if (action.kind === 'assign') {
      if (action.ifUnassigned === true && this.assignee !== null) throw new ActionRejected('already_assigned', `ticket is already assigned to ${this.assignee}`);
      if (action.ifAssignee !== undefined && this.assignee !== action.ifAssignee) throw new ActionRejected('assignee_changed', 'ticket is no longer assigned to the agent it was released from');
    }
    if (action.kind === 'set_status') {
      if (action.status === this.status) throw new ActionRejected('no_change', `ticket is already ${this.status}`);
      if (!canTransition(this.status, action.status)) {
        throw new ActionRejected('invalid_transition', `cannot change status from ${this.status} to ${action.status}`);
      }
    }
  }

  /** Applies a validated action at `now` and returns what must be persisted. */
  apply(action: TicketAction, now: number): ApplyChangeInput {
    this.validate(action);
    this.remember(action.actionId);
    const at = new Date(now).toISOString();
    const actor = actorName(action.actor);
    const fields: TicketFieldChanges = {};
    const events: TicketEvent[] = [];
    let comment: CommentInput | undefined;
    let csat: CsatRatingRecord | undefined;
    const event = (suffix: ActionEventSuffix, visibility: EventVisibility, body: TicketEventBody) =>
      events.push({ id: actionEventId(this.facts.id, action.actionId, suffix), ...body, at, actor, visibility });

    switch (action.kind) {
      case 'comment': {
        comment = { id: action.actionId, authorType: action.actor.type, authorName: action.actor.name, body: action.body, public: action.public, at };
        event('comment', action.public ? 'public' : 'internal', {
          type: action.public ? 'comment.public' : 'comment.internal',
          data: { commentId: action.actionId, authorType: action.actor.type },
        });
        if (action.actor.type === 'agent' && action.public && !this.events.some((e) => e.type === 'agent_reply')) {
          this.events.push({ at: now, type: 'agent_reply' });
          event('first-response', 'internal', { type: 'sla.first_response_met', data: {} });
        }
        if (action.public && action.actor.type !== 'system') this.events.push({ at: now, type: 'public_reply', by: action.actor.type });
        const next = statusAfterReply(this.status, action.actor.type, action.public);
        if (next) this.changeStatus(next, now, fields, event);
        break;
      }
      case 'set_status':
        this.changeStatus(action.status, now, fields, event);
        break;
      case 'retarget': {
        const to = resolveRetarget(action, this);
        if ('skip' in to) throw new ActionRejected(to.skip, `re-target not applied: ${to.skip}`);
        event('retarget', 'internal', {
          type: 'ticket.retargeted',
          data: {
            from: { priority: this.priority, tier: this.tier, policy: this.policy?.name ?? null },
            to: { priority: to.priority, tier: to.tier, policy: to.policy?.name ?? null },
            ...(action.rollout && { rolloutId: action.rollout.rolloutId }),
          },
        });
        this.priority = to.priority;
        this.tier = to.tier;
        this.policy = to.policy;
        fields.priority = to.priority;
        fields.policyId = to.policy?.policyId ?? null;
        break;
      }
      case 'assign':
        event('assign', 'internal', { type: 'ticket.assigned', data: { from: this.assignee, to: action.assignee } });
        this.assignee = action.assignee;
        fields.assignee = action.assignee;
        break;
      case 'acknowledge': {
        const clocks: ClockName[] = action.clock ? [action.clock] : ['first_response', 'resolution', ...this.runningCycleClocks()];
        for (const clock of clocks) this.acknowledged[clock] ??= { by: action.actor.name, at, source: action.source };
        event('ack', 'internal', { type: 'sla.acknowledged', data: { clocks, by: action.actor.name, source: action.source } });
        break;
      }
      case 'incident_wait':
        this.events.push({ at: now, type: 'incident_wait', incidentId: action.incidentId, waiting: action.waiting });
        event('incident-wait', 'internal', {
          type: action.waiting ? 'ticket.waiting_on_incident' : 'ticket.incident_wait_ended',
          data: { incidentId: action.incidentId, incidentNumber: action.incidentNumber, pausesSla: this.policy?.pauseOnIncident !== false },
        });
        break;
      case 'escalate': {
        const step = this.nextStep(action.clock)!;
        event('escalate', 'internal', { type: 'sla.escalated_manually', data: { clock: step.clock, percent: step.percent, step: step.id, by: action.actor.name } });
        this.manualEscalations.push({ actionId: action.actionId, stepId: step.id });
        break;
      }
      case 'rate': {
        const { rating, reason, comment: text } = action;
        event('csat', 'public', { type: 'csat.rated', data: { rating, previous: this.csat.rating, reason, comment: text, assignee: this.assignee } });
        this.csat.rating = rating;
        csat = { rating, reason, comment: text, assignee: this.assignee, priority: this.priority, ratedAt: at };
        break;
      }
      case 'edit':
        event('edit', 'public', { type: 'ticket.edited', data: { fields: Object.keys(action.fields) } });
        Object.assign(fields, action.fields);
        break;
    }
    this.cachedPlan = null;
    this.stateVersion += 1;
    return { ticketId: this.facts.id, stateVersion: this.stateVersion, at, fields, sla: this.slaSnapshot(), comment, ...(csat && { csat }), events };
  }

  private changeStatus(
    to: TicketStatus,
    now: number,
    fields: TicketFieldChanges,
    event: (suffix: ActionEventSuffix, visibility: EventVisibility, body: TicketEventBody) => void,
  ): void {
    const from = this.status;
    if (from === to) return;
    // Leaving solved for open is a reopen: a new resolution cycle with the full target.
    if (from === 'solved' && to === 'open') {
      this.events.push({ at: now, type: 'reopen' });
      event('reopen', 'public', { type: 'ticket.reopened', data: {} });
      fields.solvedAt = null;
    }
    this.events.push({ at: now, type: 'status', status: to });
    this.status = to;
    fields.status = to;
    if (to === 'solved') fields.solvedAt = new Date(now).toISOString();
    if (to === 'closed' || to === 'cancelled') fields.closedAt = new Date(now).toISOString();
    event(`status-${to}`, 'public', { type: 'ticket.status_changed', data: { from, to } });
  }

  private remember(actionId: string): void {
    this.recentActionIds.push(actionId);
    if (this.recentActionIds.length > RECENT_ACTION_IDS) this.recentActionIds.splice(0, this.recentActionIds.length - RECENT_ACTION_IDS);
  }

  slaSnapshot(): SlaSnapshot {
    const { firstResponse: fr, resolution: res, nextReply, update } = this.plan();
    const nr = nextReply[nextReply.length - 1];
    const nrRunning = nr !== undefined && nr.result.metAt === null ? nr : null;
    const upd = update[update.length - 1];
    const updRunning = upd !== undefined && upd.result.metAt === null ? upd : null;
    const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
    return {
      frDueAt: iso(fr?.result.dueAt),
      frMetAt: iso(fr?.result.metAt),
      frAtRiskAt: iso(fr?.atRiskAt),
      resDueAt: iso(res?.result.dueAt),
      resMetAt: iso(res?.result.metAt),
      resAtRiskAt: iso(res?.atRiskAt),
      resPausedSince: iso(res?.result.pausedSince),
      ...(updRunning && { updDueAt: iso(updRunning.result.dueAt), updAtRiskAt: iso(updRunning.atRiskAt) }),
      nrDueAt: iso(nrRunning?.result.dueAt),
      nrAtRiskAt: iso(nrRunning?.atRiskAt),
      nrBreaches: nextReply.filter((c) => c.result.breached === true).length,
    };
  }

  inputs(): SlaInputs {
    const solved = this.solvedAt();
    return {
      ticketId: this.facts.id,
      status: this.status,
      priority: this.priority,
      tier: this.tier,
      createdAt: this.facts.createdAt,
      policy: this.policy,
      events: [...this.events],
      fired: [...this.fired],
      solvedAt: solved === null ? null : new Date(solved).toISOString(),
      stateVersion: this.stateVersion,
      acknowledged: this.acknowledged,
    };
  }

  carry(): CarriedState {
    return {
      status: this.status,
      priority: this.priority,
      assignee: this.assignee,
      tier: this.tier,
      policy: this.policy,
      events: this.events,
      fired: [...this.fired],
      recentActionIds: this.recentActionIds,
      stateVersion: this.stateVersion,
      acknowledged: this.acknowledged,
      hookTypes: this.hookTypes,
      csat: { ...this.csat },
    };
  }
}

export function actorName(actor: Actor): string {
  return `${actor.type}:${actor.name}`;
}
