/**
 * One workflow per incident. Its timers are the acknowledgement and resolution clocks and
 * the post-mortem reminders: it sleeps until the next of them, wakes for every responder
 * action, fires each due ladder step once (paging on-call until someone acknowledges),
 * persists every change through idempotent activities, and tells linked tickets, PagerDuty
 * and status-page subscribers what changed. It ends when the incident closes.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { records, startup, integrations } from '../runtime/activity-proxies';
import { stepActionEventId, stepEventId, type ActionOutcomeEvent, type IncidentStepEvent } from '../contract/events';
import { ticketActionSignal, ticketWorkflowId, type ActionSpec, type Actor, type TicketAction } from '../contract/ticket';
import { takeActions } from '../runtime/action-handlers';
import { ChangeRefused, REFUSE_POISONED_CHANGES, oneAtATime, refusalOf, refusedChangeEvent, type Refusal } from '../runtime/change-refusal';
import { workflowClock } from '../runtime/workflow-clock';
import { ActionRejected } from '../ticket/ticket-state';
import { stableUuid } from '../runtime/stable-uuid';
import { incidentActionSignal, incidentActionUpdate, incidentStateQuery, type IncidentAction, type IncidentWorkflowInput } from '../contract/incident';
import { dueIncidentSteps, hasUpdateCadence, nextIncidentStepAt, type IncidentStep } from './incident-plan';
import { IncidentState, type IncidentEffect } from './incident-state';

const MAX_HISTORY_EVENTS = 4000;
/** The update cadence arms timers of its own: histories recorded before it replay without. */
export const INCIDENT_UPDATE_CADENCE = 'incident-update-cadence';
const SYSTEM: Actor = { type: 'system', name: 'incident' };

