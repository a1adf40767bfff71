/**
 * The load side of bench:lateness, its own process: opens `n` tickets at a steady `rate`
 * per second, open-loop (item i is due to be sent at start + i/rate whatever the earlier
 * ones do, at most `maxInFlight` outstanding), either through the API (mode pacer: each
 * ticket's first-response clock falls due `leadMinutes` after its creation) or as bare
 * workflows started through the Temporal client on the same task queue, each with a timer
 * to its start + `leadMinutes` (mode bare). So the breaches fall due at `rate` per second.
 * Prints one JSON line: LatenessLoadResult.
 */
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadSpecOf } from './load-spec';

export interface LatenessLoadSpec {
  mode: 'pacer' | 'bare';
  n: number;
  rate: number;
  leadMinutes: number;
  maxInFlight: number;
  priority: string;
  organizationId: string;
  baseUrl: string;
  apiKey: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
}

export interface LatenessItem {
  /** Ticket id, or the bare workflow's id. */
  id: string;
  /** When the request was sent (epoch ms). */
  sentAt: number;
  /** The breach instant (epoch ms). */
  dueAt: number;
}

export interface LatenessLoadResult {
  items: LatenessItem[];
  /** Epoch ms of the first send and of the last answer. */
  startedAt: number;
  endedAt: number;
  /** How far behind its due send instant a request left (in-flight cap, a busy event loop). */
  maxSendLagMs: number;
}

/** Sends task(i) at start + i/rate, open-loop, with at most maxInFlight outstanding. */
export async function paced(n: number, rate: number, maxInFlight: number, task: (i: number, sentAt: number) => Promise<void>): Promise<{ startedAt: number; maxSendLagMs: number }> {
  const startedAt = Date.now();
  let maxSendLagMs = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const pending: Promise<void>[] = [];
  let failure: unknown;
  for (let i = 0; i < n; i++) {
    const due = startedAt + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= maxInFlight) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    const sentAt = Date.now();
    maxSendLagMs = Math.max(maxSendLagMs, sentAt - due);
    inFlight++;
    pending.push(
      task(i, sentAt)
        .catch((err: unknown) => void (failure ??= err))
        .finally(() => {
          inFlight--;
          wake?.();
        }),
    );
  }
  await Promise.all(pending);
  if (failure) throw failure;
  return { startedAt, maxSendLagMs };
}

async function main(spec: LatenessLoadSpec): Promise<void> {
  const items: LatenessItem[] = [];
  const leadMs = spec.leadMinutes * 60_000;
  let run: { startedAt: number; maxSendLagMs: number };
  if (spec.mode === 'bare') {
    const connection = await Connection.connect({ address: spec.temporalAddress });
    const client = new Client({ connection, namespace: spec.namespace });
    const batch = crypto.randomBytes(4).toString('hex');
    run = await paced(spec.n, spec.rate, spec.maxInFlight, async (i, sentAt) => {
      const id = `bench-bare-${batch}-${i}`;
      const dueAt = sentAt + leadMs;
      await client.workflow.start('bareTicketWorkflow', { workflowId: id, taskQueue: spec.taskQueue, args: [id, dueAt] });
      items.push({ id, sentAt, dueAt });
    });
    await connection.close();
  } else {
    run = await paced(spec.n, spec.rate, spec.maxInFlight, async (i, sentAt) => {
      const res = await fetch(`${spec.baseUrl}/api/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${spec.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          subject: `Export stalls #${i}`,
          description: 'Measured by bench:lateness',
          priority: spec.priority,
          requester: { email: `c${i}@bench.test` },
          organizationId: spec.organizationId,
        }),
      });
      const body = (await res.json()) as { id: string; sla: { firstResponse: { dueAt: string | null } } };
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(body)}`);
      const due = body.sla.firstResponse.dueAt;
      if (due === null) throw new Error('the ticket has no first-response due instant: is the policy in place?');
      items.push({ id: body.id, sentAt, dueAt: Date.parse(due) });
    });
  }
  console.log(JSON.stringify({ items, startedAt: run.startedAt, endedAt: Date.now(), maxSendLagMs: run.maxSendLagMs } satisfies LatenessLoadResult));
}

if (require.main === module) {
  main(loadSpecOf<LatenessLoadSpec>()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
