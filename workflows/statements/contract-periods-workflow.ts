/**
 * Closes a contract's periods on time: it asks which period is open, sleeps until that
 * period's end (a durable timer, so a worker down at midnight closes it as soon as one is
 * back), freezes the statement, and goes on with the next. A save of the contract wakes it to
 * ask again, since new terms can move the end. Closing is idempotent in the database (one
 * statement per contract and period), so a retried or repeated close freezes nothing twice.
 */
import { condition, continueAsNew, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { CONTRACT_CHANGED_SIGNAL, type ContractPeriodsInput } from '../contract/contract-periods';

const PERIODS_PER_RUN = 12;

const periods = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export const contractChanged = defineSignal(CONTRACT_CHANGED_SIGNAL);

export async function contractPeriodsWorkflow(input: ContractPeriodsInput): Promise<void> {
  let changed = false;
  setHandler(contractChanged, () => {
    changed = true;
  });
  let closed = input.closedInRun ?? 0;
  for (;;) {
    changed = false;
    const open = await periods.nextOpenContractPeriod({ contractId: input.contractId });
    if (open === null) return;
    const wait = open.endMs - Date.now();
    if (wait > 0 && (await condition(() => changed, wait))) continue;
    const outcome = await periods.closeContractPeriod({ contractId: input.contractId, startMs: open.startMs, asOfMs: Date.now() });
    if (outcome === 'no_contract') return;
    // not_due: the terms moved the end (or the worker's clock is behind the timer's); ask again.
    if (outcome === 'not_due') {
      await condition(() => changed, 1_000);
      continue;
    }
    closed += 1;
    if (closed >= PERIODS_PER_RUN) return continueAsNew<typeof contractPeriodsWorkflow>({ contractId: input.contractId, closedInRun: 0 });
  }
}
