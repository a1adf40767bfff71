/** Finds the SLA policy for (tier, priority) and freezes it, with its calendar, into a workflow snapshot. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { CalendarSpec, Weekday } from '../../workflows/sla/business-calendar';
import type { LadderStep, SlaPolicySnapshot, TicketStatus } from '../../workflows/ticket/contract';

export async function matchPolicy(db: Kysely<Database>, tier: string, priority: string): Promise<SlaPolicySnapshot | null> {
  const row = await db
    .selectFrom('sla_policies as p')
    .innerJoin('calendars as c', 'c.id', 'p.calendar_id')
    .select([
      'p.id',
      'p.name',
      'p.first_response_minutes',
      'p.resolution_minutes',
      'p.pause_on',
      'p.escalations',
      'p.auto_close_days',
      'c.timezone',
      'c.weekly',
      'c.holidays',
    ])
    .where('p.tier', '=', tier)
    .where('p.priority', '=', priority)
    .executeTakeFirst();
  if (!row) return null;
  return {
    policyId: row.id,
    name: row.name,
    calendar: { timezone: row.timezone, weekly: row.weekly as CalendarSpec['weekly'] & Record<Weekday, Array<[string, string]>>, holidays: row.holidays },
    firstResponseMinutes: row.first_response_minutes,
    resolutionMinutes: row.resolution_minutes,
    pauseOn: row.pause_on as TicketStatus[],
    escalations: row.escalations as LadderStep[],
    autoCloseDays: row.auto_close_days,
  };
}
