/** The contract-period workflow's activities: which period is open, and freezing a period's statement (idempotent). */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { ContractService } from '../src/domain/contracts/contract-service';
import type { CloseOutcome, OpenPeriod } from '../workflows/contract/contract-periods';

export function createContractPeriodActivities(db: Kysely<Database>) {
  const contracts = new ContractService(db, null);
  return {
    async nextOpenContractPeriod(input: { contractId: string }): Promise<OpenPeriod | null> {
      const p = await contracts.nextOpenPeriod(input.contractId);
      return p && { key: p.key, startMs: p.start.getTime(), endMs: p.end.getTime() };
    },

    /** `asOfMs`: the workflow's time when its timer fired (the test server's skipped time, in tests). */
    async closeContractPeriod(input: { contractId: string; startMs: number; asOfMs: number }): Promise<CloseOutcome> {
      return contracts.closePeriod(input.contractId, new Date(input.startMs), new Date(input.asOfMs));
    },
  };
}
