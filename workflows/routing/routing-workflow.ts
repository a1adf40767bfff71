/**
 * One workflow per routing group (`routing:<groupId>`). It holds the group's queue (tickets
 * signalled new, reopened, unassigned or released), and each pass reads a snapshot of the group
 * through an activity, plans with the pure planner, releases and assigns through activities, then
 * sleeps until something changes: a signal, a shift that ends or starts, an away limit. Past a
 * history limit it continues as new carrying its queue.
 *
 * Idempotent: an assignment's decision id is the ticket and the instant it was queued, a
 * release's the ticket, agent and pass instant, all from workflow state; a retried or replayed
 * activity carries the same id, and the ticket workflow and the decisions table take it once.
 */
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { agentChangedSignal, routeTicketSignal, type QueueEntry, type RoutingWorkflowInput } from '../contract/routing';
import type { Activities } from '../../activities';
import type { PendingDelivery } from '../contract/records';
import { webhooks } from '../runtime/activity-proxies';
import { planRouting } from './planner';

/** Continue as new well before the history gets heavy: a busy group makes a few events per ticket. */
const MAX_HISTORY_EVENTS = 2000;
/** With tickets waiting, look again this often even without a signal (an agent's solve frees capacity and signals nobody). */
const QUEUE_RECHECK_MS = 5 * 60_000;

/** Reads and decisions retry without limit: a routed ticket must land in the end. */
const routing = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function routingWorkflow(input: RoutingWorkflowInput): Promise<void> {
  const { groupId } = input;
  const queue = new Map<string, QueueEntry>((input.queue ?? []).map((e) => [e.ticketId, e]));
  let dirty = false;
  let groupGone = false;
  const background = new Set<Promise<unknown>>();
  const deliver = (deliveries: PendingDelivery[]) => {
    for (const d of deliveries) {
      const p: Promise<unknown> = webhooks.deliverWebhook(d).catch(() => undefined).finally(() => background.delete(p));
      background.add(p);
    }
  };
  const enqueue = (ticketId: string, reason: QueueEntry['reason']) => {
    // Queued already: its first queueing stands (and with it the decision id).
    if (!queue.has(ticketId)) queue.set(ticketId, { ticketId, reason, queuedAt: Date.now() });
    dirty = true;
  };
  setHandler(routeTicketSignal, (t) => enqueue(t.ticketId, t.reason));
  setHandler(agentChangedSignal, () => {
    dirty = true;
  });

  for (;;) {
    dirty = false;
    const now = Date.now();
    const asked = [...queue.values()];
    const snapshot = await routing.routingSnapshot({ groupId, now, queue: asked });
    // The group was deleted: nothing to route any more.
    if (!snapshot) {
      groupGone = true;
      break;
    }
    // A queued ticket the snapshot did not return is closed, gone, moved or assigned by hand: it leaves the queue.
    const routable = new Set(snapshot.queued.map((q) => q.ticketId));
    for (const e of asked) if (!routable.has(e.ticketId) && queue.get(e.ticketId) === e) queue.delete(e.ticketId);

    const plan = planRouting(snapshot, now);
    const released = await Promise.all(plan.releases.map((release) => routing.releaseRoutedTicket({ groupId, release, at: now })));
    released.forEach((r, i) => {
      deliver(r.deliveries);
      if (r.outcome === 'released') enqueue(plan.releases[i]!.ticketId, 'released');
    });
    const assigned = await Promise.all(plan.assignments.map((assignment) => routing.assignRoutedTicket({ groupId, assignment, at: now })));
    assigned.forEach((r, i) => {
      deliver(r.deliveries);
      const a = plan.assignments[i]!;
      const entry = queue.get(a.ticketId);
      // Assigned, or taken meanwhile: done with this queueing. The agent was full after all: plan again with what the store says.
      if (r.outcome === 'agent_full') dirty = true;
      else if (entry && entry.queuedAt <= now) queue.delete(a.ticketId);
    });

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) break;
    if (dirty) continue;
    const wakeAt = [plan.wakeAt, queue.size > 0 ? now + QUEUE_RECHECK_MS : null].filter((t): t is number => t !== null).sort((a, b) => a - b)[0];
    if (wakeAt === undefined) await condition(() => dirty);
    else await condition(() => dirty, Math.max(wakeAt - Date.now(), 1));
  }

  await condition(allHandlersFinished);
  await Promise.all([...background]);
  if (!groupGone) await continueAsNew<typeof routingWorkflow>({ ...input, queue: [...queue.values()] });
}
