/**
 * Effects on the outside world, carried out once. `once(key, fn)` runs fn only if no result
 * is recorded under key, and records it after. A crash between the effect and the record
 * re-runs fn, so every fn must itself be safe to repeat (PagerDuty dedup keys, a Jira label
 * search, a Message-ID) — `once` keeps the common retry from even trying, and the record
 * waits out a short database outage rather than turning it into a repeated effect.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export async function once<T>(db: Kysely<Database>, key: string, fn: () => Promise<T>): Promise<T> {
  const done = await db.selectFrom('integration_effects').select('result').where('key', '=', key).executeTakeFirst();
  if (done) return done.result as T;
  const result = await fn();
  await recordEffect(db, key, result);
  return result;
}

/**
 * The effect has happened: failing now would make Temporal run it again. So the record (an
 * idempotent insert) is retried here through a database outage of up to a minute, well inside
 * every activity's time limit, and only then left to Temporal's retry (which repeats the effect).
 */
async function recordEffect(db: Kysely<Database>, key: string, result: unknown, patienceMs = 60_000): Promise<void> {
  const giveUpAt = Date.now() + patienceMs;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      await db
        .insertInto('integration_effects')
        .values({ key, result: JSON.stringify(result ?? null) })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      return;
    } catch (err) {
      if (Date.now() + wait > giveUpAt) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
