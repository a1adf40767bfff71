/**
 * How a workflow takes its actions: as an update (the caller waits for the action to apply,
 * and a refused one fails the update with its reason before anything is written) or as a
 * signal (inbound webhooks that must answer at once; a refused one is logged and ignored).
 * Tickets and incidents take actions the same way.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, log, setHandler, type SignalDefinition } from '@temporalio/workflow';
import { ActionRejected } from '../ticket/ticket-state';

/** A refusal as the update's failure: any other error thrown by an update handler would fail the workflow task instead. */
function asUpdateFailure(err: unknown): unknown {
  return err instanceof ActionRejected ? ApplicationFailure.nonRetryable(err.message, err.code) : err;
}

export function takeActions<A extends { actionId: string }, R>(
  update: UpdateDefinition<R, [A]>,
  signal: SignalDefinition<[A]>,
  validate: (action: A) => void,
  apply: (action: A) => Promise<R>,
): void {
  setHandler(
    update,
    async (action) => {
      try {
        return await apply(action);
      } catch (err) {
        throw asUpdateFailure(err);
      }
    },
    {
      validator: (action) => {
        try {
          validate(action);
        } catch (err) {
          throw asUpdateFailure(err);
        }
      },
    },
  );
  setHandler(signal, async (action) => {
    try {
      await apply(action);
    } catch (err) {
      if (!(err instanceof ActionRejected)) throw err;
      log.info('ignored a signal that does not apply', { actionId: action.actionId, reason: err.message });
    }
  });
}
