/**
 * The load side of bench:intake (and of the benchmarks that open tickets first), run as its
 * own process so that generating requests does not eat the CPU of the Pacer process being
 * measured. Both phases come from here, `concurrency` requests outstanding at a time:
 *   bare — start bare workflows of a ticket's shape (bench/bench-workflows.ts) straight
 *          through the Temporal client;
 *   api  — POST /api/v1/tickets through HTTP.
 * Prints one JSON line: IntakeLoadResult.
 */
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadSpecOf } from './load-spec';

export interface LoadSpec {
  mode: 'bare' | 'api';
  n: number;
  concurrency: number;
  organizationId: string;
  baseUrl: string;
  apiKey: string;
  temporalAddress: string;
  namespace?: string;
  taskQueue: string;
}

export interface IntakeLoadResult {
  /** From the first request sent to the last answer. */
  seconds: number;
  /** Epoch ms of the first request. */
  startedAt: number;
  /** Ticket ids (api) or bare workflow ids (bare), in the order they were answered. */
  ids: string[];
}

export async function runConcurrently(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(spec: LoadSpec): Promise<void> {
  let seconds: number;
  const ids: string[] = [];
  const startedAt = Date.now();
  if (spec.mode === 'bare') {
    const connection = await Connection.connect({ address: spec.temporalAddress });
    const client = new Client({ connection, namespace: spec.namespace ?? 'default' });
    const batch = crypto.randomBytes(4).toString('hex');
    seconds = await runConcurrently(spec.n, spec.concurrency, async (i) => {
      const id = `bench-bare-${batch}-${i}`;
      await client.workflow.start('bareTicketWorkflow', { workflowId: id, taskQueue: spec.taskQueue, args: [id, null] });
      ids.push(id);
    });
    await connection.close();
  } else {
    seconds = await runConcurrently(spec.n, spec.concurrency, async (i) => {
      const res = await fetch(`${spec.baseUrl}/api/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${spec.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          subject: `Checkout fails #${i}`,
          description: 'Customers see an error at payment',
          requester: { email: `c${i}@bench.test` },
          organizationId: spec.organizationId,
        }),
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${body}`);
      ids.push((JSON.parse(body) as { id: string }).id);
    });
  }
  console.log(JSON.stringify({ seconds, startedAt, ids } satisfies IntakeLoadResult));
}

if (require.main === module) {
  main(loadSpecOf<LoadSpec>()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
