/**
 * Updates that reach tickets while a ladder step fires and the worker stops. A step's record is a
 * local activity inside the task its timer woke (LOCAL_STEP_RECORDS), the shape that wedged new
 * tickets when their first record was one (test/faults/update-at-first-task.test.ts): an update
 * arriving while that task is open must not leave a history no worker replays. Each round opens
 * tickets on a one-minute first-response clock with steps at 20% and 40% (12 s and 24 s), sends
 * comments 15 ms apart across each step's instant, and stops and restarts the worker at another
 * offset from it. Then every ticket takes an update, each step and its action are recorded
 * exactly once, and every history replays. `PACER_FAULT_ROUNDS=n` runs 3·n rounds.
 */
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import type { History } from '@temporalio/common/lib/proto-utils';
import { startHarness, workflowBundle, type PacerHarness } from '../support/api-harness';
import { createCalendar, createOrg, createPolicy, createTicket, eventually, instantMs, sleep, ticketWorkflowsRunning } from '../api/api-helpers';
import { act } from '../support/ticket-fixtures';
import { ticketWorkflowId } from '../../workflows/contract/ticket';

const TICKETS_PER_ROUND = 12;
const ROUNDS = 3 * Number(process.env.PACER_FAULT_ROUNDS ?? 1);
const STEP_PERCENTS = [20, 40];
/** Where the worker stops relative to the first ticket's step instant, by round: before, at, after. */
const STOP_OFFSETS_MS = [-80, 0, 60, 140, 260, 400];

const comment = (h: PacerHarness, ticketId: string, body: string) => h.lifecycle.act(ticketId, act.note(body));

interface Opened {
  id: string;
  /** Each step's instant, ms since the epoch, in STEP_PERCENTS order. */
  stepsAt: number[];
}

async function openTickets(h: PacerHarness, organizationId: string): Promise<Opened[]> {
  const opened: Opened[] = [];
  for (let i = 0; i < TICKETS_PER_ROUND; i++) {
    const t = await createTicket(h, { organizationId, priority: 'urgent', subject: `ladder step ${i}` });
    const created = instantMs(t.createdAt);
    const span = instantMs(t.sla.firstResponse.dueAt) - created;
    opened.push({ id: t.id, stepsAt: STEP_PERCENTS.map((p) => created + (span * p) / 100) });
  }
  await ticketWorkflowsRunning(h, opened.map((t) => t.id));
  return opened;
}

/** Comments sent 15 ms apart from just before `at`; the worker stops at `at + stopOffsetMs` and a new one starts. */
async function commentThroughRestartAt(h: PacerHarness, ids: string[], at: number, stopOffsetMs: number, label: string): Promise<void> {
  const startAt = at - 100;
  await sleep(Math.max(0, Math.min(startAt, at + stopOffsetMs) - Date.now()));
  const sent = ids.map(async (id, i) => {
    await sleep(Math.max(0, startAt + i * 15 - Date.now()));
    return comment(h, id, `${label} ${i}`).then(() => null, (err: Error) => err);
  });
  await sleep(Math.max(0, at + stopOffsetMs - Date.now()));
  await h.stopWorker();
  await h.startWorker();
  await Promise.all(sent);
}

async function countsByTicket(h: PacerHarness, ids: string[], type: string): Promise<Map<string, number>> {
  const rows = await h.database.db
    .selectFrom('ticket_events')
    .select(['ticket_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('ticket_id', 'in', ids)
    .where('type', '=', type)
    .groupBy('ticket_id')
    .execute();
  return new Map(rows.map((r) => [r.ticket_id, Number(r.n)]));
}

/**
 * Steps whose record did not land in the task their timer woke: between the TimerFired and the
 * local activity's marker, more than one workflow task completed or an update was accepted. These
 * are the steps the race reached; how many a run reaches depends on timing, so it is reported.
 */
function splitSteps(history: History): { steps: number; split: number } {
  const events = history.events ?? [];
  let steps = 0;
  let split = 0;
  for (const [i, e] of events.entries()) {
    if (!e.timerFiredEventAttributes) continue;
    const j = events.findIndex((x, k) => k > i && x.markerRecordedEventAttributes);
    if (j < 0) continue;
    steps++;
    const between = events.slice(i + 1, j);
    const completed = between.filter((x) => x.workflowTaskCompletedEventAttributes).length;
    if (completed > 1 || between.some((x) => x.workflowExecutionUpdateAcceptedEventAttributes)) split++;
  }
  return { steps, split };
}

async function historiesThatDoNotReplay(h: PacerHarness, ids: string[]): Promise<string[]> {
  const histories: Array<{ workflowId: string; history: History }> = [];
  for (const id of ids) histories.push({ workflowId: ticketWorkflowId(id), history: await h.client.workflow.getHandle(ticketWorkflowId(id)).fetchHistory() });
  const found = histories.map((x) => splitSteps(x.history));
  console.log(`      steps whose record a restart or an update split from their timer's task: ${found.reduce((n, x) => n + x.split, 0)} of ${found.reduce((n, x) => n + x.steps, 0)}`);
  const failed: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) if (r.error) failed.push(`${r.workflowId}: ${r.error.message}`);
  return failed;
}

describe('faults: updates reaching tickets while a ladder step fires and the worker stops', function () {
  this.timeout(ROUNDS * 120_000 + 120_000);
  let h: PacerHarness;
  let organizationId: string;
  const all: string[] = [];

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const calendar = await createCalendar(h, 'always open (ladder-step faults)');
    await createPolicy(h, {
      name: 'starter urgent (ladder-step faults)',
      tier: 'starter',
      priority: 'urgent',
      calendarId: calendar.id,
      firstResponseMinutes: 1,
      resolutionMinutes: 600,
      escalations: STEP_PERCENTS.map((percent) => ({ percent, actions: [{ type: 'notify', role: 'manager' }] })),
    });
    organizationId = (await createOrg(h, 'starter')).id;
  });
  after(async () => h?.close());

  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round + 1} of ${ROUNDS}: each step fires once through two restarts, and every ticket takes an update after them`, async () => {
      const opened = await openTickets(h, organizationId);
      const ids = opened.map((t) => t.id);
      all.push(...ids);
      for (const [s, percent] of STEP_PERCENTS.entries()) {
        const at = Math.min(...opened.map((t) => t.stepsAt[s]!));
        await commentThroughRestartAt(h, ids, at, STOP_OFFSETS_MS[(2 * round + s) % STOP_OFFSETS_MS.length]!, `across the ${percent}% step`);
      }
      const refused: string[] = [];
      for (const id of ids) await comment(h, id, 'after the restarts').catch((err: Error) => refused.push(`${id}: ${String(err.cause ?? err)}`));
      assert.deepEqual(refused, []);

      const want = STEP_PERCENTS.length;
      // Each notify is an action.done beside its step's sla.escalation, both under deterministic ids.
      const steps = await eventually(async () => {
        const [escalations, done] = [await countsByTicket(h, ids, 'sla.escalation'), await countsByTicket(h, ids, 'action.done')];
        return ids.every((id) => (escalations.get(id) ?? 0) >= want && (done.get(id) ?? 0) >= want) && { escalations, done };
      }, 60_000, 'every step and its notify recorded');
      for (const id of ids) {
        assert.equal(steps.escalations.get(id), want, `ticket ${id}: each step recorded once`);
        assert.equal(steps.done.get(id), want, `ticket ${id}: each step's action done once`);
      }
    });
  }

  it('every history the tickets wrote replays', async () => {
    assert.deepEqual(await historiesThatDoNotReplay(h, all), []);
  });
});
