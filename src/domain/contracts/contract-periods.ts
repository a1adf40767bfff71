/**
 * Keeps each contract's period workflow running: a save wakes it (signal-with-start, so it
 * starts if it is not running), and the worker's reconciliation pass starts any that is
 * missing (a save whose wake-up was lost, a first start-up with contracts in the database).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../../db/schema';
import { listContractIds } from '../../db/repositories/contracts';
import { CONTRACT_CHANGED_SIGNAL, contractPeriodsWorkflowId, type ContractPeriodsInput } from '../../../workflows/contract/contract-periods';
import type { PeriodCloser } from './contract-service';

export class ContractPeriodWorkflows implements PeriodCloser {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async ensure(contractId: string): Promise<void> {
    const args: [ContractPeriodsInput] = [{ contractId }];
    await this.client.workflow.signalWithStart('contractPeriodsWorkflow', { workflowId: contractPeriodsWorkflowId(contractId), taskQueue: this.taskQueue, args, signal: CONTRACT_CHANGED_SIGNAL, signalArgs: [] });
  }
}

/** The reconciliation pass: starts the period workflow of every contract that has none running. */
export async function reconcileContractPeriods(deps: { db: Db; client: Client; taskQueue: string }): Promise<string[]> {
  const started: string[] = [];
  for (const contractId of await listContractIds(deps.db)) {
    const args: [ContractPeriodsInput] = [{ contractId }];
    try {
      await deps.client.workflow.start('contractPeriodsWorkflow', { workflowId: contractPeriodsWorkflowId(contractId), taskQueue: deps.taskQueue, args });
      started.push(contractId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return started;
}