export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<{ status: string }> {
  // Every "now" of this workflow, never behind a timer that fired (workflow-clock.ts says why).
  const time = workflowClock();
  const state = new IncidentState(input.incident, input.policy, input.carried);
  // The update cadence arms timers of its own: asked the first time a policy with one is planned (at start or in its re-target).
  let updateCadence: boolean | null = null;
  state.repeatingClocksAllowed = () => (updateCadence ??= patched(INCIDENT_UPDATE_CADENCE));
  if (hasUpdateCadence(state.policy)) state.repeatingClocksAllowed();
  const number = input.incident.number;
  const background = new Set<Promise<unknown>>();
  let persistChain: Promise<unknown> = Promise.resolve();
  let dirty = false;
  let refusedAutoCloseAt: number | null = null;

  const track = (p: Promise<unknown>) => {
    const tracked = p.catch((err) => log.warn('background work gave up', { error: String(err) })).finally(() => background.delete(tracked));
    background.add(tracked);
  };

  /**
   * A signal to a linked ticket's workflow; a ticket that has ended has nothing left to hear.
   * Signals to one ticket go one after another (the server delivers separate signals in any
   * order), so its customer reads the resolution notice before the ticket is solved.
   */
  const ticketQueues = new Map<string, Promise<unknown>>();
  const tellTicket = (ticketId: string, action: TicketAction) => {
    const sent = (ticketQueues.get(ticketId) ?? Promise.resolve()).then(() =>
      getExternalWorkflowHandle(ticketWorkflowId(ticketId))
        .signal(ticketActionSignal, action)
        .catch((err) => log.info('linked ticket did not take a signal', { ticketId, kind: action.kind, error: String(err) })),
    );
    ticketQueues.set(ticketId, sent);
    track(sent);
  };

  const actor: Actor = { type: 'system', name: `incident ${number}` };
  const carryOut = (effect: IncidentEffect, version: number) => {
    switch (effect.kind) {
      case 'ticket_comment':
        // The action id names the update and the ticket: a repeat of this signal lands once.
        for (const t of effect.ticketIds) tellTicket(t, { kind: 'comment', actionId: stableUuid(`incident-update|${effect.updateId}|${t}`), actor, body: effect.body, public: true });
        break;
      case 'ticket_wait':
        for (const t of effect.ticketIds) {
          tellTicket(t, { kind: 'incident_wait', actionId: stableUuid(`incident-wait|${state.facts.id}|${t}|${version}`), actor, incidentId: state.facts.id, incidentNumber: number, waiting: effect.waiting });
        }
        break;
      case 'ticket_solve':
        for (const t of effect.ticketIds) tellTicket(t, { kind: 'set_status', actionId: stableUuid(`incident-solve|${state.facts.id}|${t}|${version}`), actor, status: 'solved' });
        break;
      case 'alerts':
        track(integrations.settleIncidentAlerts({ incidentId: state.facts.id, how: effect.how }));
        break;
      case 'subscribers':
        track(integrations.notifyStatusSubscribers({ incidentId: state.facts.id, updateId: effect.updateId }));
        break;
    }
  };

  /** The recorded path (before changes could be refused): applied at once, written in order. */
  const applyAtOnce = async (action: IncidentAction) => {
    if (state.hasSeen(action.actionId)) return state.view(time.now());
    const { change, effects } = state.apply(action, time.now());
    dirty = true;
    const done = persistChain.then(() => records.applyIncidentChange(change));
    persistChain = done.catch(() => undefined);
    await done;
    for (const e of effects) carryOut(e, change.stateVersion);
    return state.view(time.now());
  };

  const recordRefusal = async (action: IncidentAction, refusal: Refusal) => {
    const event = refusedChangeEvent(state.facts.id, action, refusal, time.now());
    try {
      await records.recordIncidentEvents({ incidentId: state.facts.id, events: [event] });
    } catch (err) {
      log.warn('could not record a refused change', { actionId: event.data.actionId, error: String(err) });
    }
  };

  /**
   * One change at a time, each applied once the one before it is stored; a change the store
   * refuses for good is taken back, put on the timeline, fails its caller, and carries out none
   * of its effects (linked tickets, PagerDuty, subscribers hear nothing of it).
   */
  const applyInTurn = async (action: IncidentAction) => {
    if (state.hasSeen(action.actionId)) return state.view(time.now());
    const before = state.snapshot();
    const { change, effects } = state.apply(action, time.now());
    dirty = true;
    const done = persistChain.then(() => records.applyIncidentChange(change));
    persistChain = done.catch(() => undefined);
    try {
      await done;
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      state.restore(before);
      dirty = true;
      log.warn('a change was refused by the store and not applied', { actionId: action.actionId, kind: action.kind, failure: refusal.type });
      await recordRefusal(action, refusal);
      throw new ChangeRefused(refusal.type, refusal.reason);
    }
    for (const e of effects) carryOut(e, change.stateVersion);
    return state.view(time.now());
  };
  const inTurn = oneAtATime(applyInTurn);
  const applyAction = (action: IncidentAction) => (patched(REFUSE_POISONED_CHANGES) ? inTurn(action) : applyAtOnce(action));

  takeActions(incidentActionUpdate, incidentActionSignal, (action) => state.validate(action), applyAction);
  setHandler(incidentStateQuery, () => state.view(time.now()));

  if (!input.carried) {
    // Actions signalled with the start run as soon as this yields: their writes queue behind the first record.
    const init = startup.initIncidentRecord({ incident: input.incident, policy: input.policy, change: state.initialChange() });
    persistChain = init.catch(() => undefined);
    await init.catch((err: unknown) => {
      // Without its row the incident cannot be worked: end as failed, saying why, rather than wait forever.
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      log.error('the incident record was refused; the workflow ends without it', { incidentId: state.facts.id, failure: refusal.type, reason: refusal.reason });
      throw ApplicationFailure.nonRetryable(`the incident's record could not be stored: ${refusal.reason}`, 'incident_record_refused');
    });
    if (input.incident.sourceTicketId) carryOut({ kind: 'ticket_wait', ticketIds: [input.incident.sourceTicketId], waiting: true }, 0);
  }

  const runAction = (step: IncidentStep, action: ActionSpec, actionIndex: number) => {
    // Someone owns it: paging stops, and the timeline says why.
    if (action.type === 'page' && state.acknowledged) {
      const event: ActionOutcomeEvent = {
        id: stepActionEventId(state.facts.id, step.id, actionIndex),
        type: 'action.skipped',
        at: new Date(time.now()).toISOString(),
        actor: 'system:ladder',
        visibility: 'internal',
        data: { step: step.id, action, detail: `acknowledged by ${state.acknowledged.by}: no further paging` },
      };
      return track(records.recordIncidentEvents({ incidentId: state.facts.id, events: [event] }));
    }
    track(
      integrations.runIncidentAction({
        incidentId: state.facts.id,
        incidentNumber: number,
        stepId: step.id,
        clock: step.clock,
        percent: step.percent,
        actionIndex,
        action,
        at: new Date(time.now()).toISOString(),
      }),
    );
  };

  const fireStep = async (step: IncidentStep) => {
    state.fired.add(step.id);
    const plan = state.plan();
    const clock = { acknowledgement: plan.acknowledgement, resolution: plan.resolution, update: plan.update }[step.clock];
    const event: IncidentStepEvent = {
      id: stepEventId(state.facts.id, step.id),
      type: step.percent === 100 ? 'incident.sla_breached' : 'incident.escalation',
      at: new Date(time.now()).toISOString(),
      actor: 'system:ladder',
      visibility: 'internal',
      data: {
        number,
        clock: step.clock,
        percent: step.percent,
        severity: state.policy.severity,
        scheduledAt: step.at === null ? null : new Date(step.at).toISOString(),
        dueAt: !clock || clock.result.dueAt === null ? null : new Date(clock.result.dueAt).toISOString(),
        ...(step.clock === 'update' && { cycle: clock?.cycle ?? null }),
      },
    };
    try {
      await records.recordIncidentEvents({ incidentId: state.facts.id, events: [event] });
    } catch (err) {
      // A step event refused for good must not end the workflow (and with it every clock): the step stays fired, its actions run.
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      log.error('a ladder step event was refused by the store', { step: step.id, failure: refusal.type, reason: refusal.reason });
    }
    step.actions.forEach((action, i) => runAction(step, action, i));
  };

  while (!state.finished) {
    const now = time.now();
    for (const step of dueIncidentSteps(state.plan(), state.fired, now)) await fireStep(step);

    const reminderAt = state.nextReminderAt();
    if (reminderAt !== null && reminderAt <= now) {
      const reminder = state.fireReminder(now);
      track(integrations.sendPostmortemReminder({ incidentId: state.facts.id, event: reminder }));
      continue;
    }
    const resolvedCloseAt = state.autoCloseAt();
    // An auto-close the store refused is not tried again for that resolution (it would refuse again, at once).
    const autoCloseAt: number | null = resolvedCloseAt === refusedAutoCloseAt ? null : resolvedCloseAt;
    if (autoCloseAt !== null && autoCloseAt <= now) {
      try {
        await applyAction({ kind: 'update', actionId: stableUuid(`auto-close|${state.facts.id}|${autoCloseAt}`), actor: SYSTEM, status: 'closed', body: 'Closed automatically a week after resolution.', public: false });
      } catch (err) {
        if (!(err instanceof ActionRejected)) throw err;
        if (err instanceof ChangeRefused) refusedAutoCloseAt = autoCloseAt;
      }
      continue;
    }

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) break;

    const wakeAt = [nextIncidentStepAt(state.plan(), state.fired, now), reminderAt, autoCloseAt].filter((t): t is number => t !== null).sort((a, b) => a - b)[0];
    dirty = false;
    if (wakeAt === undefined) await condition(() => dirty);
    else if (!(await condition(() => dirty, Math.max(wakeAt - time.now(), 1)))) time.reached(wakeAt);
  }

  await condition(allHandlersFinished);
  await persistChain;
  await Promise.all([...background]);
  if (!state.finished) {
    return continueAsNew<typeof incidentWorkflow>({ ...input, policy: state.policy, carried: state.carry() });
  }
  return { status: state.status };
}
