/**
 * The routing workflow's activities: read a group's snapshot at the workflow's "now", assign a
 * ticket to an agent, release one from an agent. Idempotent by decision id: the decision row,
 * the ticket action (its actionId) and the timeline event all carry it, so a retried activity,
 * or one run again after a worker died in the middle, lands once.
 *
 * Capacity across groups: the assignment locks the agent's profile row while it counts the
 * agent's open tickets plus the assignments decided but not yet landed on a ticket, and records
 * its own decision before letting go; the ticket action itself runs outside the transaction
 * (the ticket workflow's write needs a connection of its own: PGlite has only one).
 */
import { Context } from '@temporalio/activity';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { findRoutingGroup, routingGroupSettings } from '../src/db/repositories/routing-groups';
import { groupAgentsWithProfiles, loadsOfAssignees, lockAgentProfile, markRoundRobinPick } from '../src/db/repositories/routing-agents';
import { insertRoutingDecision } from '../src/db/repositories/routing-decisions';
import { OPEN_STATUSES } from '../src/db/repositories/ticket-gauges';
import { insertEvents } from '../src/db/repositories/ticket-events';
import { actionEventId, type TicketRoutedEvent, type TicketRoutingReleasedEvent } from '../workflows/contract/events';
import type { PendingDelivery } from '../workflows/contract/records';
import { ROUTING_ACTOR, type AssignOutcome, type HeldTicket, type QueuedTicket, type ReleaseOutcome, type RoutingAgent, type RoutingSnapshot } from '../workflows/contract/routing';
import type { RoutingActivities } from '../workflows/contract/routing-activities';
import type { CalendarSpec } from '../workflows/contract/sla';
import type { Priority } from '../workflows/contract/ticket';
import { BusinessCalendar } from '../workflows/sla/business-calendar';
import { shiftWindow } from '../workflows/routing/shift-window';
import { sendTicketAction } from './ticket-actions';

const ROUTING_ACTOR_NAME = `${ROUTING_ACTOR.type}:${ROUTING_ACTOR.name}`;

