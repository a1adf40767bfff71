/**
 * The worker bundle of the benchmarks: every Pacer workflow, plus the baseline — a bare
 * workflow of a ticket's shape. Its first task runs one local activity writing a row (a
 * ticket's first task writes its record through one) and arms a timer; when that timer
 * fires, one local activity writes a row again, stamped with the workflow clock the ticket
 * workflow stamps its ladder events with. Then it sleeps on, open, as a ticket does.
 */
import { proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { BenchActivities } from './bench-activities';

export * from '../workflows';

// The retry policy of the ticket's first record (workflows/runtime/activity-proxies.ts `startup`).
const marks = proxyLocalActivities<BenchActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const OPEN_FOR_MS = 7 * 24 * 3600_000;

export async function bareTicketWorkflow(id: string, dueAtMs: number | null): Promise<void> {
  await marks.benchMark({ id, kind: 'created', scheduledAt: null, at: Date.now() });
  if (dueAtMs !== null) {
    await sleep(Math.max(dueAtMs - Date.now(), 1));
    await marks.benchMark({ id, kind: 'breached', scheduledAt: dueAtMs, at: Date.now() });
  }
  await sleep(OPEN_FOR_MS);
}
