/**
 * Every line an activity logs (its own, its integration client's) carries the workflow, run,
 * activity and attempt, and the ticket, incident or delivery it works on: the ids the console
 * and Temporal's UI show, so a line is found from either.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { withLogFields, type LogFields } from '../core/log-context';

const SUBJECT_KEYS = ['ticketId', 'ticketNumber', 'incidentId', 'deliveryId'] as const;

function subjectOf(arg: unknown): LogFields {
  const out: LogFields = {};
  if (typeof arg !== 'object' || arg === null) return out;
  for (const key of SUBJECT_KEYS) {
    const value: unknown = (arg as Record<string, unknown>)[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

export const activityLogFields: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute: (input, next) => {
      const info = ctx.info;
      const fields: LogFields = {
        ...subjectOf(input.args[0]),
        ...(info.workflowExecution && { workflowId: info.workflowExecution.workflowId, runId: info.workflowExecution.runId }),
        activity: info.activityType,
        activityId: info.activityId,
        attempt: info.attempt,
      };
      return withLogFields(fields, () => next(input));
    },
  },
});
