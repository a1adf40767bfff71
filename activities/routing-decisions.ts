/**
 * A routing decision's writes, shared by both ways of carrying one out (the routing workflow
 * signalling the ticket, and the update from inside an activity that runs started before that
 * took): the check and record under the agent's lock, the load it counts, the timeline events.
 *
 * Capacity across groups: the decision locks the agent's profile row while it counts the
 * agent's open tickets plus the assignments decided but not yet landed on a ticket, and records
 * itself before letting go.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../src/db/schema';
import { loadsOfAssignees, lockAgentProfiles, markRoundRobinPick, type AgentLoad } from '../src/db/repositories/routing-agents';
import { insertRoutingDecisions } from '../src/db/repositories/routing-decisions';
import { OPEN_STATUSES } from '../src/db/repositories/ticket-gauges';
import { actionEventId, type TicketRoutedEvent, type TicketRoutingReleasedEvent } from '../workflows/contract/events';
import { ROUTING_ACTOR, type Assignment, type DecideOutcome, type Release } from '../workflows/contract/routing';

const ROUTING_ACTOR_NAME = `${ROUTING_ACTOR.type}:${ROUTING_ACTOR.name}`;

/**
 * Re-checks a pass's assignments under their agents' locks and records them, in one transaction
 * (one connection's worth of statements however many assignments: the embedded database has one
 * connection for everything): each ticket still open, unassigned and in the group, its agent
 * online and below capacity counting what is decided but not landed and what this pass decided
 * before it. A decision recorded already (a retry, a run again after the worker died) stands.
 * Round-robin's pick is marked here, so the next pass moves on before the ticket lands.
 */
export async function decideAssignments(db: Kysely<Database>, groupId: string, assignments: Assignment[], at: number): Promise<DecideOutcome[]> {
  if (assignments.length === 0) return [];
  return db.transaction().execute(async (tx): Promise<DecideOutcome[]> => {
    const agents = [...new Map(assignments.map((a) => [a.agentUserId, { userId: a.agentUserId, email: a.agentEmail }])).values()];
    const profiles = new Map((await lockAgentProfiles(tx, agents.map((a) => a.userId))).map((p) => [p.user_id, p]));
    const decided = new Set((await tx.selectFrom('routing_decisions').select('id').where('id', 'in', assignments.map((a) => a.decisionId)).execute()).map((d) => d.id));
    const tickets = new Map(
      (await tx.selectFrom('tickets').select(['id', 'status', 'assignee', 'priority', 'routing_group_id']).where('id', 'in', assignments.map((a) => a.ticketId)).execute()).map((t) => [t.id, t]),
    );
    const loads = await committedLoads(tx, agents);
    const outcomes: DecideOutcome[] = [];
    const fresh: Assignment[] = [];
    for (const a of assignments) {
      if (decided.has(a.decisionId)) {
        outcomes.push('decided');
        continue;
      }
      const ticket = tickets.get(a.ticketId);
      const profile = profiles.get(a.agentUserId);
      if (!ticket || ticket.assignee !== null || ticket.routing_group_id !== groupId || !(OPEN_STATUSES as readonly string[]).includes(ticket.status)) {
        outcomes.push('taken');
        continue;
      }
      const load = loads.get(a.agentEmail)!;
      const perPriority = profile ? (profile.capacity_by_priority as Record<string, number>)[ticket.priority] : undefined;
      if (!profile || profile.status !== 'online' || load.total >= profile.capacity || (perPriority !== undefined && (load.byPriority[ticket.priority] ?? 0) >= perPriority)) {
        outcomes.push('agent_full');
        continue;
      }
      load.total += 1;
      load.byPriority[ticket.priority] = (load.byPriority[ticket.priority] ?? 0) + 1;
      fresh.push(a);
      outcomes.push('decided');
    }
    await insertRoutingDecisions(
      tx,
      fresh.map((a) => ({ id: a.decisionId, ticketId: a.ticketId, groupId, kind: 'assigned', agentUserId: a.agentUserId, strategy: a.reason.strategy, reason: { ...a.reason }, at: new Date(at) })),
    );
    const picked = [...new Set(fresh.filter((a) => a.reason.strategy === 'round_robin').map((a) => a.agentUserId))];
    for (const userId of picked) await markRoundRobinPick(tx, userId, new Date(at));
    return outcomes;
  });
}

export function routedEvent(groupId: string, a: Assignment, at: number): TicketRoutedEvent {
  return {
    id: actionEventId(a.ticketId, a.decisionId, 'routed'),
    type: 'ticket.routed',
    at: new Date(at).toISOString(),
    actor: ROUTING_ACTOR_NAME,
    visibility: 'internal',
    data: { group: groupId, agent: a.agentEmail, strategy: a.reason.strategy, reason: a.reason },
  };
}

export function releasedEvent(r: Release, at: number): TicketRoutingReleasedEvent {
  return {
    id: actionEventId(r.ticketId, r.decisionId, 'routing-released'),
    type: 'ticket.routing_released',
    at: new Date(at).toISOString(),
    actor: ROUTING_ACTOR_NAME,
    visibility: 'internal',
    data: { agent: r.agentEmail, reason: r.reason },
  };
}

/**
 * Each agent's open tickets plus the assignments to them decided but not yet on a ticket (the
 * ticket still unassigned, no assign event of that decision): what a new assignment must fit
 * beside, and what the planner counts.
 */
export async function committedLoads(db: Kysely<Database> | Transaction<Database>, agents: Array<{ userId: string; email: string }>): Promise<Map<string, AgentLoad>> {
  const loads = await loadsOfAssignees(db, agents.map((a) => a.email));
  if (agents.length === 0) return loads;
  const emailOf = new Map(agents.map((a) => [a.userId, a.email]));
  const { rows } = await sql<{ agent_user_id: string; priority: string; n: string }>`
    select d.agent_user_id, t.priority, count(*) as n
      from routing_decisions d join tickets t on t.id = d.ticket_id
     where d.agent_user_id in (${sql.join(agents.map((a) => a.userId))}) and d.kind = 'assigned' and t.assignee is null
       and t.status in (${sql.join([...OPEN_STATUSES])})
       and not exists (select 1 from ticket_events e where e.id = t.id::text || ':' || d.id || ':assign')
     group by d.agent_user_id, t.priority`.execute(db);
  for (const r of rows) {
    const load = loads.get(emailOf.get(r.agent_user_id)!);
    if (!load) continue;
    load.total += Number(r.n);
    load.byPriority[r.priority] = (load.byPriority[r.priority] ?? 0) + Number(r.n);
  }
  return loads;
}
