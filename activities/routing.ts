/**
 * The routing workflow's activities: read a group's snapshot at the workflow's "now", decide an
 * assignment, and settle what the workflow signalled to tickets. None waits on a ticket's
 * workflow: the routing workflow signals the ticket itself, and settling reads what the ticket's
 * own record wrote. Idempotent by decision id: the decision row, the ticket action (its
 * actionId) and the timeline events all carry it, so a retried activity, or one run again after
 * a worker died in the middle, lands once.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { findRoutingGroup, routingGroupSettings } from '../src/db/repositories/routing-groups';
import { groupAgentsWithProfiles } from '../src/db/repositories/routing-agents';
import { insertRoutingDecisions, type NewRoutingDecision } from '../src/db/repositories/routing-decisions';
import { OPEN_STATUSES } from '../src/db/repositories/ticket-gauges';
import { insertEventsOfTickets } from '../src/db/repositories/ticket-events';
import { actionEventId, type TicketEvent } from '../workflows/contract/events';
import type { PendingDelivery } from '../workflows/contract/records';
import { signalledDecisionId, signalledTicketId, type HeldTicket, type QueuedTicket, type RoutingAgent, type RoutingSnapshot, type SettleOutcome, type SignalledAction } from '../workflows/contract/routing';
import type { RoutingActivities } from '../workflows/contract/routing-activities';
import type { CalendarSpec } from '../workflows/contract/sla';
import type { Priority } from '../workflows/contract/ticket';
import { BusinessCalendar } from '../workflows/sla/business-calendar';
import { shiftWindow } from '../workflows/routing/shift-window';
import { committedLoads, decideAssignments, releasedEvent, routedEvent } from './routing-decisions';
import { createRoutingThroughUpdatesActivities } from './routing-through-updates';

export function createRoutingActivities(db: Kysely<Database>): RoutingActivities {
  return {
    async routingSnapshot({ groupId, now, queue }): Promise<RoutingSnapshot | null> {
      const group = await findRoutingGroup(db, groupId);
      if (!group) return null;
      const members = (await groupAgentsWithProfiles(db, groupId)).filter((m) => m.disabled_at === null);
      const calendars = await calendarsById(db, members.flatMap((m) => (m.profile?.calendar_id ? [m.profile.calendar_id] : [])));
      const loads = await committedLoads(db, members.map((m) => ({ userId: m.user_id, email: m.email })));
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

    decideRoutedAssignments: ({ groupId, assignments, at }) => decideAssignments(db, groupId, assignments, at),

    async settleRoutedActions({ groupId, actions }): Promise<{ outcomes: SettleOutcome[]; deliveries: PendingDelivery[] }> {
      const ticketIds = [...new Set(actions.map((a) => signalledTicketId(a)))];
      // The rows before the events: a ticket's record writes its row and its events in one transaction, so a row read
      // first that shows the change has its event visible to the read after; the other order could see the row changed
      // and the event missing, and call an assignment that landed a lost one.
      const rows = new Map((await db.selectFrom('tickets').select(['id', 'status', 'assignee']).where('id', 'in', ticketIds.length ? ticketIds : [NO_TICKET]).execute()).map((r) => [r.id, r]));
      const landed = new Set((await db.selectFrom('ticket_events').select('id').where('id', 'in', actions.length ? actions.map(assignEventIdOf) : ['']).execute()).map((e) => e.id));
      const outcomes: SettleOutcome[] = [];
      const events: Array<{ ticketId: string; event: TicketEvent }> = [];
      const lost: string[] = [];
      const releases: NewRoutingDecision[] = [];
      for (const action of actions) {
        const row = rows.get(signalledTicketId(action));
        const open = row !== undefined && (OPEN_STATUSES as readonly string[]).includes(row.status);
        if (action.kind === 'assign') {
          const a = action.assignment;
          if (landed.has(assignEventIdOf(action))) {
            events.push({ ticketId: a.ticketId, event: routedEvent(groupId, a, action.at) });
            outcomes.push('assigned');
          } else if (!open || row.assignee !== null) {
            // Someone assigned by hand (or closed it) first: the decision never took effect, and stops counting against the agent.
            lost.push(a.decisionId);
            outcomes.push('taken');
          } else outcomes.push('pending');
        } else {
          const r = action.release;
          if (landed.has(assignEventIdOf(action))) {
            releases.push({ id: r.decisionId, ticketId: r.ticketId, groupId, kind: 'released', agentUserId: r.agentUserId, strategy: null, reason: { ...r.reason }, at: new Date(action.at) });
            events.push({ ticketId: r.ticketId, event: releasedEvent(r, action.at) });
            outcomes.push('released');
          } else if (!open || row.assignee !== r.agentEmail) outcomes.push('not_held');
          else outcomes.push('pending');
        }
      }
      if (lost.length) await db.deleteFrom('routing_decisions').where('id', 'in', lost).execute();
      await insertRoutingDecisions(db, releases);
      const deliveries = await insertEventsOfTickets(db, events);
      return { outcomes, deliveries };
    },

    ...createRoutingThroughUpdatesActivities(db),
  };
}

/** Never a ticket's id: keeps an `in` list valid when it would be empty. */
const NO_TICKET = '00000000-0000-0000-0000-000000000000';

/** The ticket's own event for the signalled action: its id is the action's, known before the ticket's workflow takes it. */
function assignEventIdOf(action: SignalledAction): string {
  return actionEventId(signalledTicketId(action), signalledDecisionId(action), 'assign');
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
