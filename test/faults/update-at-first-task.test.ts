/**
 * Updates that reach new tickets while the worker stops: every ticket takes updates again once
 * a worker is back, and every history it wrote replays. When a ticket's first record was a
 * local activity, an update that arrived while that first task was open could leave the
 * activity's marker in one workflow task and the code that ran after it in the next — a history
 * no worker replays, so the ticket refused every update for good ("Workflow Task in failed
 * state"). The race is timing-bound: each round stops the worker at another instant
 * (`PACER_FAULT_ROUNDS` rounds; by hand, 3 of 6 rounds wedged a ticket before the fix).
 */
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import type { History } from '@temporalio/common/lib/proto-utils';
import { startHarness, workflowBundle, type PacerHarness } from '../support/api-harness';
import { createOrg, createTicket, ticketWorkflowsRunning } from '../api/api-helpers';
import { act } from '../support/ticket-fixtures';
import { ticketWorkflowId } from '../../workflows/contract/ticket';

const TICKETS_PER_ROUND = 12;
const ROUNDS = 4 * Number(process.env.PACER_FAULT_ROUNDS ?? 1);

const comment = (h: PacerHarness, ticketId: string, body: string) => h.lifecycle.act(ticketId, act.note(body));

async function openTickets(h: PacerHarness, organizationId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < TICKETS_PER_ROUND; i++) ids.push((await createTicket(h, { organizationId, priority: 'urgent', subject: `first task ${i}` })).id);
  await ticketWorkflowsRunning(h, ids);
  return ids;
}

/** Comments sent 15 ms apart; the worker stops `stopAfterMs` into them and a new one starts. */
async function commentThroughRestart(h: PacerHarness, ids: string[], stopAfterMs: number): Promise<void> {
  const sent = ids.map(async (id, i) => {
    await new Promise((resolve) => setTimeout(resolve, i * 15));
    return comment(h, id, `during the restart ${i}`).then(() => null, (err: Error) => err);
  });
  await new Promise((resolve) => setTimeout(resolve, stopAfterMs));
  await h.stopWorker();
  await h.startWorker();
  await Promise.all(sent);
}

async function historiesThatDoNotReplay(h: PacerHarness, ids: string[]): Promise<string[]> {
  const histories: Array<{ workflowId: string; history: History }> = [];
  for (const id of ids) histories.push({ workflowId: ticketWorkflowId(id), history: await h.client.workflow.getHandle(ticketWorkflowId(id)).fetchHistory() });
  const failed: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) if (r.error) failed.push(`${r.workflowId}: ${r.error.message}`);
  return failed;
}

describe('faults: updates reaching new tickets while the worker stops', function () {
  this.timeout(600_000);
  let h: PacerHarness;
  let organizationId: string;
  const all: string[] = [];

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    organizationId = (await createOrg(h, 'premium')).id;
  });
  after(async () => h?.close());

  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round + 1} of ${ROUNDS}: every ticket takes an update after the restart`, async () => {
      const ids = await openTickets(h, organizationId);
      all.push(...ids);
      await commentThroughRestart(h, ids, 60 + 20 * (round % 6));
      const refused: string[] = [];
      for (const id of ids) await comment(h, id, 'after the restart').catch((err: Error) => refused.push(`${id}: ${String(err.cause ?? err)}`));
      assert.deepEqual(refused, []);
    });
  }

  it('every history the tickets wrote replays', async () => {
    assert.deepEqual(await historiesThatDoNotReplay(h, all), []);
  });
});
