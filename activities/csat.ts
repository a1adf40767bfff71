/**
 * The satisfaction survey's activities: the delay the worker is configured with, the send
 * (the survey's row, its event and the integrations that deliver it, each once however often
 * the activity is retried), and a low rating's actions through the action registry.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import type { CsatSettings } from '../src/core/csat-settings';
import { once } from '../src/db/effects';
import { insertSurvey } from '../src/db/repositories/csat-surveys';
import { insertEvents } from '../src/db/repositories/ticket-events';
import { permanentFailureOf } from '../src/db/failure-classes';
import { csatSurveyEventId, stepActionEventId, type ActionOutcomeEvent, type CsatSurveySentEvent } from '../workflows/contract/events';
import type { CsatActionInput, PendingDelivery, SendCsatSurveyInput } from '../workflows/contract/records';
import type { ActionRegistry } from './actions/registry';
import type { HookRegistry } from './hooks';

const DAY_MS = 86_400_000;

export interface CsatActivityDeps {
  db: Kysely<Database>;
  settings: CsatSettings;
  hooks: HookRegistry;
  actions: ActionRegistry;
}

export function createCsatActivities(deps: CsatActivityDeps) {
  const { db } = deps;
  return {
    async csatSurveyPlan(): Promise<{ delayMinutes: number }> {
      return { delayMinutes: deps.settings.delayMinutes };
    },

    async sendCsatSurvey(input: SendCsatSurveyInput): Promise<PendingDelivery[]> {
      const { event, deliveries } = await db.transaction().execute(async (tx) => {
        // Whole seconds: the link carries its expiry in seconds, and so says exactly when the row does.
        const expiry = new Date(Math.floor((Date.parse(input.at) + deps.settings.linkDays * DAY_MS) / 1000) * 1000);
        const expiresAt = await insertSurvey(tx, input.ticketId, input.at, expiry.toISOString());
        const sent: CsatSurveySentEvent = { id: csatSurveyEventId(input.ticketId), type: 'csat.survey_sent', at: input.at, actor: 'system:csat', visibility: 'public', data: { expiresAt: expiresAt.toISOString() } };
        return { event: sent, deliveries: await insertEvents(tx, input.ticketId, [sent]) };
      });
      // The email (when mail is configured) goes out through its integration's hook, once per survey.
      for (const handler of deps.hooks.handlersFor(event.type)) {
        await once(db, `hook:${event.id}:${handler.name}`, async () => {
          await handler.handle({ ticketId: input.ticketId, event });
          return { done: true };
        });
      }
      return deliveries;
    },

    async runCsatAction(input: CsatActionInput): Promise<PendingDelivery[]> {
      const base = { step: input.stepId, action: input.action, trigger: 'csat.low_rating' };
      const outcome = (type: ActionOutcomeEvent['type'], detail: string, failure?: string): ActionOutcomeEvent => ({
        id: stepActionEventId(input.ticketId, input.stepId, input.actionIndex),
        type,
        at: input.at,
        actor: 'system:csat',
        visibility: 'internal',
        data: { ...base, detail, ...(failure && { failure }) },
      });
      const run = { ticketId: input.ticketId, ticketNumber: input.ticketNumber, stepId: input.stepId, clock: 'resolution' as const, percent: 0, actionIndex: input.actionIndex, action: input.action, at: input.at, sla: input.sla };
      try {
        const done = await deps.actions.run(run);
        return await insertEvents(db, input.ticketId, [outcome(done.status === 'skipped' ? 'action.skipped' : 'action.done', `rating ${input.rating}: ${done.detail}`)]);
      } catch (err) {
        const failure = permanentFailureOf(err);
        if (!failure) throw err;
        await insertEvents(db, input.ticketId, [outcome('action.failed', failure.message, failure.type ?? 'ApplicationFailure')]);
        throw failure;
      }
    },
  };
}
