/** Status-page components (their impact history goes with them: ON DELETE CASCADE). */
import crypto from 'node:crypto';
import type { ComponentRow, Db } from '../schema';

/** Ungrouped first, then by group, position and name: the status page's order. */
export const listComponents = (db: Db): Promise<ComponentRow[]> =>
  db.selectFrom('components').selectAll().orderBy('group_name', (ob) => ob.asc().nullsFirst()).orderBy('position').orderBy('name').execute();

export const findComponent = (db: Db, id: string): Promise<ComponentRow | undefined> =>
  db.selectFrom('components').selectAll().where('id', '=', id).executeTakeFirst();

export interface ComponentFields {
  name: string;
  group: string | null;
  description: string | null;
  position: number;
  status: string;
}

/** Throws PostgreSQL's unique violation (pg-errors) when the name is taken. */
export const insertComponent = (db: Db, c: ComponentFields): Promise<ComponentRow> =>
  db
    .insertInto('components')
    .values({ id: crypto.randomUUID(), name: c.name, group_name: c.group, description: c.description, position: c.position, status: c.status })
    .returningAll()
    .executeTakeFirstOrThrow();

/** Changes the named fields (and updated_at); undefined when there is no such component. */
export const updateComponent = (db: Db, id: string, c: Partial<ComponentFields>): Promise<ComponentRow | undefined> =>
  db
    .updateTable('components')
    .set({
      ...(c.name !== undefined && { name: c.name }),
      ...(c.group !== undefined && { group_name: c.group }),
      ...(c.description !== undefined && { description: c.description }),
      ...(c.position !== undefined && { position: c.position }),
      ...(c.status !== undefined && { status: c.status }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();

/** False when there was no such component. */
export async function deleteComponent(db: Db, id: string): Promise<boolean> {
  const d = await db.deleteFrom('components').where('id', '=', id).executeTakeFirst();
  return d.numDeletedRows > 0n;
}
