/**
 * One workflow per routing group (`routing:<groupId>`). It holds the group's queue (tickets
 * signalled new, reopened, unassigned or released), and each pass settles what it signalled
 * before, reads a snapshot of the group through an activity, plans with the pure planner, records
 * each assignment's decision through an activity and signals the tickets' workflows itself, then
 * sleeps until something changes: a signal, a shift that ends or starts, an away limit, a
 * signalled action to settle. Past a history limit it continues as new carrying its queue and
 * what it has signalled.
 *
 * Signalled, not updated from an activity: an activity waiting on the ticket's update holds a
 * worker slot that the ticket's own record activity needs, so a busy group stalled its worker
 * (bench:routing, README). A signal is a command of this workflow; nothing waits on the ticket.
 *
 * Idempotent: an assignment's decision id is the ticket and the instant it was queued, a
 * release's the ticket, agent and pass instant, all from workflow state; a retried or replayed
 * activity or a signal sent again carries the same id, and the ticket workflow and the decisions
 * table take it once.
 */
import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ROUTING_ACTOR, agentChangedSignal, routeTicketSignal, type QueueEntry, type RoutingPlan, type RoutingSnapshot, type RoutingWorkflowInput, type SignalledAction, signalledDecisionId, signalledTicketId } from '../contract/routing';
import { ticketActionSignal, ticketWorkflowId, type TicketAction } from '../contract/ticket';
import type { Activities } from '../../activities';
import type { PendingDelivery } from '../contract/records';
import { webhooks } from '../runtime/activity-proxies';
import { planRouting } from './planner';

/** Continue as new well before the history gets heavy: a busy group makes a few events per ticket. */
const MAX_HISTORY_EVENTS = 2000;
/** With tickets waiting, look again this often even without a signal (an agent's solve frees capacity and signals nobody). */
const QUEUE_RECHECK_MS = 5 * 60_000;
/** With signalled actions not yet seen on their tickets, settle them this soon (a ticket records an assignment within a second or so). */
const SETTLE_MS = 1_000;
/** A signalled action still not on its ticket after this long is signalled again (same action id: the ticket takes it once). */
const RESIGNAL_MS = 60_000;
/** Runs started before it assign through the ticket workflow's update from inside an activity (activities/routing-through-updates.ts). */
export const SIGNALS_TICKETS_PATCH = 'routing-signals-tickets';

/** Reads and decisions retry without limit: a routed ticket must land in the end. */
const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
/** Before the patch: each read and decision a regular activity (a round trip through the server each). */
const routing = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: RETRY });
/**
 * After it: local activities, so a whole pass (settle, snapshot, decide, the signals) is one
 * workflow task: short reads and one transaction each, and three server round trips fewer per
 * pass, which is most of a pass's time (bench:routing's stages, README).
 */
