/**
 * The contract-period workflow's contract: one workflow per contract closes each period on
 * time in the contract's zone and freezes its statement. Its activities answer in epoch ms so
 * the workflow computes nothing about zones or months (the domain does, src/domain/contracts).
 */
export interface ContractPeriodsInput {
  contractId: string;
  /** Periods closed in this run; continue-as-new after a year's worth keeps the history short. */
  closedInRun?: number;
}

/** The first period not yet closed, or null when the contract is gone. */
export interface OpenPeriod {
  key: string;
  startMs: number;
  endMs: number;
}

export type CloseOutcome = 'closed' | 'already_closed' | 'not_due' | 'no_contract';

/** Sent on every save of the contract: the terms may have moved the period's end. */
export const CONTRACT_CHANGED_SIGNAL = 'contractChanged';

export function contractPeriodsWorkflowId(contractId: string): string {
  return `contract-periods-${contractId}`;
}
