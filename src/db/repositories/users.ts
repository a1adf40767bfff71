/** User reads (creating and changing users, with their rules, is the domain's users module). */
import type { Db, UserRow } from '../schema';

export const listUsers = (db: Db): Promise<UserRow[]> => db.selectFrom('users').selectAll().orderBy('email').execute();

export const findUser = (db: Db, id: string): Promise<UserRow | undefined> => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByEmail = (db: Db, email: string): Promise<UserRow | undefined> =>
  db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

/** Every user with the name of its organization (null for staff), by email. */
export const listUsersWithOrganization = (db: Db) =>
  db.selectFrom('users').leftJoin('organizations as o', 'o.id', 'users.organization_id').selectAll('users').select('o.name as org_name').orderBy('users.email').execute();

/** How many unexpired sessions the user still has (sign-out asks whether this was the last). */
export async function liveSessionCount(db: Db, userId: string): Promise<number> {
  const r = await db.selectFrom('sessions').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('expires_at', '>', new Date()).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Staff (admins, managers, agents) take tickets; customers never do. */
export const isStaffRole = (role: string) => role !== 'customer';