const routingLocal = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry: RETRY });

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
  // Asked once, before the first command: a run keeps one way of carrying out its decisions.
  const signalsTickets = patched(SIGNALS_TICKETS_PATCH);
  /** Signalled to a ticket, not yet seen on it, by decision id; with when it was (last) signalled. */
  const signalled = new Map<string, { action: SignalledAction; sentAt: number }>((input.signalled ?? []).map((action) => [signalledDecisionId(action), { action, sentAt: Date.now() }]));
  const assigning = (ticketId: string) => [...signalled.values()].some((s) => s.action.kind === 'assign' && s.action.assignment.ticketId === ticketId);
  const enqueue = (ticketId: string, reason: QueueEntry['reason']) => {
    // Queued already: its first queueing stands (and with it the decision id). Unless an assignment is in flight: a
    // queueing now (unassigned by hand meanwhile, reopened) is a new one, which the snapshot drops if the ticket is held.
    if (!queue.has(ticketId) || assigning(ticketId)) queue.set(ticketId, { ticketId, reason, queuedAt: Date.now() });
    dirty = true;
  };
  setHandler(routeTicketSignal, (t) => enqueue(t.ticketId, t.reason));
  setHandler(agentChangedSignal, () => {
    dirty = true;
  });

  const tell = async (action: SignalledAction) => {
    signalled.set(signalledDecisionId(action), { action, sentAt: Date.now() });
    // A ticket whose workflow has ended takes no signal: settling finds it closed.
    await getExternalWorkflowHandle(ticketWorkflowId(signalledTicketId(action))).signal(ticketActionSignal, ticketActionOf(action)).catch(() => undefined);
  };

  /** Each signalled action that landed (or never will) leaves the map; one still pending long is signalled again. */
  const settle = async () => {
    const actions = [...signalled.values()].map((s) => s.action);
    const settled = await routingLocal.settleRoutedActions({ groupId, actions });
    deliver(settled.deliveries);
    const resend: SignalledAction[] = [];
    settled.outcomes.forEach((outcome, i) => {
      const action = actions[i]!;
      if (outcome === 'pending') {
        if (Date.now() - signalled.get(signalledDecisionId(action))!.sentAt >= RESIGNAL_MS) resend.push(action);
        return;
      }
      signalled.delete(signalledDecisionId(action));
      if (outcome === 'released') enqueue(signalledTicketId(action), 'released');
      // Assigned, or taken meanwhile: done with this queueing.
      if (action.kind === 'assign' && queue.get(signalledTicketId(action))?.queuedAt === action.queuedAt) queue.delete(signalledTicketId(action));
    });
    await Promise.all(resend.map(tell));
  };

  /** The plan carried out by signals: releases at once, assignments once their decision is recorded. */
  const signalPlan = async (plan: RoutingPlan, now: number) => {
    await Promise.all(plan.releases.map((release) => tell({ kind: 'release', release, at: now })));
    const decided = plan.assignments.length ? await routingLocal.decideRoutedAssignments({ groupId, assignments: plan.assignments, at: now }) : [];
    await Promise.all(
      decided.map(async (outcome, i) => {
        const assignment = plan.assignments[i]!;
        const entry = queue.get(assignment.ticketId);
        if (outcome === 'decided') await tell({ kind: 'assign', assignment, at: now, queuedAt: entry?.queuedAt ?? now });
        // The agent was full after all: plan again with what the store says.
        else if (outcome === 'agent_full') dirty = true;
        else if (entry && entry.queuedAt <= now) queue.delete(assignment.ticketId);
      }),
    );
  };

  /** Before the patch: each decision carried out by an activity that updates the ticket's workflow. */
  const applyThroughActivities = async (plan: RoutingPlan, now: number) => {
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
  };

  for (;;) {
    dirty = false;
    if (signalled.size > 0) await settle();
    const now = Date.now();
    // A ticket signalled and not yet settled is planned for no more: neither assigned again nor released again.
    const inFlight = new Set([...signalled.values()].map((s) => signalledTicketId(s.action)));
    const asked = [...queue.values()].filter((e) => !inFlight.has(e.ticketId));
    const snapshot = await (signalsTickets ? routingLocal : routing).routingSnapshot({ groupId, now, queue: asked });
    // The group was deleted: nothing to route any more.
    if (!snapshot) {
      groupGone = true;
      break;
    }
    // A queued ticket the snapshot did not return is closed, gone, moved or assigned by hand: it leaves the queue.
    const routable = new Set(snapshot.queued.map((q) => q.ticketId));
    for (const e of asked) if (!routable.has(e.ticketId) && queue.get(e.ticketId) === e) queue.delete(e.ticketId);

    const plan = planRouting(withoutHeld(snapshot, inFlight), now);
    if (signalsTickets) await signalPlan(plan, now);
    else await applyThroughActivities(plan, now);

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) break;
    if (dirty) continue;
    const wakeAt = [plan.wakeAt, queue.size > 0 ? now + QUEUE_RECHECK_MS : null, signalled.size > 0 ? Date.now() + SETTLE_MS : null]
      .filter((t): t is number => t !== null)
      .sort((a, b) => a - b)[0];
    if (wakeAt === undefined) await condition(() => dirty);
    else await condition(() => dirty, Math.max(wakeAt - Date.now(), 1));
  }

  await condition(allHandlersFinished);
  await Promise.all([...background]);
  if (!groupGone) await continueAsNew<typeof routingWorkflow>({ ...input, queue: [...queue.values()], ...(signalled.size > 0 && { signalled: [...signalled.values()].map((s) => s.action) }) });
}

/** The ticket action a signalled decision is: an assignment only while nobody holds the ticket, a release only while the agent still does. */
function ticketActionOf(action: SignalledAction): TicketAction {
  return action.kind === 'assign'
    ? { kind: 'assign', actionId: action.assignment.decisionId, actor: ROUTING_ACTOR, assignee: action.assignment.agentEmail, ifUnassigned: true }
    : { kind: 'assign', actionId: action.release.decisionId, actor: ROUTING_ACTOR, assignee: null, ifAssignee: action.release.agentEmail };
}

/** The snapshot without the tickets in flight among what agents hold: a release signalled is not planned again. */
function withoutHeld(snapshot: RoutingSnapshot, inFlight: Set<string>): RoutingSnapshot {
  if (inFlight.size === 0) return snapshot;
  return { ...snapshot, agents: snapshot.agents.map((a) => ({ ...a, held: a.held.filter((h) => !inFlight.has(h.ticketId)) })) };
}
