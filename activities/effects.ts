/**
 * Effects on the outside world, carried out once. `once(key, fn)` runs fn only if no result
 * is recorded under key, and records it after. A crash between the effect and the record
 * re-runs fn, so every fn must itself be safe to repeat (PagerDuty dedup keys, a Jira label
 * search, a Message-ID) — `once` keeps the common retry from even trying.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';

export async function once<T>(db: Kysely<Database>, key: string, fn: () => Promise<T>): Promise<T> {
  const done = await db.selectFrom('integration_effects').select('result').where('key', '=', key).executeTakeFirst();
  if (done) return done.result as T;
  const result = await fn();
  await db
    .insertInto('integration_effects')
    .values({ key, result: JSON.stringify(result ?? null) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return result;
}
