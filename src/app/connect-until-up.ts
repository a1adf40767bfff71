/**
 * The worker's connection to Temporal, waited for rather than given up on: a worker process
 * that starts while Temporal is down (a restart of both, a rolling upgrade) keeps trying and
 * starts polling once the frontend answers, instead of exiting with "Pacer failed to start"
 * and leaving the queue without a worker until something restarts it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from '../core/logger';

const FIRST_WAIT_MS = 500;
const LONGEST_WAIT_MS = 10_000;

export async function connectWorkerUntilUp(address: string, log: Logger): Promise<NativeConnection> {
  for (let attempt = 1, wait = FIRST_WAIT_MS; ; attempt++, wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
    try {
      const connection = await NativeConnection.connect({ address });
      if (attempt > 1) log.info({ address, attempts: attempt }, 'Temporal answers again; the worker connects');
      return connection;
    } catch (err) {
      // One line per attempt, without a stack: waiting for Temporal is an outage, not a bug.
      log.warn({ address, attempt, retryInMs: wait, reason: (err as Error).message }, 'Temporal is not answering; the worker waits for it');
      await sleep(wait);
    }
  }
}
