/** Routing groups (queues) and their members. The rules on them are the domain's (src/domain/routing). */
import type { Kysely, Transaction } from 'kysely';
import type { Database, Db, RoutingGroupRow } from '../schema';
import type { RoutingGroupSettings } from '../../../workflows/contract/routing';

type Tx = Kysely<Database> | Transaction<Database>;

export const listRoutingGroups = (db: Tx): Promise<RoutingGroupRow[]> => db.selectFrom('routing_groups').selectAll().orderBy('name').execute();

export const findRoutingGroup = (db: Tx, id: string): Promise<RoutingGroupRow | undefined> =>
  db.selectFrom('routing_groups').selectAll().where('id', '=', id).executeTakeFirst();

export const findRoutingGroupByName = (db: Tx, name: string): Promise<RoutingGroupRow | undefined> =>
  db.selectFrom('routing_groups').selectAll().where('name', '=', name).executeTakeFirst();

/** What a group's row holds besides its id and timestamps: the settings the routing workflow plans with. */
export type RoutingGroupFields = Omit<RoutingGroupSettings, 'id'>;

/** A group's row as the settings routing plans with and the API shows. */
export const routingGroupSettings = (g: RoutingGroupRow): RoutingGroupSettings => ({
  id: g.id,
  name: g.name,
  strategy: g.strategy,
  releaseOnOffline: g.release_on_offline,
  awayReleaseMinutes: g.away_release_minutes,
  releaseOnShiftEnd: g.release_on_shift_end,
  answerMinutes: g.answer_minutes,
});

const groupValues = (f: RoutingGroupFields) => ({
  name: f.name,
  strategy: f.strategy,
  release_on_offline: f.releaseOnOffline,
  away_release_minutes: f.awayReleaseMinutes,
  release_on_shift_end: f.releaseOnShiftEnd,
  answer_minutes: f.answerMinutes,
});

export async function insertRoutingGroup(db: Tx, id: string, f: RoutingGroupFields): Promise<RoutingGroupRow> {
  return db.insertInto('routing_groups').values({ id, ...groupValues(f) }).returningAll().executeTakeFirstOrThrow();
}

export async function updateRoutingGroup(db: Tx, id: string, f: RoutingGroupFields): Promise<RoutingGroupRow | undefined> {
  return db.updateTable('routing_groups').set({ ...groupValues(f), updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Deletes the group (members go with it); false when there was none. */
export async function deleteRoutingGroup(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('routing_groups').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** How many rules send tickets to the group (a group in use is not deleted). */
export async function countRulesOfGroup(db: Tx, groupId: string): Promise<number> {
  const r = await db.selectFrom('routing_rules').select((eb) => eb.fn.countAll<string>().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface GroupMemberRow {
  user_id: string;
  email: string;
  name: string;
  role: string;
  added_at: Date;
}

export const listGroupMembers = (db: Tx, groupId: string): Promise<GroupMemberRow[]> =>
  db
    .selectFrom('routing_group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.email', 'u.name', 'u.role', 'm.added_at'])
    .where('m.group_id', '=', groupId)
    .orderBy('u.email')
    .execute();

/** Adds a member; adding one already there changes nothing. */
export async function addGroupMember(db: Tx, groupId: string, userId: string): Promise<void> {
  await db.insertInto('routing_group_members').values({ group_id: groupId, user_id: userId }).onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing()).execute();
}

/** Removes a member; false when they were not one. */
export async function removeGroupMember(db: Tx, groupId: string, userId: string): Promise<boolean> {
  const r = await db.deleteFrom('routing_group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The groups an agent belongs to (a status change concerns each of their workflows). */
export async function groupIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('routing_group_members').select('group_id').where('user_id', '=', userId).orderBy('group_id').execute();
  return rows.map((r) => r.group_id);
}

/** Every membership with the group's name, by group name (the console's agents view). */
export const listMemberships = (db: Tx): Promise<Array<{ user_id: string; group_id: string; group_name: string }>> =>
  db.selectFrom('routing_group_members as m').innerJoin('routing_groups as g', 'g.id', 'm.group_id').select(['m.user_id', 'm.group_id', 'g.name as group_name']).orderBy('g.name').execute();
