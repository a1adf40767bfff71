/**
 * One workflow per ticket. Its timers are the SLA clocks: it sleeps until the next ladder
 * step (or auto-close), wakes early for every agent or customer action, re-plans with the
 * pure clock planner, fires each due step exactly once, and persists every change through
 * idempotent activities. Long-lived tickets continue as new with their state carried over.
 */
import { ApplicationFailure, continueAsNew, log, patched, setHandler, sleep } from '@temporalio/workflow';
import { FIRST_RECORD_ACTIVITY, records, localRecords, integrations, webhooks, ladder } from '../runtime/activity-proxies';
import type { PendingDelivery } from '../contract/records';
import { csatLowRatingStepId, stepActionEventId, stepEventId, type ActionOutcomeEvent, type SlaStepEvent, type TicketEvent } from '../contract/events';
import { calendarFor, clockOfStep, dueSteps, hasRepeatingClocks, nextStepAt, type PlannedClock, type PlannedStep } from './clock-plan';
import { slaInputsQuery, ticketActionSignal, ticketActionUpdate, type ActionSpec, type TicketAction, type TicketWorkflowInput } from '../contract/ticket';
import { TicketState } from './ticket-state';
import { takeActions } from '../runtime/action-handlers';
import { refusalOf } from '../runtime/change-refusal';
import { entityRuntime } from '../runtime/entity-loop';
import { workflowClock } from '../runtime/workflow-clock';

/** The next-reply and update-cadence clocks arm timers of their own: histories recorded before them replay without. */
export const REPEATING_CLOCKS = 'next-reply-and-update-cadence';
/** An acknowledgement without a clock also takes a running next-reply or update cycle (its pages stop): before it, first response and resolution only. */
export const ACKNOWLEDGE_RUNNING_CYCLES = 'acknowledge-running-cycles';
/** A solved ticket sends its satisfaction survey after a delay: histories recorded before it replay without the timer or the send. */
export const CSAT_SURVEY = 'csat-survey';
/**
 * A ladder step's record is written by a local activity, in the task the step's timer woke (one
 * three workflow updates per step on the server instead of seven): histories recorded before it replay with the
 * regular activity. Asked at each step, so a running ticket switches at its next step.
 */
export const LOCAL_STEP_RECORDS = 'local-step-records';

