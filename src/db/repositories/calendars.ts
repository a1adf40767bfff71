/** Business calendar reads (the writes, with their validation and rollouts, are the domain's sla-settings). */
import type { CalendarRow, Db } from '../schema';

export const listCalendars = (db: Db): Promise<CalendarRow[]> => db.selectFrom('calendars').selectAll().orderBy('name').execute();

export const findCalendar = (db: Db, id: string): Promise<CalendarRow | undefined> =>
  db.selectFrom('calendars').selectAll().where('id', '=', id).executeTakeFirst();

/** Every calendar's id, name and zone, by name (for a form's choice); the first is the default. */
export const listCalendarChoices = (db: Db) => db.selectFrom('calendars').select(['id', 'name', 'timezone']).orderBy('name').execute();