export function createRoutingActivities(db: Kysely<Database>): RoutingActivities {
  return {
    async routingSnapshot({ groupId, now, queue }): Promise<RoutingSnapshot | null> {
      const group = await findRoutingGroup(db, groupId);
      if (!group) return null;
      const members = (await groupAgentsWithProfiles(db, groupId)).filter((m) => m.disabled_at === null);
      const calendars = await calendarsById(db, members.flatMap((m) => (m.profile?.calendar_id ? [m.profile.calendar_id] : [])));
      const loads = await loadsOfAssignees(db, members.map((m) => m.email));
      const held = await heldTickets(db, groupId, members.map((m) => m.email));
      const agents: RoutingAgent[] = members.map((m) => {
        const p = m.profile;
        const calendar = p?.calendar_id ? (calendars.get(p.calendar_id) ?? null) : null;
        const load = loads.get(m.email) ?? { total: 0, byPriority: {} };
        return {
          userId: m.user_id,
          email: m.email,
          // No profile yet: offline with the defaults.
          status: p?.status ?? 'offline',
          statusSince: p ? p.status_since.getTime() : null,
          load: load.total,
          loadByPriority: load.byPriority as Partial<Record<Priority, number>>,
          capacity: p?.capacity ?? 5,
          capacityByPriority: (p?.capacity_by_priority ?? {}) as Partial<Record<Priority, number>>,
          skills: p?.skills ?? [],
          languages: p?.languages ?? [],
          ...shiftWindow(calendar, p?.days_off ?? [], m.time_zone, now),
          lastPickedAt: p?.round_robin_at ? p.round_robin_at.getTime() : null,
          held: held.get(m.email) ?? [],
        };
      });
      return { group: routingGroupSettings(group), agents, queued: await queuedTickets(db, groupId, queue, now) };
    },

    async assignRoutedTicket({ groupId, assignment: a, at }): Promise<{ outcome: AssignOutcome; deliveries: PendingDelivery[] }> {
      const assignEventId = actionEventId(a.ticketId, a.decisionId, 'assign');
      const landed = async () => (await db.selectFrom('ticket_events').select('id').where('id', '=', assignEventId).executeTakeFirst()) !== undefined;
      const checked = await db.transaction().execute(async (tx): Promise<AssignOutcome | 'send'> => {
        const profile = await lockAgentProfile(tx, a.agentUserId);
        // Decided already (a retry, or a run again after the worker died): carry it through.
        const decided = await tx.selectFrom('routing_decisions').select('id').where('id', '=', a.decisionId).executeTakeFirst();
        if (decided) return 'send';
        const ticket = await tx.selectFrom('tickets').select(['status', 'assignee', 'priority', 'routing_group_id']).where('id', '=', a.ticketId).executeTakeFirst();
        if (!ticket || ticket.assignee !== null || ticket.routing_group_id !== groupId || !(OPEN_STATUSES as readonly string[]).includes(ticket.status)) return 'taken';
        if (!profile || profile.status !== 'online') return 'agent_full';
        const load = await committedLoad(tx, a.agentUserId, a.agentEmail);
        const perPriority = (profile.capacity_by_priority as Record<string, number>)[ticket.priority];
        if (load.total >= profile.capacity || (perPriority !== undefined && (load.byPriority[ticket.priority] ?? 0) >= perPriority)) return 'agent_full';
        await insertRoutingDecision(tx, { id: a.decisionId, ticketId: a.ticketId, groupId, kind: 'assigned', agentUserId: a.agentUserId, strategy: a.reason.strategy, reason: { ...a.reason }, at: new Date(at) });
        return 'send';
      });
      if (checked !== 'send') return { outcome: checked, deliveries: [] };

      const sent = (await landed())
        ? ({ applied: true } as const)
        : await sendTicketAction(Context.current().client, db, a.ticketId, {
            kind: 'assign', actionId: a.decisionId, actor: ROUTING_ACTOR, assignee: a.agentEmail, ifUnassigned: true,
          });
      if (!sent.applied) {
        // Someone assigned by hand (or closed it) first: the decision never took effect, and stops counting against the agent.
        await db.deleteFrom('routing_decisions').where('id', '=', a.decisionId).execute();
        return { outcome: 'taken', deliveries: [] };
      }
      if (a.reason.strategy === 'round_robin') await markRoundRobinPick(db, a.agentUserId, new Date(at));
      const event: TicketRoutedEvent = {
        id: actionEventId(a.ticketId, a.decisionId, 'routed'),
        type: 'ticket.routed',
        at: new Date(at).toISOString(),
        actor: ROUTING_ACTOR_NAME,
        visibility: 'internal',
        data: { group: groupId, agent: a.agentEmail, strategy: a.reason.strategy, reason: a.reason },
      };
      return { outcome: 'assigned', deliveries: await insertEvents(db, a.ticketId, [event]) };
    },

    async releaseRoutedTicket({ groupId, release: r, at }): Promise<{ outcome: ReleaseOutcome; deliveries: PendingDelivery[] }> {
      const sent = await sendTicketAction(Context.current().client, db, r.ticketId, { kind: 'assign', actionId: r.decisionId, actor: ROUTING_ACTOR, assignee: null, ifAssignee: r.agentEmail });
      if (!sent.applied) return { outcome: 'not_held', deliveries: [] };
      await insertRoutingDecision(db, { id: r.decisionId, ticketId: r.ticketId, groupId, kind: 'released', agentUserId: r.agentUserId, strategy: null, reason: { ...r.reason }, at: new Date(at) });
      const event: TicketRoutingReleasedEvent = {
        id: actionEventId(r.ticketId, r.decisionId, 'routing-released'),
        type: 'ticket.routing_released',
        at: new Date(at).toISOString(),
        actor: ROUTING_ACTOR_NAME,
        visibility: 'internal',
        data: { agent: r.agentEmail, reason: r.reason },
      };
      return { outcome: 'released', deliveries: await insertEvents(db, r.ticketId, [event]) };
    },
  };
}


async function calendarsById(db: Kysely<Database>, ids: string[]): Promise<Map<string, CalendarSpec>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('calendars').select(['id', 'timezone', 'weekly', 'holidays']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((c) => [c.id, { timezone: c.timezone, weekly: c.weekly as CalendarSpec['weekly'], holidays: c.holidays }]));
}

/** The nearest unmet due instant of a ticket row: first response, resolution (unless paused), next reply. */
function deadlineOf(t: { fr_due_at: Date | null; fr_met_at: Date | null; res_due_at: Date | null; res_met_at: Date | null; res_paused_since: Date | null; nr_due_at: Date | null }): number | null {
  const dues = [
    t.fr_met_at === null ? t.fr_due_at : null,
    t.res_met_at === null && t.res_paused_since === null ? t.res_due_at : null,
    t.nr_due_at,
  ].filter((d): d is Date => d !== null);
  return dues.length ? Math.min(...dues.map((d) => d.getTime())) : null;
}

