/**
 * Calendars and SLA policies: their inputs, the checks zod cannot make and the database writes,
 * shared by the API (`/api/v1/calendars`, `/api/v1/sla-policies`) and the console's admin forms,
 * so both write alike and clear the same intake cache after a write. The request schemas that
 * produce these inputs are zod at the edge (src/http/kit/settings-schemas.ts).
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { BusinessCalendar, CalendarError } from '../../../workflows/sla/business-calendar';
import { Conflict, InvalidInput, NotFound } from '../../core/errors';
import { saveWithRollout, type RolloutHook } from './rollouts';
import type { CalendarSpec, Weekday } from '../../../workflows/contract/sla';
import type { LadderStep, Priority, TicketStatus } from '../../../workflows/contract/ticket';
import { isFkViolation, isUniqueViolation } from '../../db/pg-errors';

/** Intake caches organization and policy lookups; every write here invalidates them. */
export interface SettingsCache {
  clear(): void;
}

/** A calendar as a request gives it: every weekday present (an empty list when closed all day). */
export interface CalendarInput extends CalendarSpec {
  name: string;
  weekly: Record<Weekday, Array<[string, string]>>;
}

/** The checks zod cannot make (a real IANA zone, windows in order and apart), as a 400 naming the field. */
export function checkCalendar(spec: CalendarSpec): void {
  try {
    BusinessCalendar.from(spec);
  } catch (err) {
    if (err instanceof CalendarError) throw new InvalidInput(err.message, [{ path: err.field, message: err.message }]);
    throw err;
  }
}

export async function insertCalendar(db: Kysely<Database>, cache: SettingsCache, body: CalendarInput) {
  checkCalendar(body);
  try {
    const c = await db
      .insertInto('calendars')
      .values({ id: crypto.randomUUID(), name: body.name, timezone: body.timezone, weekly: JSON.stringify(body.weekly), holidays: JSON.stringify(body.holidays) })
      .returningAll()
      .executeTakeFirstOrThrow();
    cache.clear();
    return c;
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('conflict', `a calendar named "${body.name}" exists`, [{ path: 'name', message: 'a calendar with this name exists' }]);
    throw err;
  }
}

/** Saves and starts the rollout that carries the edit to every open ticket on a policy using the calendar (recorded in the save's transaction). */
export async function updateCalendar(db: Kysely<Database>, cache: SettingsCache, id: string, body: CalendarInput, rollout: RolloutHook) {
  checkCalendar(body);
  const saved = await saveWithRollout(db, rollout, async (trx) => {
    const c = await trx
      .updateTable('calendars')
      .set({ name: body.name, timezone: body.timezone, weekly: JSON.stringify(body.weekly), holidays: JSON.stringify(body.holidays), edit_version: sql<number>`edit_version + 1`, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
      .catch((err) => {
        if (isUniqueViolation(err)) throw new Conflict('conflict', `a calendar named "${body.name}" exists`, [{ path: 'name', message: 'a calendar with this name exists' }]);
        throw err;
      });
    if (!c) throw new NotFound('calendar');
    return { saved: c, kind: 'calendar', targetId: c.id, editVersion: c.edit_version };
  });
  cache.clear();
  return saved;
}

/** Refused (409 in_use) while a policy uses the calendar: the foreign key decides, so there is no race. */
export async function deleteCalendar(db: Kysely<Database>, cache: SettingsCache, id: string): Promise<void> {
  try {
    const d = await db.deleteFrom('calendars').where('id', '=', id).executeTakeFirst();
    if (d.numDeletedRows === 0n) throw new NotFound('calendar');
  } catch (err) {
    if (isFkViolation(err)) throw new Conflict('in_use', 'an SLA policy still uses this calendar');
    throw err;
  }
  cache.clear();
}

export const DEFAULT_LADDER = [{ percent: 80, actions: [] }, { percent: 100, actions: [] }, { percent: 120, actions: [] }];

/** An SLA policy as a request gives it, defaults applied. */
export interface PolicyInput {
  name: string;
  tier: string;
  priority: Priority;
  calendarId: string;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  pauseOn: TicketStatus[];
  escalations: LadderStep[];
  autoCloseDays: number;
  pauseOnIncident: boolean;
  /** Absent on an update: left as it is (the console's form does not carry the repeating clocks). */
  nextReplyMinutes?: number | null;
  nextReplyEscalations?: LadderStep[];
  updateEveryMinutes?: number | null;
  updateEscalations?: LadderStep[];
}

const policyValues = (b: PolicyInput) => ({
  name: b.name, tier: b.tier, priority: b.priority, calendar_id: b.calendarId,
  first_response_minutes: b.firstResponseMinutes, resolution_minutes: b.resolutionMinutes,
  pause_on: JSON.stringify(b.pauseOn), escalations: JSON.stringify(b.escalations), auto_close_days: b.autoCloseDays,
  pause_on_incident: b.pauseOnIncident,
  ...(b.nextReplyMinutes !== undefined && { next_reply_minutes: b.nextReplyMinutes }),
  ...(b.nextReplyEscalations !== undefined && { next_reply_escalations: JSON.stringify(b.nextReplyEscalations) }),
  ...(b.updateEveryMinutes !== undefined && { update_every_minutes: b.updateEveryMinutes }),
  ...(b.updateEscalations !== undefined && { update_escalations: JSON.stringify(b.updateEscalations) }),
});

const policyWriteError = (err: unknown): never => {
  if (isUniqueViolation(err)) throw new Conflict('conflict', 'a policy for this tier and priority exists', [{ path: 'priority', message: 'a policy for this tier and priority exists' }]);
  if (isFkViolation(err)) throw new InvalidInput('unknown tier, priority or calendar', [{ path: 'tier|priority|calendarId', message: 'must exist' }]);
  throw err;
};

export async function insertPolicy(db: Kysely<Database>, cache: SettingsCache, body: PolicyInput) {
  const p = await db.insertInto('sla_policies').values({ id: crypto.randomUUID(), ...policyValues(body) }).returningAll().executeTakeFirstOrThrow().catch(policyWriteError);
  cache.clear();
  return p;
}

/** Saves and starts the rollout that carries the edit to every open ticket on the policy (recorded in the save's transaction). */
export async function updatePolicy(db: Kysely<Database>, cache: SettingsCache, id: string, body: PolicyInput, rollout: RolloutHook) {
  const saved = await saveWithRollout(db, rollout, async (trx) => {
    const p = await trx.updateTable('sla_policies').set({ ...policyValues(body), edit_version: sql<number>`edit_version + 1`, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst().catch(policyWriteError);
    if (!p) throw new NotFound('SLA policy');
    return { saved: p, kind: 'sla_policy', targetId: p.id, editVersion: p.edit_version };
  });
  cache.clear();
  return saved;
}
