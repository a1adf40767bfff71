/** Runs one ladder action through the registry and records its outcome on the ticket's timeline. */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import type { ActionRegistry } from './actions/registry';
import { permanentFailureOf } from '../src/db/failure-classes';
import type { ActionOutcome, PendingDelivery, RunActionInput } from '../workflows/contract/records';
import { insertEvents, recordActionFailure } from '../src/db/repositories/ticket-events';
import { stepActionEventId } from '../workflows/contract/events';
import { countAction } from './ladder-metrics';

export function createLadderActivities(db: Kysely<Database>, registry: ActionRegistry) {
  return {
    async runLadderAction(input: RunActionInput): Promise<{ outcome: ActionOutcome; deliveries: PendingDelivery[] }> {
      let outcome: ActionOutcome;
      try {
        outcome = await registry.run(input);
      } catch (err) {
        // Failed for good: its outcome goes on the timeline (once: the same id an integration may already have written) and the ladder goes on.
        const failure = permanentFailureOf(err);
        countAction('ticket', input.action.type, failure ? 'failed' : 'error');
        if (!failure) throw err;
        await recordActionFailure(db, input, failure.message, { failure: failure.type ?? 'ApplicationFailure' });
        throw failure;
      }
      const deliveries = await insertEvents(db, input.ticketId, [
          {
            id: stepActionEventId(input.ticketId, input.stepId, input.actionIndex),
            type: outcome.status === 'skipped' ? 'action.skipped' : 'action.done',
            at: input.at,
            actor: 'system:ladder',
            visibility: 'internal',
            data: { step: input.stepId, clock: input.clock, percent: input.percent, action: input.action, detail: outcome.detail },
          },
      ]);
      countAction('ticket', input.action.type, outcome.status);
      return { outcome, deliveries };
    },
  };
}
