/**
 * What the routing workflow asks of its activities (activities/routing.ts implements it), apart
 * from workflows/contract/routing.ts because its answers carry the records' webhook deliveries
 * and the records' events import the routing reasons.
 */
import type { PendingDelivery } from './records';
import type { AssignOutcome, Assignment, QueueEntry, Release, ReleaseOutcome, RoutingSnapshot } from './routing';

/** What the routing workflow's activities take and answer (activities/routing.ts implements it); deliveries are the webhooks their events owe. */
export interface RoutingActivities {
  /** The group, its agents and the queue's routable tickets at the workflow's `now`; null when the group no longer exists. */
  routingSnapshot(input: { groupId: string; now: number; queue: QueueEntry[] }): Promise<RoutingSnapshot | null>;
  /** Assigns once per decision id: re-checks under the agent's lock, records the decision, updates the ticket's workflow, writes `ticket.routed`. */
  assignRoutedTicket(input: { groupId: string; assignment: Assignment; at: number }): Promise<{ outcome: AssignOutcome; deliveries: PendingDelivery[] }>;
  /** Takes the ticket back from the agent (only while still theirs), records the decision, writes `ticket.routing_released`. */
  releaseRoutedTicket(input: { groupId: string; release: Release; at: number }): Promise<{ outcome: ReleaseOutcome; deliveries: PendingDelivery[] }>;
}
