/**
 * The worker bundle of bench:lateness: every Pacer workflow, plus the baseline — a bare
 * workflow that only sleeps until an instant and answers how late it woke, by the same
 * workflow clock the ticket workflow stamps its ladder events with.
 */
import { sleep } from '@temporalio/workflow';

export * from '../workflows';

export async function sleepUntilWorkflow(untilMs: number): Promise<number> {
  await sleep(Math.max(untilMs - Date.now(), 1));
  return Date.now() - untilMs;
}