const SLA_COLUMNS = ['t.fr_due_at', 't.fr_met_at', 't.res_due_at', 't.res_met_at', 't.res_paused_since', 't.nr_due_at'] as const;

/** The group's open tickets each agent holds, with their deadlines (what a release weighs). */
async function heldTickets(db: Kysely<Database>, groupId: string, emails: string[]): Promise<Map<string, HeldTicket[]>> {
  const out = new Map<string, HeldTicket[]>();
  if (emails.length === 0) return out;
  const rows = await db
    .selectFrom('tickets as t')
    .select(['t.id', 't.assignee', 't.priority', ...SLA_COLUMNS])
    .where('t.routing_group_id', '=', groupId)
    .where('t.assignee', 'in', emails)
    .where('t.status', 'in', OPEN_STATUSES)
    .execute();
  for (const r of rows) {
    const list = out.get(r.assignee!) ?? [];
    list.push({ ticketId: r.id, priority: r.priority as Priority, deadlineAt: deadlineOf(r) });
    out.set(r.assignee!, list);
  }
  return out;
}

/** The queue's tickets still open, unassigned and in this group, with their deadlines and the business time left on their policy's calendar. */
async function queuedTickets(db: Kysely<Database>, groupId: string, queue: Array<{ ticketId: string; queuedAt: number }>, now: number): Promise<QueuedTicket[]> {
  if (queue.length === 0) return [];
  const rows = await db
    .selectFrom('tickets as t')
    .leftJoin('sla_policies as p', 'p.id', 't.policy_id')
    .leftJoin('calendars as c', 'c.id', 'p.calendar_id')
    .select(['t.id', 't.priority', 't.required_skills', 't.language', 'c.timezone', 'c.weekly', 'c.holidays', ...SLA_COLUMNS])
    .where('t.id', 'in', queue.map((q) => q.ticketId))
    .where('t.routing_group_id', '=', groupId)
    .where('t.assignee', 'is', null)
    .where('t.status', 'in', OPEN_STATUSES)
    .execute();
  const rules = await ruleNames(db, rows.map((r) => r.id));
  const queuedAt = new Map(queue.map((q) => [q.ticketId, q.queuedAt]));
  return rows.map((r) => {
    const deadlineAt = deadlineOf(r);
    const calendar = r.timezone ? BusinessCalendar.from({ timezone: r.timezone, weekly: (r.weekly ?? {}) as CalendarSpec['weekly'], holidays: r.holidays ?? [] }) : BusinessCalendar.ALWAYS_OPEN;
    return {
      ticketId: r.id,
      priority: r.priority as Priority,
      deadlineAt,
      businessMsLeft: deadlineAt === null ? null : calendar.businessMsBetween(now, deadlineAt),
      requiredSkills: r.required_skills ?? [],
      language: r.language,
      queuedAt: queuedAt.get(r.id)!,
      rule: rules.get(r.id) ?? null,
    };
  });
}

/** The rule named by each ticket's latest 'queued' decision (intake writes it). */
async function ruleNames(db: Kysely<Database>, ticketIds: string[]): Promise<Map<string, string>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('routing_decisions')
    .select(['ticket_id', 'reason', 'at'])
    .where('ticket_id', 'in', ticketIds)
    .where('kind', '=', 'queued')
    .orderBy('at')
    .execute();
  const out = new Map<string, string>();
  for (const r of rows) if (typeof r.reason.rule === 'string') out.set(r.ticket_id, r.reason.rule);
  return out;
}

/**
 * The agent's open tickets plus the assignments to them decided but not yet on a ticket (their
 * ticket still unassigned, no assign event of that decision): what a new assignment must fit beside.
 */
async function committedLoad(db: Kysely<Database>, userId: string, email: string): Promise<{ total: number; byPriority: Record<string, number> }> {
  const load = (await loadsOfAssignees(db, [email])).get(email) ?? { total: 0, byPriority: {} };
  const { rows } = await sql<{ priority: string; n: string }>`
    select t.priority, count(*) as n
      from routing_decisions d join tickets t on t.id = d.ticket_id
     where d.agent_user_id = ${userId} and d.kind = 'assigned' and t.assignee is null
       and t.status in (${sql.join([...OPEN_STATUSES])})
       and not exists (select 1 from ticket_events e where e.id = t.id::text || ':' || d.id || ':assign')
     group by t.priority`.execute(db);
  for (const r of rows) {
    load.total += Number(r.n);
    load.byPriority[r.priority] = (load.byPriority[r.priority] ?? 0) + Number(r.n);
  }
  return load;
}
