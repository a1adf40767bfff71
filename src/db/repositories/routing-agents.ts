/**
 * Agents' routing profiles and their loads (open tickets assigned to them, by priority). An
 * agent without a profile row is offline with the defaults: the row appears on the first save.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AgentProfileRow, AgentSkill, AgentStatus, Database, Db } from '../schema';
import { OPEN_STATUSES } from './ticket-gauges';

type Tx = Kysely<Database> | Transaction<Database>;

export const findAgentProfile = (db: Tx, userId: string): Promise<AgentProfileRow | undefined> =>
  db.selectFrom('agent_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();

/**
 * Locks agents' profile rows until the transaction ends: deciding assignments holds them while it
 * re-checks capacity, so two groups' workflows never both fill an agent's last slot. Always in one
 * order (by user id), so two groups deciding for the same agents never deadlock.
 */
export const lockAgentProfiles = (db: Transaction<Database>, userIds: string[]): Promise<AgentProfileRow[]> =>
  userIds.length === 0 ? Promise.resolve([]) : db.selectFrom('agent_profiles').selectAll().where('user_id', 'in', userIds).orderBy('user_id').forUpdate().execute();

export interface AgentProfileFields {
  capacity: number;
  capacityByPriority: Record<string, number>;
  calendarId: string | null;
  daysOff: string[];
  languages: string[];
  skills: AgentSkill[];
}

/** Saves the profile (not the status: that has its own path, with its listener). */
export async function upsertAgentProfile(db: Tx, userId: string, f: AgentProfileFields): Promise<AgentProfileRow> {
  const values = {
    capacity: f.capacity,
    capacity_by_priority: JSON.stringify(f.capacityByPriority),
    calendar_id: f.calendarId,
    days_off: JSON.stringify(f.daysOff),
    languages: JSON.stringify(f.languages),
    skills: JSON.stringify(f.skills),
  };
  return db
    .insertInto('agent_profiles')
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...values, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Sets the status; `status_since` moves only when the status changes (setting "online" twice
 * keeps the first instant, which is what "away for longer than N minutes" counts from).
 * Returns the row and whether the status changed.
 */
export async function setAgentStatus(db: Tx, userId: string, status: AgentStatus, at: Date): Promise<{ row: AgentProfileRow; changed: boolean }> {
  const before = await findAgentProfile(db, userId);
  const row = await db
    .insertInto('agent_profiles')
    .values({ user_id: userId, status, status_since: at })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        status,
        status_since: sql<Date>`case when agent_profiles.status = ${status} then agent_profiles.status_since else ${at} end`,
        updated_at: at,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, changed: (before?.status ?? 'offline') !== status };
}

/** Records that round-robin just picked the agent. */
export async function markRoundRobinPick(db: Tx, userId: string, at: Date): Promise<void> {
  await db.updateTable('agent_profiles').set({ round_robin_at: at }).where('user_id', '=', userId).execute();
}

export interface AgentLoad {
  total: number;
  byPriority: Record<string, number>;
}

/** Open tickets assigned to each of these emails (the assignee column holds an email), by priority. */
export async function loadsOfAssignees(db: Tx, emails: string[]): Promise<Map<string, AgentLoad>> {
  const loads = new Map<string, AgentLoad>(emails.map((e) => [e, { total: 0, byPriority: {} }]));
  if (emails.length === 0) return loads;
  const rows = await db
    .selectFrom('tickets')
    .select(['assignee', 'priority', (eb) => eb.fn.countAll<string>().as('n')])
    .where('assignee', 'in', emails)
    .where('status', 'in', OPEN_STATUSES)
    .groupBy(['assignee', 'priority'])
    .execute();
  for (const r of rows) {
    const load = loads.get(r.assignee!);
    if (!load) continue;
    const n = Number(r.n);
    load.total += n;
    load.byPriority[r.priority] = (load.byPriority[r.priority] ?? 0) + n;
  }
  return loads;
}

/** A staff user with their profile (null when they have none yet). */
export interface AgentWithProfile {
  user_id: string;
  email: string;
  name: string;
  role: string;
  time_zone: string;
  disabled_at: Date | null;
  profile: AgentProfileRow | null;
}

/** Every staff user (agents, managers, admins: all can hold tickets) with their profile, by email. */
export async function listAgentsWithProfiles(db: Db): Promise<AgentWithProfile[]> {
  const users = await db.selectFrom('users').select(['id', 'email', 'name', 'role', 'time_zone', 'disabled_at']).where('role', '!=', 'customer').orderBy('email').execute();
  const profiles = await db.selectFrom('agent_profiles').selectAll().execute();
  const byUser = new Map(profiles.map((p) => [p.user_id, p]));
  return users.map((u) => ({ user_id: u.id, email: u.email, name: u.name, role: u.role, time_zone: u.time_zone, disabled_at: u.disabled_at, profile: byUser.get(u.id) ?? null }));
}

/** The members of a group with their profiles, by email: what a routing workflow plans with. */
export async function groupAgentsWithProfiles(db: Tx, groupId: string): Promise<AgentWithProfile[]> {
  const users = await db
    .selectFrom('routing_group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.role', 'u.time_zone', 'u.disabled_at'])
    .where('m.group_id', '=', groupId)
    .orderBy('u.email')
    .execute();
  if (users.length === 0) return [];
  const profiles = await db.selectFrom('agent_profiles').selectAll().where('user_id', 'in', users.map((u) => u.id)).execute();
  const byUser = new Map(profiles.map((p) => [p.user_id, p]));
  return users.map((u) => ({ user_id: u.id, email: u.email, name: u.name, role: u.role, time_zone: u.time_zone, disabled_at: u.disabled_at, profile: byUser.get(u.id) ?? null }));
}
