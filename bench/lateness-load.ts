/**
 * The load side of bench:lateness, its own process: creates tickets through the API
 * (priorities in turn, so their first-response breaches come due spread over a window),
 * and for every `baselineEvery`-th ticket starts the bare sleeper workflow on the same task
 * queue, sleeping until that ticket's first-response due instant.
 * Prints one JSON line: {"seconds": …, "sleepers": [workflow ids]}.
 */
import { Client, Connection } from '@temporalio/client';
import { runConcurrently } from './intake-load';

export interface LatenessLoadSpec {
  n: number;
  concurrency: number;
  priorities: string[];
  baselineEvery: number;
  organizationId: string;
  baseUrl: string;
  apiKey: string;
  temporalAddress: string;
  taskQueue: string;
}

async function main(spec: LatenessLoadSpec): Promise<void> {
  const connection = await Connection.connect({ address: spec.temporalAddress });
  const client = new Client({ connection });
  const sleepers: string[] = [];
  const seconds = await runConcurrently(spec.n, spec.concurrency, async (i) => {
    const res = await fetch(`${spec.baseUrl}/api/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${spec.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        subject: `Export stalls #${i}`,
        description: 'Measured by bench:lateness',
        priority: spec.priorities[i % spec.priorities.length],
        requester: { email: `c${i}@bench.test` },
        organizationId: spec.organizationId,
      }),
    });
    const body = (await res.json()) as { id: string; sla: { firstResponse: { dueAt: string | null } } };
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(body)}`);
    if (i % spec.baselineEvery !== 0) return;
    const due = body.sla.firstResponse.dueAt;
    if (due === null) throw new Error('the ticket has no first-response due instant: is the policy in place?');
    const workflowId = `bench-sleep-${body.id}`;
    await client.workflow.start('sleepUntilWorkflow', { workflowId, taskQueue: spec.taskQueue, args: [Date.parse(due)] });
    sleepers.push(workflowId);
  });
  await connection.close();
  console.log(JSON.stringify({ seconds, sleepers }));
}

if (require.main === module) {
  main(JSON.parse(process.argv[2]!) as LatenessLoadSpec).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
