/** Organizations, and the tiers and priorities they and their tickets are ranked by. */
import crypto from 'node:crypto';
import type { Db, OrganizationRow } from '../schema';

export const listTiers = (db: Db) => db.selectFrom('tiers').selectAll().orderBy('rank').execute();
export const listPriorities = (db: Db) => db.selectFrom('priorities').selectAll().orderBy('rank').execute();

export async function tierExists(db: Db, tier: string): Promise<boolean> {
  return (await db.selectFrom('tiers').select('name').where('name', '=', tier).executeTakeFirst()) !== undefined;
}

/** Every organization by name, or only `onlyId` (a customer sees its own). */
export async function listOrganizations(db: Db, onlyId?: string): Promise<OrganizationRow[]> {
  let q = db.selectFrom('organizations').selectAll().orderBy('name');
  if (onlyId !== undefined) q = q.where('id', '=', onlyId);
  return q.execute();
}

export const findOrganization = (db: Db, id: string): Promise<OrganizationRow | undefined> =>
  db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();

export async function organizationExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

export interface OrganizationFields {
  name: string;
  tier: string;
  emailDomains: string[];
}

/** Throws PostgreSQL's unique violation (pg-errors) when the name is taken. */
export const insertOrganization = (db: Db, o: OrganizationFields): Promise<OrganizationRow> =>
  db
    .insertInto('organizations')
    .values({ id: crypto.randomUUID(), name: o.name, tier: o.tier, email_domains: JSON.stringify(o.emailDomains) })
    .returningAll()
    .executeTakeFirstOrThrow();

/** Changes the named fields (and updated_at); throws when the row is gone or the name is taken. */
export const updateOrganization = (db: Db, id: string, o: Partial<OrganizationFields>): Promise<OrganizationRow> =>
  db
    .updateTable('organizations')
    .set({ ...(o.name && { name: o.name }), ...(o.tier && { tier: o.tier }), ...(o.emailDomains && { email_domains: JSON.stringify(o.emailDomains) }), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** False when there was no such organization; throws the foreign-key violation while tickets or keys still name it. */
export async function deleteOrganization(db: Db, id: string): Promise<boolean> {
  const d = await db.deleteFrom('organizations').where('id', '=', id).executeTakeFirst();
  return d.numDeletedRows > 0n;
}

/** Tickets of the organization that are neither closed nor cancelled. */
export async function countOpenTickets(db: Db, organizationId: string): Promise<number> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('status', 'not in', ['closed', 'cancelled'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The name and tier a ticket page shows; throws when there is no such organization. */
export const organizationSummary = (db: Db, id: string): Promise<Pick<OrganizationRow, 'name' | 'tier'>> =>
  db.selectFrom('organizations').select(['name', 'tier']).where('id', '=', id).executeTakeFirstOrThrow();

/** Tiers, priorities and organizations as the console's filters offer them. */
export const filterChoices = (db: Db) =>
  Promise.all([
    db.selectFrom('tiers').select(['name', 'label']).orderBy('rank').execute(),
    db.selectFrom('priorities').select(['name', 'label']).orderBy('rank').execute(),
    listOrganizationNames(db),
  ]);

/** Every organization's id and name, by name (for a form's choice). */
export const listOrganizationNames = (db: Db) => db.selectFrom('organizations').select(['id', 'name']).orderBy('name').execute();
