/**
 * One workflow per saved edit: it walks the affected open tickets a page at a time (keyset on
 * the ticket id), has each re-targeted by an activity that sends the ticket's workflow a
 * re-target update, and records the running totals. Each page is its own run (continue-as-new
 * between pages), so a worker killed anywhere resumes at the page it was on; re-sending a page
 * is harmless because every update carries the same action id per ticket and rollout.
 */
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { MAX_RECORDED_FAILURES, type RolloutInput, type RolloutProgress } from '../contract/rollout';

const DEFAULT_PAGE_SIZE = 200;

/** Reads and records retry without limit: a rollout must reach every ticket in the end. */
const rollouts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function rolloutWorkflow(input: RolloutInput): Promise<RolloutProgress> {
  const limit = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const progress: RolloutProgress = input.progress ?? { done: 0, unchanged: 0, failed: 0, failures: [] };
  if (!input.progress) await rollouts.countRolloutTargets({ rolloutId: input.rolloutId, kind: input.kind, targetId: input.targetId });

  const page = await rollouts.readRolloutPage({ kind: input.kind, targetId: input.targetId, after: input.after ?? null, limit });
  if (page.ticketIds.length) {
    const outcomes = await rollouts.retargetRolloutPage({ rolloutId: input.rolloutId, kind: input.kind, targetId: input.targetId, ticketIds: page.ticketIds });
    for (const o of outcomes) {
      if (o.outcome === 'done') progress.done += 1;
      else if (o.outcome === 'unchanged') progress.unchanged += 1;
      else {
        progress.failed += 1;
        if (progress.failures.length < MAX_RECORDED_FAILURES) progress.failures.push({ id: o.ticketId, reason: o.reason });
      }
    }
  }
  const last = page.ticketIds.length < limit;
  await rollouts.recordRolloutProgress({ rolloutId: input.rolloutId, progress, finished: last });
  if (last) return progress;
  return continueAsNew<typeof rolloutWorkflow>({ ...input, after: page.ticketIds[page.ticketIds.length - 1]!, progress });
}
