/**
 * How a workflow takes its actions: as an update (the caller waits for the action to apply,
 * and a refused one fails the update with its reason before anything is written) or as a
 * signal (inbound webhooks that must answer at once; a refused one is logged and ignored).
 * Tickets and incidents take actions the same way.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, log, setHandler, type SignalDefinition } from '@temporalio/workflow';
import { ActionRejected } from './ticket/ticket-state';

export function takeActions<A extends { actionId: string }, R>(
  update: UpdateDefinition<R, [A]>,
  signal: SignalDefinition<[A]>,
  validate: (action: A) => void,
  apply: (action: A) => Promise<R>,
): void {
  setHandler(update, apply, {
    validator: (action) => {
      try {
        validate(action);
      } catch (err) {
        if (err instanceof ActionRejected) throw ApplicationFailure.nonRetryable(err.message, err.code);
        throw err;
      }
    },
  });
  setHandler(signal, async (action) => {
    try {
      await apply(action);
    } catch (err) {
      if (!(err instanceof ActionRejected)) throw err;
      log.info('ignored a signal that does not apply', { actionId: action.actionId, reason: err.message });
    }
  });
}
