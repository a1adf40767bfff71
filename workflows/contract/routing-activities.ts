/**
 * What the routing workflow asks of its activities (activities/routing.ts implements it), apart
 * from workflows/contract/routing.ts because its answers carry the records' webhook deliveries
 * and the records' events import the routing reasons.
 */
import type { PendingDelivery } from './records';
import type { AssignOutcome, Assignment, DecideOutcome, QueueEntry, Release, ReleaseOutcome, RoutingSnapshot, SettleOutcome, SignalledAction } from './routing';

/** What the routing workflow's activities take and answer (activities/routing.ts implements it); deliveries are the webhooks their events owe. */
export interface RoutingActivities {
  /** The group, its agents and the queue's routable tickets at the workflow's `now`; null when the group no longer exists. */
  routingSnapshot(input: { groupId: string; now: number; queue: QueueEntry[] }): Promise<RoutingSnapshot | null>;
  /** A pass's assignments, each decided once per decision id: re-checked under the agents' locks and recorded; the workflow then signals the tickets. */
  decideRoutedAssignments(input: { groupId: string; assignments: Assignment[]; at: number }): Promise<DecideOutcome[]>;
  /** Each signalled action against the ticket's timeline and row: a landed one gets its `ticket.routed` or `ticket.routing_released`. */
  settleRoutedActions(input: { groupId: string; actions: SignalledAction[] }): Promise<{ outcomes: SettleOutcome[]; deliveries: PendingDelivery[] }>;
  /**
   * Before the `routing-signals-tickets` patch: assigns through the ticket workflow's update
   * from inside the activity. Kept while runs started before the patch may still take it.
   */
  assignRoutedTicket(input: { groupId: string; assignment: Assignment; at: number }): Promise<{ outcome: AssignOutcome; deliveries: PendingDelivery[] }>;
  /** Before the `routing-signals-tickets` patch: releases through the ticket workflow's update. */
  releaseRoutedTicket(input: { groupId: string; release: Release; at: number }): Promise<{ outcome: ReleaseOutcome; deliveries: PendingDelivery[] }>;
}
