/** Finds the SLA policy for (tier, priority) and freezes it, with its calendar, into a workflow snapshot. */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { CalendarSpec } from '../../../workflows/sla/business-calendar';
import type { LadderStep, SlaPolicySnapshot, TicketStatus } from '../../../workflows/contract/ticket';

const POLICY_COLUMNS = [
  'p.id as policy_id',
  'p.name as policy_name',
  'p.first_response_minutes',
  'p.resolution_minutes',
  'p.pause_on',
  'p.escalations',
  'p.auto_close_days',
  'p.pause_on_incident',
  'p.edit_version as policy_version',
  'p.calendar_id',
  'c.edit_version as calendar_version',
  'p.next_reply_minutes',
  'p.next_reply_escalations',
  'p.update_every_minutes',
  'p.update_escalations',
  'c.timezone',
  'c.weekly',
  'c.holidays',
] as const;

interface PolicyColumns {
  policy_id: string | null;
  policy_name: string | null;
  first_response_minutes: number | null;
  resolution_minutes: number | null;
  pause_on: string[] | null;
  escalations: unknown[] | null;
  auto_close_days: number | null;
  pause_on_incident: boolean | null;
  policy_version: number | null;
  calendar_id: string | null;
  calendar_version: number | null;
  next_reply_minutes: number | null;
  next_reply_escalations: unknown[] | null;
  update_every_minutes: number | null;
  update_escalations: unknown[] | null;
  timezone: string | null;
  weekly: Record<string, Array<[string, string]>> | null;
  holidays: string[] | null;
}

function toSnapshot(row: PolicyColumns): SlaPolicySnapshot | null {
  if (row.policy_id === null || row.timezone === null) return null;
  return {
    policyId: row.policy_id,
    name: row.policy_name ?? '',
    calendar: { timezone: row.timezone, weekly: (row.weekly ?? {}) as CalendarSpec['weekly'], holidays: row.holidays ?? [] },
    firstResponseMinutes: row.first_response_minutes,
    resolutionMinutes: row.resolution_minutes,
    pauseOn: (row.pause_on ?? []) as TicketStatus[],
    escalations: (row.escalations ?? []) as LadderStep[],
    autoCloseDays: row.auto_close_days ?? 7,
    pauseOnIncident: row.pause_on_incident ?? true,
    versions: { policy: row.policy_version ?? 1, calendarId: row.calendar_id, calendar: row.calendar_version ?? 1 },
    nextReplyMinutes: row.next_reply_minutes,
    ...(row.next_reply_escalations && { nextReplyEscalations: row.next_reply_escalations as LadderStep[] }),
    updateEveryMinutes: row.update_every_minutes,
    ...(row.update_escalations && { updateEscalations: row.update_escalations as LadderStep[] }),
  };
}

export async function matchPolicy(db: Kysely<Database>, tier: string, priority: string): Promise<SlaPolicySnapshot | null> {
  const row = await db
    .selectFrom('sla_policies as p')
    .innerJoin('calendars as c', 'c.id', 'p.calendar_id')
    .select(POLICY_COLUMNS)
    .where('p.tier', '=', tier)
    .where('p.priority', '=', priority)
    .executeTakeFirst();
  return row ? toSnapshot(row) : null;
}

export interface OrganizationWithPolicy {
  id: string;
  tier: string;
  policy: SlaPolicySnapshot | null;
}

/** An organization and the policy its tier gives a priority, in one round trip (the intake path). */
export async function organizationWithPolicy(db: Kysely<Database>, organizationId: string, priority: string): Promise<OrganizationWithPolicy | null> {
  const row = await db
    .selectFrom('organizations as o')
    .leftJoin('sla_policies as p', (join) => join.onRef('p.tier', '=', 'o.tier').on('p.priority', '=', priority))
    .leftJoin('calendars as c', 'c.id', 'p.calendar_id')
    .select(['o.id', 'o.tier', ...POLICY_COLUMNS])
    .where('o.id', '=', organizationId)
    .executeTakeFirst();
  return row ? { id: row.id, tier: row.tier, policy: toSnapshot(row as PolicyColumns) } : null;
}

/** Snapshots of one policy, or of every policy on a calendar, read in one query (what a rollout sends). */
export async function policySnapshots(db: Kysely<Database>, where: { policyId: string } | { calendarId: string }): Promise<SlaPolicySnapshot[]> {
  let q = db.selectFrom('sla_policies as p').innerJoin('calendars as c', 'c.id', 'p.calendar_id').select(POLICY_COLUMNS);
  q = 'policyId' in where ? q.where('p.id', '=', where.policyId) : q.where('p.calendar_id', '=', where.calendarId);
  return (await q.execute()).flatMap((row) => toSnapshot(row) ?? []);
}

/** Snapshots of the given policies as they stand now, by id (what the report refresher plans tickets with). */
export async function policySnapshotsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, SlaPolicySnapshot>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('sla_policies as p').innerJoin('calendars as c', 'c.id', 'p.calendar_id').select(POLICY_COLUMNS).where('p.id', 'in', [...ids]).execute();
  return new Map(rows.flatMap((row) => {
    const s = toSnapshot(row);
    return s ? [[row.policy_id, s] as const] : [];
  }));
}
