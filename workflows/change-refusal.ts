/**
 * A change the store refused for good. The record activities retry without limit, so the only
 * failure that reaches the workflow is a non-retryable one (bad data, a violated constraint):
 * the change is taken back, written on the timeline as `change.refused`, and its caller told.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { ActionRejected } from './ticket/ticket-state';
import { storableText } from './util/storable-text';

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
