/**
 * The worker bundle of the benchmarks: every Pacer workflow, plus the baseline — a bare
 * workflow of a ticket's shape. It starts with one activity writing a row (a ticket writes its
 * first record through one, FIRST_RECORD_ACTIVITY) and arms a timer; when that timer fires, one
 * local activity writes a row again (as a ladder step's record), stamped with the workflow clock
 * the ticket workflow stamps its ladder events with. Then it sleeps on, open, as a ticket does.
 */
import { proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { BenchActivities } from './bench-activities';

export * from '../workflows';

// The retry policy of the ticket's records (workflows/runtime/activity-proxies.ts `records`, `localRecords`).
const RECORD_OPTIONS = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } } as const;
const firstMark = proxyActivities<BenchActivities>(RECORD_OPTIONS);
const marks = proxyLocalActivities<BenchActivities>(RECORD_OPTIONS);

const OPEN_FOR_MS = 7 * 24 * 3600_000;

export async function bareTicketWorkflow(id: string, dueAtMs: number | null): Promise<void> {
  await firstMark.benchMark({ id, kind: 'created', scheduledAt: null, at: Date.now() });
  if (dueAtMs !== null) {
    await sleep(Math.max(dueAtMs - Date.now(), 1));
    await marks.benchMark({ id, kind: 'breached', scheduledAt: dueAtMs, at: Date.now() });
  }
  await sleep(OPEN_FOR_MS);
}
