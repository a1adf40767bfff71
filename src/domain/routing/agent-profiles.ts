/**
 * An agent's routing profile: skills with levels, languages, capacity (in total and per
 * priority), a working calendar (the SLA policies' calendars; none = always working) and
 * personal days off. The edge checks the shape; here: the user is staff and the calendar exists.
 * A user without a saved profile reads as the defaults (offline, capacity 5, no skills).
 */
import type { AgentProfileRow, Db } from '../../db/schema';
import { findAgentProfile, upsertAgentProfile, type AgentProfileFields } from '../../db/repositories/routing-agents';
import { findCalendar } from '../../db/repositories/calendars';
import { findUser } from '../../db/repositories/users';
import { InvalidInput, NotFound } from '../../core/errors';
import { requireAgentUser } from './routing-groups';
import { groupIdsOfUser } from '../../db/repositories/routing-groups';
import type { AgentStatusListener } from './agent-status';

export type AgentProfileInput = AgentProfileFields;

export const DEFAULT_CAPACITY = 5;

/** The profile as stored, or what an agent without one is treated as. */
export function profileOrDefault(userId: string, row: AgentProfileRow | undefined | null): AgentProfileRow {
  return (
    row ?? {
      user_id: userId,
      status: 'offline',
      status_since: new Date(0),
      capacity: DEFAULT_CAPACITY,
      capacity_by_priority: {},
      calendar_id: null,
      days_off: [],
      languages: [],
      skills: [],
      round_robin_at: null,
      updated_at: new Date(0),
    }
  );
}

export async function readAgentProfile(db: Db, userId: string) {
  const user = await findUser(db, userId);
  if (!user) throw new NotFound('user');
  if (user.role === 'customer') throw new NotFound('agent');
  return { user, profile: profileOrDefault(userId, await findAgentProfile(db, userId)) };
}

export async function saveAgentProfile(db: Db, listener: AgentStatusListener, userId: string, input: AgentProfileInput): Promise<AgentProfileRow> {
  if (!(await findUser(db, userId))) throw new NotFound('user');
  await requireAgentUser(db, userId);
  if (input.calendarId !== null && !(await findCalendar(db, input.calendarId))) {
    throw new InvalidInput('no such calendar', [{ path: 'calendarId', message: 'no such calendar' }]);
  }
  const row = await upsertAgentProfile(db, userId, input);
  await listener.agentSettingsChanged({ userId, cause: 'profile', groupIds: await groupIdsOfUser(db, userId) });
  return row;
}
