/**
 * One workflow per incident. Its timers are the acknowledgement and resolution clocks and
 * the post-mortem reminders: it sleeps until the next of them, wakes for every responder
 * action, fires each due ladder step once (paging on-call until someone acknowledges),
 * persists every change through idempotent activities, and tells linked tickets, PagerDuty
 * and status-page subscribers what changed. It ends when the incident closes.
 */
import { ApplicationFailure, continueAsNew, getExternalWorkflowHandle, log, patched, setHandler } from '@temporalio/workflow';
import { FIRST_RECORD_ACTIVITY, records, localRecords, integrations, webhooks } from '../runtime/activity-proxies';
import type { PendingDelivery } from '../contract/records';
import { stepActionEventId, stepEventId, type ActionOutcomeEvent, type IncidentStepEvent } from '../contract/events';
import { ticketActionSignal, ticketWorkflowId, type ActionSpec, type Actor, type TicketAction } from '../contract/ticket';
import { takeActions } from '../runtime/action-handlers';
import { refusalOf } from '../runtime/change-refusal';
import { entityRuntime } from '../runtime/entity-loop';
import { workflowClock } from '../runtime/workflow-clock';
import { stableUuid } from '../runtime/stable-uuid';
import { incidentActionSignal, incidentActionUpdate, incidentStateQuery, type IncidentAction, type IncidentWorkflowInput } from '../contract/incident';
import { dueIncidentSteps, hasUpdateCadence, nextIncidentStepAt, type IncidentStep } from './incident-plan';
import { IncidentState, type IncidentEffect } from './incident-state';

/** The update cadence arms timers of its own: histories recorded before it replay without. */
export const INCIDENT_UPDATE_CADENCE = 'incident-update-cadence';
/** A rollout's re-target is checked against edit versions (and recorded as incident.retargeted): before it, one was a severity change. */
export const INCIDENT_ROLLOUT_RETARGET = 'incident-rollout-retarget';
/** The incident's events are delivered to webhook subscribers: runs recorded before it deliver nothing (asked once, first thing in a run). */
export const INCIDENT_WEBHOOKS = 'incident-webhooks';
const SYSTEM: Actor = { type: 'system', name: 'incident' };

export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<{ status: string }> {
  // Every "now" of this workflow, never behind a timer that fired (workflow-clock.ts says why).
  const time = workflowClock();
  const webhooksOn = patched(INCIDENT_WEBHOOKS);
  const state = new IncidentState(input.incident, input.policy, input.carried);
  // The update cadence arms timers of its own: asked the first time a policy with one is planned (at start or in its re-target).
  let updateCadence: boolean | null = null;
  state.repeatingClocksAllowed = () => (updateCadence ??= patched(INCIDENT_UPDATE_CADENCE));
  if (hasUpdateCadence(state.policy)) state.repeatingClocksAllowed();
  // Asked at each rollout re-target (not cached): the SDK keeps the decision once the marker is recorded.
  state.rolloutRetargetsAllowed = () => patched(INCIDENT_ROLLOUT_RETARGET);
  const number = input.incident.number;
  const entity = entityRuntime({
    id: state.facts.id,
    time,
    state,
    apply: (action: IncidentAction, now) => {
      const { change, effects } = state.apply(action, now);
      return {
        write: () => records.applyIncidentChange(change),
        ...(webhooksOn && { stored: (deliveries: PendingDelivery[] | undefined) => deliver(deliveries) }),
        after: () => {
          for (const e of effects) carryOut(e, change.stateVersion);
        },
      };
    },
    answer: () => state.view(time.now()),
    recordRefusal: (event) => records.recordIncidentEvents({ incidentId: state.facts.id, events: [event] }),
    ...(webhooksOn && { refusalStored: (deliveries: PendingDelivery[] | undefined) => deliver(deliveries) }),
    historyLimit: input.historyLimit,
    ...(input.indexed === true && { index: () => state.index() }),
  });
  const track = entity.track;
  /** Each delivery is its own activity, retried like a ticket's (a day and a half of backoff). */
  const deliver = (deliveries: PendingDelivery[] | undefined) => {
    if (webhooksOn) for (const d of deliveries ?? []) track(webhooks.deliverWebhook(d));
  };
  /** An activity that wrote events answers with their deliveries; before the patch its answer is not waited on for them. */
  const delivering = <T>(written: Promise<T>, deliveriesOf: (w: T) => PendingDelivery[] | undefined): Promise<unknown> =>
    webhooksOn ? written.then((w) => deliver(deliveriesOf(w))) : written;

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

  takeActions(incidentActionUpdate, incidentActionSignal, (action) => state.validate(action), entity.applyAction);
  setHandler(incidentStateQuery, () => state.view(time.now()));

  if (!input.carried) {
    // Actions signalled with the start run as soon as this yields: their writes queue behind the first record.
    const init = (patched(FIRST_RECORD_ACTIVITY) ? records : localRecords).initIncidentRecord({ incident: input.incident, policy: input.policy, change: state.initialChange() });
    entity.persistAfter(init);
    if (webhooksOn) void init.then(deliver, () => undefined);
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
      return track(delivering(records.recordIncidentEvents({ incidentId: state.facts.id, events: [event] }), (d) => d));
    }
    track(delivering(
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
      (outcome) => outcome.deliveries,
    ));
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
      deliver(await records.recordIncidentEvents({ incidentId: state.facts.id, events: [event] }));
    } catch (err) {
      // A step event refused for good must not end the workflow (and with it every clock): the step stays fired, its actions run.
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      log.error('a ladder step event was refused by the store', { step: step.id, failure: refusal.type, reason: refusal.reason });
    }
    step.actions.forEach((action, i) => runAction(step, action, i));
  };

  await entity.run({
    dueSteps: (now) => dueIncidentSteps(state.plan(), state.fired, now).map((step) => () => fireStep(step)),
    afterSteps: (now) => {
      const reminderAt = state.nextReminderAt();
      if (reminderAt === null || reminderAt > now) return false;
      const reminder = state.fireReminder(now);
      track(delivering(integrations.sendPostmortemReminder({ incidentId: state.facts.id, event: reminder }), (r) => r.deliveries));
      return true;
    },
    autoCloseAt: () => state.autoCloseAt(),
    autoCloseAction: (at) => ({ kind: 'update', actionId: stableUuid(`auto-close|${state.facts.id}|${at}`), actor: SYSTEM, status: 'closed', body: 'Closed automatically a week after resolution.', public: false }),
    wakeTimes: (now) => [nextIncidentStepAt(state.plan(), state.fired, now), state.nextReminderAt()],
  });
  if (!state.finished) {
    return continueAsNew<typeof incidentWorkflow>({ ...input, policy: state.policy, carried: state.carry() });
  }
  return { status: state.status };
}
