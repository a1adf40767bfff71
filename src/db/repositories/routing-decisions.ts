/**
 * What routing decided for tickets (append-only, deterministic ids from the routing workflow),
 * the routing fields on tickets, and a group's unassigned queue.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, RequiredSkill, RoutingDecisionKind, RoutingDecisionRow } from '../schema';
import { OPEN_STATUSES } from './ticket-gauges';

type Tx = Kysely<Database> | Transaction<Database>;

export interface NewRoutingDecision {
  id: string;
  ticketId: string;
  groupId: string;
  kind: RoutingDecisionKind;
  agentUserId: string | null;
  strategy: string | null;
  reason: Record<string, unknown>;
  at: Date;
}

/** Writes a decision once: a retried activity with the same id changes nothing. True when written now. */
/** Several decisions in one statement, each once. */
export async function insertRoutingDecisions(db: Tx, ds: NewRoutingDecision[]): Promise<void> {
  if (ds.length === 0) return;
  await db
    .insertInto('routing_decisions')
    .values(ds.map((d) => ({ id: d.id, ticket_id: d.ticketId, group_id: d.groupId, kind: d.kind, agent_user_id: d.agentUserId, strategy: d.strategy, reason: JSON.stringify(d.reason), at: d.at })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function insertRoutingDecision(db: Tx, d: NewRoutingDecision): Promise<boolean> {
  const r = await db
    .insertInto('routing_decisions')
    .values({ id: d.id, ticket_id: d.ticketId, group_id: d.groupId, kind: d.kind, agent_user_id: d.agentUserId, strategy: d.strategy, reason: JSON.stringify(d.reason), at: d.at })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export interface RoutingDecisionView extends RoutingDecisionRow {
  group_name: string | null;
  agent_email: string | null;
  agent_name: string | null;
}

/** A ticket's decisions, oldest first, with the group's and agent's names (the "why routed" panel). */
export const decisionsOfTicket = (db: Tx, ticketId: string): Promise<RoutingDecisionView[]> =>
  db
    .selectFrom('routing_decisions as d')
    .leftJoin('routing_groups as g', 'g.id', 'd.group_id')
    .leftJoin('users as u', 'u.id', 'd.agent_user_id')
    .selectAll('d')
    .select(['g.name as group_name', 'u.email as agent_email', 'u.name as agent_name'])
    .where('d.ticket_id', '=', ticketId)
    .orderBy('d.at')
    .orderBy('d.id')
    .execute();

/** Records which group the matching rule chose and the skills it asked for. */
export async function setTicketRouting(db: Tx, ticketId: string, groupId: string | null, requiredSkills: RequiredSkill[] | null): Promise<void> {
  await db
    .updateTable('tickets')
    .set({ routing_group_id: groupId, required_skills: requiredSkills === null ? null : JSON.stringify(requiredSkills) })
    .where('id', '=', ticketId)
    .execute();
}

export interface QueuedTicketRow {
  id: string;
  number: string;
  subject: string;
  priority: string;
  status: string;
  created_at: Date;
  fr_due_at: Date | null;
  res_due_at: Date | null;
  nr_due_at: Date | null;
  required_skills: RequiredSkill[] | null;
}

/** A group's open tickets nobody holds, oldest first (the console's unassigned queue). */
export const unassignedOfGroup = (db: Tx, groupId: string, limit = 200): Promise<QueuedTicketRow[]> =>
  db
    .selectFrom('tickets')
    .select(['id', 'number', 'subject', 'priority', 'status', 'created_at', 'fr_due_at', 'res_due_at', 'nr_due_at', 'required_skills'])
    .where('routing_group_id', '=', groupId)
    .where('assignee', 'is', null)
    .where('status', 'in', OPEN_STATUSES)
    .orderBy('created_at')
    .limit(limit)
    .execute();

/** How many open tickets nobody holds in each group (groups with none are absent). */
export async function unassignedCounts(db: Tx): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('tickets')
    .select(['routing_group_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('routing_group_id', 'is not', null)
    .where('assignee', 'is', null)
    .where('status', 'in', OPEN_STATUSES)
    .groupBy('routing_group_id')
    .execute();
  return new Map(rows.map((r) => [r.routing_group_id!, Number(r.n)]));
}
