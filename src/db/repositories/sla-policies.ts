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
