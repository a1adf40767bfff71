/**
 * The load side of bench:intake, run as its own process so that generating requests does
 * not eat the CPU of the Pacer process being measured. Both phases come from here:
 *   bare — start ticket workflows straight through the Temporal client;
 *   api  — POST /api/v1/tickets through HTTP.
 * Prints one JSON line: {"seconds": …}.
 */
import { Client, Connection } from '@temporalio/client';
import { ticketWorkflowId } from '../workflows/ticket/contract';
import { policy, ticketInput } from '../test/support/ticket-fixtures';

export interface LoadSpec {
  mode: 'bare' | 'api';
  n: number;
  concurrency: number;
  organizationId: string;
  baseUrl: string;
  apiKey: string;
  temporalAddress: string;
  taskQueue: string;
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
  if (spec.mode === 'bare') {
    const connection = await Connection.connect({ address: spec.temporalAddress });
    const client = new Client({ connection });
    seconds = await runConcurrently(spec.n, spec.concurrency, async () => {
      const input = ticketInput(spec.organizationId, Date.now(), policy());
      await client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(input.ticket.id), taskQueue: spec.taskQueue, args: [input] });
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
    });
  }
  console.log(JSON.stringify({ seconds }));
}

if (require.main === module) {
  main(JSON.parse(process.argv[2]!) as LoadSpec).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
