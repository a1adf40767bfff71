/**
 * Incident policies, one per severity: the acknowledgement and resolution targets (seeds:
 * 15m/1h/4h/24h and 4h/8h/24h/72h), around the clock unless a calendar is set, a ladder per
 * clock, and the post-mortem rule. Seeded once; an administrator's edits are never overwritten.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema';
import type { IncidentPolicySnapshot, IncidentSeverity } from '../../../workflows/contract/incident';
import type { LadderStep } from '../../../workflows/contract/ticket';
import type { CalendarSpec } from '../../../workflows/contract/sla';

const ALL_DAY: Array<[string, string]> = [['00:00', '24:00']];
export const AROUND_THE_CLOCK: CalendarSpec = {
  timezone: 'UTC',
  weekly: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
  holidays: [],
};

/** Critical and high page at once and are announced in Slack (with an Acknowledge button); unacknowledged, the next level is paged at the target and at twice it. */
const PAGING_LADDER: LadderStep[] = [
  { percent: 0, actions: [{ type: 'page', level: 1 }, { type: 'slack' }] },
  { percent: 100, actions: [{ type: 'page', level: 2 }, { type: 'notify', role: 'incident_manager' }] },
  { percent: 200, actions: [{ type: 'page', level: 3 }, { type: 'escalate', role: 'vp_engineering' }] },
];
const NOTIFY_LADDER: LadderStep[] = [{ percent: 100, actions: [{ type: 'notify', role: 'incident_manager' }] }];
const RESOLUTION_LADDER: LadderStep[] = [
  { percent: 80, actions: [{ type: 'notify', role: 'incident_commander' }] },
  { percent: 100, actions: [{ type: 'escalate', role: 'incident_manager' }] },
  { percent: 150, actions: [{ type: 'escalate', role: 'vp_engineering' }] },
];

interface Seed {
  severity: IncidentSeverity;
  rank: number;
  acknowledgeMinutes: number;
  resolveMinutes: number;
  ack: LadderStep[];
  res: LadderStep[];
  postmortem: boolean;
}

export const DEFAULT_INCIDENT_POLICIES: Seed[] = [
  { severity: 'critical', rank: 1, acknowledgeMinutes: 15, resolveMinutes: 4 * 60, ack: PAGING_LADDER, res: RESOLUTION_LADDER, postmortem: true },
  { severity: 'high', rank: 2, acknowledgeMinutes: 60, resolveMinutes: 8 * 60, ack: PAGING_LADDER, res: RESOLUTION_LADDER, postmortem: true },
  { severity: 'medium', rank: 3, acknowledgeMinutes: 4 * 60, resolveMinutes: 24 * 60, ack: NOTIFY_LADDER, res: NOTIFY_LADDER, postmortem: false },
  { severity: 'low', rank: 4, acknowledgeMinutes: 24 * 60, resolveMinutes: 72 * 60, ack: NOTIFY_LADDER, res: NOTIFY_LADDER, postmortem: false },
];
/** After resolution: a day, three days, a week; then weekly until the post-mortem is recorded. */
export const DEFAULT_REMINDER_HOURS = [24, 72, 168];

export async function seedIncidentPolicies(db: Kysely<Database>): Promise<void> {
  await db
    .insertInto('incident_policies')
    .values(
      DEFAULT_INCIDENT_POLICIES.map((p) => ({
        severity: p.severity,
        rank: p.rank,
        acknowledge_minutes: p.acknowledgeMinutes,
        resolve_minutes: p.resolveMinutes,
        calendar_id: null,
        acknowledgement_escalations: JSON.stringify(p.ack),
        resolution_escalations: JSON.stringify(p.res),
        postmortem_required: p.postmortem,
        postmortem_reminder_hours: JSON.stringify(DEFAULT_REMINDER_HOURS),
      })),
    )
    .onConflict((oc) => oc.column('severity').doNothing())
    .execute();
}

/** The severity's policy, frozen with its calendar into a workflow snapshot. */
export async function incidentPolicySnapshot(db: Kysely<Database>, severity: IncidentSeverity): Promise<IncidentPolicySnapshot> {
  const p = await db
    .selectFrom('incident_policies as p')
    .leftJoin('calendars as c', 'c.id', 'p.calendar_id')
    .select(['p.severity', 'p.acknowledge_minutes', 'p.resolve_minutes', 'p.acknowledgement_escalations', 'p.resolution_escalations', 'p.postmortem_required', 'p.postmortem_reminder_hours', 'p.solve_linked_tickets', 'p.update_every_minutes', 'p.update_escalations', 'p.edit_version', 'c.timezone', 'c.weekly', 'c.holidays'])
    .where('p.severity', '=', severity)
    .executeTakeFirst();
  if (!p) throw new Error(`no incident policy for severity ${severity}`);
  return {
    severity,
    acknowledgeMinutes: p.acknowledge_minutes,
    resolveMinutes: p.resolve_minutes,
    calendar: p.timezone ? { timezone: p.timezone, weekly: (p.weekly ?? {}) as CalendarSpec['weekly'], holidays: p.holidays ?? [] } : AROUND_THE_CLOCK,
    acknowledgementEscalations: p.acknowledgement_escalations as LadderStep[],
    resolutionEscalations: p.resolution_escalations as LadderStep[],
    postmortemRequired: p.postmortem_required,
    postmortemReminderHours: p.postmortem_reminder_hours,
    solveLinkedTickets: p.solve_linked_tickets,
    updateEveryMinutes: p.update_every_minutes,
    updateEscalations: p.update_escalations as LadderStep[],
    editVersion: p.edit_version,
  };
}

/** Every severity's policy, most severe first. */
export const listIncidentPolicies = (db: Kysely<Database>) => db.selectFrom('incident_policies').selectAll().orderBy('rank').execute();

export interface IncidentPolicyFields {
  acknowledgeMinutes: number;
  resolveMinutes: number;
  calendarId: string | null;
  acknowledgementEscalations: unknown[];
  resolutionEscalations: unknown[];
  postmortemRequired: boolean;
  postmortemReminderHours: number[];
  solveLinkedTickets: boolean;
  /** Absent: left as it is. */
  updateEveryMinutes?: number | null;
  updateEscalations?: unknown[];
}

/** Replaces a severity's policy (the update cadence only when named) and bumps its edit version; throws when there is no such severity. */
export const updateIncidentPolicy = (db: Kysely<Database>, severity: IncidentSeverity, b: IncidentPolicyFields) =>
  db
    .updateTable('incident_policies')
    .set({
      acknowledge_minutes: b.acknowledgeMinutes,
      resolve_minutes: b.resolveMinutes,
      calendar_id: b.calendarId,
      acknowledgement_escalations: JSON.stringify(b.acknowledgementEscalations),
      resolution_escalations: JSON.stringify(b.resolutionEscalations),
      postmortem_required: b.postmortemRequired,
      postmortem_reminder_hours: JSON.stringify(b.postmortemReminderHours),
      solve_linked_tickets: b.solveLinkedTickets,
      ...(b.updateEveryMinutes !== undefined && { update_every_minutes: b.updateEveryMinutes }),
      ...(b.updateEscalations !== undefined && { update_escalations: JSON.stringify(b.updateEscalations) }),
      edit_version: sql<number>`edit_version + 1`,
      updated_at: new Date(),
    })
    .where('severity', '=', severity)
    .returningAll()
    .executeTakeFirstOrThrow();