const MINUTE = 60_000;

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<{ status: string }> {
  // Every "now" of this workflow, never behind a timer that fired (workflow-clock.ts says why).
  const time = workflowClock();
  const state = new TicketState(input.ticket, input.policy, input.carried);
  // Asked the first time a policy with these clocks is planned (at start, or in the re-target that brings one), never in a validator.
  let repeatingClocks: boolean | null = null;
  state.repeatingClocksAllowed = () => (repeatingClocks ??= patched(REPEATING_CLOCKS));
  if (hasRepeatingClocks(state.policy)) state.repeatingClocksAllowed();
  // Asked the first time an acknowledgement without a clock meets a running next-reply or update cycle (never in a validator).
  let ackRunningCycles: boolean | null = null;
  state.acknowledgeRunningCycles = () => (ackRunningCycles ??= patched(ACKNOWLEDGE_RUNNING_CYCLES));
  // Asked the first time a ticket stands solved with no survey sent, never in a validator.
  let csatSurveys: boolean | null = null;
  /** Solved, survey not sent yet: one is owed once the delay has passed since the solve. */
  const surveyOwed = () => state.status === 'solved' && state.csat.sentAt === null && (csatSurveys ??= patched(CSAT_SURVEY));
  const surveyAt = (): number | null => {
    const solved = state.solvedAt();
    return solved === null || state.csat.delayMinutes === null ? null : solved + state.csat.delayMinutes * MINUTE;
  };
  const entity = entityRuntime({
    id: state.facts.id,
    time,
    state,
    apply: (action: TicketAction, now) => {
      const ratedBefore = state.csat.rating;
      const change = state.apply(action, now);
      return {
        write: () => records.applyTicketChange(change),
        stored: (deliveries: PendingDelivery[]) => {
          deliver(deliveries);
          tellIntegrations(change.events);
          if (action.kind === 'rate') rated(action, ratedBefore, change.at);
        },
      };
    },
    answer: () => state.inputs(),
    recordRefusal: (event) => records.recordEvents({ ticketId: state.facts.id, events: [event] }),
    refusalStored: (deliveries: PendingDelivery[]) => deliver(deliveries),
    historyLimit: input.historyLimit,
    ...(input.indexed === true && { index: () => state.index() }),
  });
  const track = entity.track;
  const deliver = (deliveries: PendingDelivery[]) => deliveries.forEach((d) => track(webhooks.deliverWebhook(d)));
  // Integrations hear only the event types they listen to; with none configured, nothing runs.
  const tellIntegrations = (events: TicketEvent[]) => {
    const wanted = events.filter((e) => state.hookTypes.includes(e.type));
    if (wanted.length) track(integrations.runIntegrationHooks({ ticketId: state.facts.id, events: wanted }));
  };

  takeActions(ticketActionUpdate, ticketActionSignal, (action) => state.validate(action), entity.applyAction);
  setHandler(slaInputsQuery, () => state.inputs());

  if (!input.carried) {
    // Actions signalled with the start run as soon as this yields: their writes queue behind the first record.
    const first = (patched(FIRST_RECORD_ACTIVITY) ? records : localRecords).initTicketRecord({ ticket: input.ticket, policyId: input.policy?.policyId ?? null, sla: state.slaSnapshot() });
    entity.persistAfter(first);
    const init = await first.catch((err: unknown) => {
      // Without its row the ticket cannot be worked: end as failed, saying why, rather than wait forever.
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      log.error('the ticket record was refused; the workflow ends without it', { ticketId: state.facts.id, failure: refusal.type, reason: refusal.reason });
      throw ApplicationFailure.nonRetryable(`the ticket's record could not be stored: ${refusal.reason}`, 'ticket_record_refused');
    });
    state.hookTypes = init.hookTypes;
    deliver(init.deliveries);
    tellIntegrations(init.events);
  }

  /** A rating that became low (1–2, from none or 3–5) runs its actions through the action registry, each once. */
  const rated = (action: Extract<TicketAction, { kind: 'rate' }>, before: number | null, at: string) => {
    if (action.rating > 2 || (before !== null && before <= 2)) return;
    const stepId = csatLowRatingStepId(action.actionId);
    (action.lowRatingActions ?? []).forEach((spec, actionIndex) => {
      const input = { ticketId: state.facts.id, ticketNumber: state.facts.number, stepId, actionIndex, action: spec, rating: action.rating, at, sla: state.slaSnapshot() };
      track(ladder.runCsatAction(input).then(deliver));
    });
  };

  /** The survey goes out once; marked sent before the activity so no later pass of the loop sends it again. */
  const sendSurvey = async () => {
    // A reopen that arrived while a step before it ran cancels it.
    if (!surveyOwed()) return;
    const at = time.now();
    state.csat.sentAt = at;
    deliver(await records.sendCsatSurvey({ ticketId: state.facts.id, at: new Date(at).toISOString() }));
  };
  /** What the survey needs now: the delay from the worker's settings (asked once), or its send when due. */
  const surveyWork = (now: number): Array<() => Promise<void>> => {
    if (!surveyOwed()) return [];
    if (state.csat.delayMinutes === null) {
      return [
        async () => {
          state.csat.delayMinutes = (await records.csatSurveyPlan()).delayMinutes;
        },
      ];
    }
    const at = surveyAt();
    return at !== null && at <= now ? [sendSurvey] : [];
  };

  /** One ladder action as its own activity; non-paging actions may wait for business hours. */
  const runAction = (step: PlannedStep, action: ActionSpec, actionIndex: number) => {
    const base = { ticketId: state.facts.id, ticketNumber: state.facts.number, stepId: step.id, clock: step.clock, percent: step.percent, actionIndex, action };
    const skip = (detail: string) => {
      const at = new Date(time.now()).toISOString();
      const event: ActionOutcomeEvent = { id: stepActionEventId(state.facts.id, step.id, actionIndex), type: 'action.skipped', at, actor: 'system:ladder', visibility: 'internal', data: { step: step.id, action, detail } };
      track(records.recordEvents({ ticketId: state.facts.id, events: [event] }).then(deliver));
    };
    const run = async (delayed: boolean) => {
      const current = clockOfStep(state.plan(), step);
      // A wait for business hours can outlast the problem: drop the action if its clock was met meanwhile.
      if (delayed && (state.finished || !current || current.cycle !== step.cycle || current.result.metAt !== null)) return skip('clock met before business hours');
      const at = new Date(time.now()).toISOString();
      const r = await ladder.runLadderAction({ ...base, at, sla: state.slaSnapshot() });
      deliver(r.deliveries);
    };
    // Someone owns it: paging stops for this clock, and the timeline says why.
    if (action.type === 'page' && state.isAcknowledged(step.clock)) return skip('acknowledged: no further paging');
    const opensAt = action.businessHoursOnly === true && action.type !== 'page' && state.policy ? calendarFor(state.policy).nextOpenAt(time.now()) : null;
    // Paging always goes out at once; other actions marked business-hours-only wait for the window.
    track(opensAt !== null && opensAt > time.now() ? sleep(opensAt - time.now()).then(() => run(true)) : run(false));
  };

  const fireStep = async (step: PlannedStep, clock: PlannedClock) => {
    state.fired.add(step.id);
    const at = new Date(time.now()).toISOString();
    const breach = step.percent === 100;
    const stepEvents: SlaStepEvent[] = [
      {
        id: stepEventId(state.facts.id, step.id),
        type: breach ? 'sla.breached' : 'sla.escalation',
        at,
        actor: 'system:ladder',
        visibility: 'internal',
        data: {
          number: state.facts.number,
          clock: step.clock,
          cycle: step.cycle,
          percent: step.percent,
          scheduledAt: step.at === null ? null : new Date(step.at).toISOString(),
          dueAt: clock.result.dueAt === null ? null : new Date(clock.result.dueAt).toISOString(),
          priority: state.priority,
        },
      },
    ];
    try {
      const recorder = patched(LOCAL_STEP_RECORDS) ? localRecords : records;
      deliver(await recorder.recordEvents({ ticketId: state.facts.id, events: stepEvents }));
    } catch (err) {
      // A step event refused for good must not end the workflow (and with it every clock): the step stays fired, its actions run.
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      log.error('a ladder step event was refused by the store', { step: step.id, failure: refusal.type, reason: refusal.reason });
    }
    tellIntegrations(stepEvents);
    step.actions.forEach((action, actionIndex) => runAction(step, action, actionIndex));
  };

  await entity.run({
    dueSteps: (now) => [...dueSteps(state.plan(), state.fired, now).map(({ step, clock }) => () => fireStep(step, clock)), ...surveyWork(now)],
    afterSteps: () => {
      // "Escalate now": the next step's actions at once, under their own ids; the ladder step itself still fires on time.
      for (const step of state.takeManualEscalations()) step.actions.forEach((action, actionIndex) => runAction(step, action, actionIndex));
      return false;
    },
    autoCloseAt: () => state.autoCloseAt(),
    autoCloseAction: (at) => ({ kind: 'set_status', actionId: `auto-close:${at}`, actor: { type: 'system', name: 'auto-close' }, status: 'closed' }),
    wakeTimes: (now) => [nextStepAt(state.plan(), state.fired, now), surveyOwed() ? surveyAt() : null],
  });
  if (!state.finished) {
    return continueAsNew<typeof ticketWorkflow>({ ...input, policy: state.policy, carried: state.carry() });
  }
  return { status: state.status };
}
