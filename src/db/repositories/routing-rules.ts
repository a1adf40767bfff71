/** Routing rules, kept in evaluation order (position 0 first, positions dense). */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, RequiredSkill, RoutingConditions, RoutingRuleRow } from '../schema';

type Tx = Kysely<Database> | Transaction<Database>;

export const listRoutingRules = (db: Tx): Promise<RoutingRuleRow[]> => db.selectFrom('routing_rules').selectAll().orderBy('position').execute();

/** The rules intake evaluates: enabled ones, in order. */
export const listEnabledRoutingRules = (db: Tx): Promise<RoutingRuleRow[]> =>
  db.selectFrom('routing_rules').selectAll().where('enabled', '=', true).orderBy('position').execute();

export const findRoutingRule = (db: Tx, id: string): Promise<RoutingRuleRow | undefined> =>
  db.selectFrom('routing_rules').selectAll().where('id', '=', id).executeTakeFirst();

export interface RoutingRuleFields {
  name: string;
  enabled: boolean;
  conditions: RoutingConditions;
  groupId: string;
  requiredSkills: RequiredSkill[];
}

const ruleValues = (f: RoutingRuleFields) => ({
  name: f.name,
  enabled: f.enabled,
  conditions: JSON.stringify(f.conditions),
  group_id: f.groupId,
  required_skills: JSON.stringify(f.requiredSkills),
});

/** Appends a rule at the end of the order. Run it in a transaction that locked the order (lockRuleOrder). */
export async function insertRoutingRule(db: Tx, id: string, f: RoutingRuleFields): Promise<RoutingRuleRow> {
  const last = await db.selectFrom('routing_rules').select((eb) => eb.fn.max<number | null>('position').as('p')).executeTakeFirst();
  const position = last?.p == null ? 0 : last.p + 1;
  return db.insertInto('routing_rules').values({ id, position, ...ruleValues(f) }).returningAll().executeTakeFirstOrThrow();
}

export async function updateRoutingRule(db: Tx, id: string, f: RoutingRuleFields): Promise<RoutingRuleRow | undefined> {
  return db.updateTable('routing_rules').set({ ...ruleValues(f), updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Deletes a rule and closes the gap it leaves in the order. */
export async function deleteRoutingRule(db: Tx, id: string): Promise<boolean> {
  const gone = await db.deleteFrom('routing_rules').where('id', '=', id).returning('position').executeTakeFirst();
  if (!gone) return false;
  await db.updateTable('routing_rules').set((eb) => ({ position: eb('position', '-', 1) })).where('position', '>', gone.position).execute();
  return true;
}

/**
 * Serializes edits of the order (appends, deletes, reorders) across API processes until the
 * transaction ends. An advisory lock, since row locks hold nothing while there are no rules.
 */
export async function lockRuleOrder(db: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('pacer.routing_rules.order'))`.execute(db);
}

/** Gives each rule its index in `orderedIds` as its position (the unique constraint is deferred to commit). */
export async function setRuleOrder(db: Transaction<Database>, orderedIds: string[]): Promise<void> {
  for (const [position, id] of orderedIds.entries()) {
    await db.updateTable('routing_rules').set({ position, updated_at: new Date() }).where('id', '=', id).execute();
  }
}
