/**
 * Intake into routing, from the ticket's record activities (no new command in the ticket
 * workflow): a new, reopened or unassigned ticket is matched against the routing rules on its
 * row, keeps the group and skills the rule chose, gets a 'queued' decision naming the rule, and
 * is signalled to the group's routing workflow (started if none runs). A ticket that leaves an
 * agent's hands (solved, closed, handed on) tells its group: capacity was freed.
 *
 * Idempotent: the decision id is the ticket and the change that queued it; a repeated signal
 * finds the ticket queued already (or assigned: the snapshot drops it).
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../src/db/schema';
import { listEnabledRoutingRules } from '../src/db/repositories/routing-rules';
import { insertRoutingDecision, setTicketRouting } from '../src/db/repositories/routing-decisions';
import { OPEN_STATUSES } from '../src/db/repositories/ticket-gauges';
import { matchRule } from '../src/domain/routing/rule-match';
import type { ApplyChangeInput } from '../workflows/contract/records';
import { ROUTING_ACTOR, agentChangedSignal, routeTicketSignal, routingWorkflowId, type RouteReason } from '../workflows/contract/routing';
import type { RoutingWorkflowInput } from '../workflows/contract/routing';

type Db = Kysely<Database> | Transaction<Database>;
const ROUTING_ACTOR_NAME = `${ROUTING_ACTOR.type}:${ROUTING_ACTOR.name}`;

/** `queued:<ticket>:<key>`: the change (created, or a state version) that queued the ticket. */
function queuedDecisionId(ticketId: string, key: string): string {
  return `queued:${ticketId}:${key}`;
}

/** Matches the ticket's row against the rules and queues it in the matching group; nothing when no rule matches or someone holds it. */
export async function routeFromIntake(db: Db, ticketId: string, reason: RouteReason, key: string): Promise<void> {
  const rules = await listEnabledRoutingRules(db);
  if (rules.length === 0) return;
  const t = await db
    .selectFrom('tickets as t')
    .innerJoin('organizations as o', 'o.id', 't.organization_id')
    .select(['t.id', 't.organization_id', 'o.tier', 't.priority', 't.category', 't.channel', 't.language', 't.subject', 't.assignee', 't.status'])
    .where('t.id', '=', ticketId)
    .executeTakeFirst();
  if (!t || t.assignee !== null || !(OPEN_STATUSES as readonly string[]).includes(t.status)) return;
  const match = matchRule(
    rules.map((r) => ({ id: r.id, name: r.name, enabled: r.enabled, conditions: r.conditions, groupId: r.group_id, requiredSkills: r.required_skills })),
    { organizationId: t.organization_id, tier: t.tier, priority: t.priority, category: t.category, channel: t.channel, language: t.language, subject: t.subject },
  );
  if (!match) return;
  await setTicketRouting(db, ticketId, match.groupId, match.requiredSkills);
  await insertRoutingDecision(db, {
    id: queuedDecisionId(ticketId, key),
    ticketId,
    groupId: match.groupId,
    kind: 'queued',
    agentUserId: null,
    strategy: null,
    reason: { rule: match.rule.name, ruleId: match.rule.id, cause: reason, requiredSkills: match.requiredSkills },
    at: new Date(),
  });
  const ctx = Context.current();
  const input: RoutingWorkflowInput = { groupId: match.groupId };
  await ctx.client.workflow.signalWithStart('routingWorkflow', {
    workflowId: routingWorkflowId(match.groupId),
    taskQueue: ctx.info.taskQueue,
    args: [input],
    signal: routeTicketSignal,
    signalArgs: [{ ticketId, reason }],
  });
}

/** What a stored change means for routing: queue the ticket again (reopened, unassigned by hand), or tell its group capacity was freed. */
export function routingCauseOf(change: ApplyChangeInput): { requeue: RouteReason | null; freed: boolean } {
  const f = change.fields;
  const reopened = change.events.some((e) => e.type === 'ticket.reopened');
  // Routing's own release re-queues the ticket itself.
  const unassignedByHand = f.assignee === null && change.events.some((e) => e.type === 'ticket.assigned' && e.actor !== ROUTING_ACTOR_NAME);
  const requeue: RouteReason | null = reopened ? 'reopened' : unassignedByHand ? 'unassigned' : null;
  // Routing's own assignments fill capacity, they free none: only a solve or close, or a hand-over by someone else.
  const handedOn = f.assignee !== undefined && f.assignee !== null && change.events.some((e) => e.type === 'ticket.assigned' && e.actor !== ROUTING_ACTOR_NAME);
  const freed = (f.status !== undefined && !(OPEN_STATUSES as readonly string[]).includes(f.status)) || handedOn;
  return { requeue, freed };
}

/** Capacity freed (a solve, a close, a ticket handed on): the ticket's group plans again. A group whose workflow is not running has nothing queued. */
export async function tellGroupCapacityFreed(db: Db, ticketId: string): Promise<void> {
  const t = await db.selectFrom('tickets').select(['routing_group_id']).where('id', '=', ticketId).executeTakeFirst();
  if (!t?.routing_group_id) return;
  try {
    await Context.current().client.workflow.getHandle(routingWorkflowId(t.routing_group_id)).signal(agentChangedSignal, { userId: null });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
