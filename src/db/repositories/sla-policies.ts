/** SLA policy reads and deletes (inserts and updates, with their rollouts, are the domain's sla-settings). */
import type { Db, SlaPolicyRow } from '../schema';

export const listPolicies = (db: Db): Promise<SlaPolicyRow[]> =>
  db.selectFrom('sla_policies').selectAll().orderBy('tier').orderBy('priority').execute();

export const findPolicy = (db: Db, id: string): Promise<SlaPolicyRow | undefined> =>
  db.selectFrom('sla_policies').selectAll().where('id', '=', id).executeTakeFirst();

/** False when there was no such policy. */
export async function deletePolicy(db: Db, id: string): Promise<boolean> {
  const d = await db.deleteFrom('sla_policies').where('id', '=', id).executeTakeFirst();
  return d.numDeletedRows > 0n;
}

/** Every policy with its calendar's name, zone, week and holidays (the console's SLA preview). */
export const listPoliciesWithCalendars = (db: Db) =>
  db
    .selectFrom('sla_policies as p')
    .innerJoin('calendars as c', 'c.id', 'p.calendar_id')
    .selectAll('p')
    .select(['c.name as calendar_name', 'c.timezone', 'c.weekly', 'c.holidays'])
    .orderBy('p.tier')
    .orderBy('p.priority')
    .execute();

/** A policy's two targets and its calendar's week (what the portal promises a customer). */
export const policyTargets = (db: Db, id: string) =>
  db
    .selectFrom('sla_policies as p')
    .innerJoin('calendars as c', 'c.id', 'p.calendar_id')
    .select(['p.first_response_minutes', 'p.resolution_minutes', 'c.weekly'])
    .where('p.id', '=', id)
    .executeTakeFirst();

/** The names of the policies that use a calendar, by name. */
export const policyNamesUsingCalendar = async (db: Db, calendarId: string): Promise<string[]> =>
  (await db.selectFrom('sla_policies').select('name').where('calendar_id', '=', calendarId).orderBy('name').execute()).map((p) => p.name);
