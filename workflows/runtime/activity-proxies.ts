/**
 * How workflows call activities, in one place so tickets and incidents retry alike.
 * Deterministic code only: these are proxies, the activities themselves run in the worker.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

/** Records must land: retry without limit, backing off to a minute. */
export const records = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * Records written inside the workflow's own task, with no round trip through the server's task
 * queues: a ladder step's record (as a regular activity it cost the single-shard dev server 7
 * workflow updates instead of 3), and the first record of histories from before
 * FIRST_RECORD_ACTIVITY.
 */
export const localRecords = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * A new ticket's or incident's first record is a regular activity, so its first task ends at once
 * instead of staying open while the record is written. An update that reached a first task held
 * open by that local activity could leave a history no worker replays (the activity's marker in
 * one task, the code that ran after it in the next; test/faults/update-at-first-task.test.ts), and
 * the ticket then refused every update for good. Histories from before it replay with the local one.
 */
export const FIRST_RECORD_ACTIVITY = 'first-record-activity';
/** Outside services (paging, posts, mail): retried for a long while, each effect carried out once. */
export const integrations = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 30 },
});
/** Subscribers get about a day and a half of retries before a delivery is given up (and left visible). */
export const webhooks = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 hours', maximumAttempts: 25 },
});
/** A ladder action: retried without limit, since a due step must happen. */
export const ladder = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
