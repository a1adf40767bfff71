/**
 * A change the store refused for good. The record activities retry without limit, so the only
 * failure that reaches the workflow is a non-retryable one (bad data, a violated constraint):
 * the change is taken back, written on the timeline as `change.refused`, and its caller told.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { refusalEventId, type ChangeRefusedEvent } from '../contract/events';
import type { Actor } from '../contract/ticket';
import { ActionRejected, actorName } from '../ticket/ticket-state';
import { storableText } from '../contract/storable-text';

/** Marks the patched() path: changes apply one at a time, and a refused one is rolled back. */
export const REFUSE_POISONED_CHANGES = 'refuse-poisoned-changes';

export class ChangeRefused extends ActionRejected {
  constructor(
    readonly failureType: string,
    readonly reason: string,
  ) {
    super('change_refused', `the change could not be stored and was not applied: ${reason}`);
  }
}

/** The refusal inside a failed record write, or null when the error is something else. */
export function refusalOf(err: unknown): { type: string; reason: string } | null {
  // A local activity's failure arrives as the activity's own ApplicationFailure, unwrapped.
  if (err instanceof ApplicationFailure && err.nonRetryable) return { type: err.type ?? 'ApplicationFailure', reason: storableText(err.message) };
  if (!(err instanceof ActivityFailure)) return null;
  const cause = err.cause;
  const type = cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : (cause?.name ?? 'ActivityFailure');
  return { type, reason: storableText(cause?.message ?? err.message) };
}

export type Refusal = { type: string; reason: string };

/** The refusal on the timeline, in words and kinds only: never the refused text itself. */
export function refusedChangeEvent(entityId: string, action: { actionId: string; kind: string; actor: Actor }, refusal: Refusal, at: number): ChangeRefusedEvent {
  return {
    id: refusalEventId(entityId, action.actionId),
    type: 'change.refused',
    at: new Date(at).toISOString(),
    actor: storableText(actorName(action.actor), 200),
    visibility: 'internal',
    data: { kind: action.kind, actionId: storableText(action.actionId, 100), failure: refusal.type, reason: refusal.reason },
  };
}

/** Runs each call only after the one before it settled, so changes apply one at a time. */
export function oneAtATime<A, R>(run: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (arg) => {
    const turn = last.then(() => run(arg));
    last = turn.catch(() => undefined);
    return turn;
  };
}
