/**
 * Login rate limiting: after 5 failed sign-ins for one account from one address within
 * 15 minutes, further attempts are refused (429) until the window slides past them. Kept in
 * PostgreSQL so every API process counts the same failures.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export const MAX_FAILURES = 5;
export const WINDOW_MINUTES = 15;

export async function isLockedOut(db: Kysely<Database>, account: string, ip: string): Promise<boolean> {
  const row = await db
    .selectFrom('login_failures')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('account', '=', account)
    .where('ip', '=', ip)
    .where('at', '>', sql<Date>`now() - make_interval(mins => ${WINDOW_MINUTES})`)
    .executeTakeFirstOrThrow();
  return Number(row.n) >= MAX_FAILURES;
}

export async function recordFailure(db: Kysely<Database>, account: string, ip: string): Promise<void> {
  await db.insertInto('login_failures').values({ account, ip }).execute();
  // Old failures count for nothing; drop them now and then rather than keep a janitor.
  if (Math.random() < 0.05) await db.deleteFrom('login_failures').where('at', '<', sql<Date>`now() - interval '1 day'`).execute();
}

export async function clearFailures(db: Kysely<Database>, account: string, ip: string): Promise<void> {
  await db.deleteFrom('login_failures').where('account', '=', account).where('ip', '=', ip).execute();
}
