/**
 * Rate limits on status-page subscription requests, so the form cannot be used to mail-bomb
 * an address or to flood the mail server: at most 3 requests per address per hour and 10 per
 * client address per 10 minutes. Kept in PostgreSQL so every API process counts the same
 * requests; an advisory lock per address and per client makes check-and-record one step, so
 * concurrent requests across processes never slip past the limit together.
 * Only accepted requests count: a refused one does not extend its own lock-out. The check runs
 * before the subscription is looked at, so an answer never depends on whether it exists.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export const PER_EMAIL = { max: 3, windowSeconds: 60 * 60 } as const;
export const PER_CLIENT = { max: 10, windowSeconds: 10 * 60 } as const;

export type LimitOutcome = { allowed: true } | { allowed: false; retryAfterSeconds: number; by: 'email' | 'client' };

type Window = { max: number; windowSeconds: number };

/** Checks both limits for one request and, when it is allowed, records it. */
export async function admitSubscriptionRequest(db: Kysely<Database>, email: string, ip: string): Promise<LimitOutcome> {
  const outcome = await db.transaction().execute(async (trx) => {
    // Always the address's lock before the client's: two requests never wait on each other in a circle.
    await sql`select pg_advisory_xact_lock(hashtext(${`status-subscription:email:${email}`}))`.execute(trx);
    await sql`select pg_advisory_xact_lock(hashtext(${`status-subscription:ip:${ip}`}))`.execute(trx);
    const byEmail = await waitFor(trx, 'email', email, PER_EMAIL);
    const byClient = await waitFor(trx, 'ip', ip, PER_CLIENT);
    if (byEmail > 0 || byClient > 0) {
      return { allowed: false as const, retryAfterSeconds: Math.max(byEmail, byClient), by: byEmail >= byClient ? ('email' as const) : ('client' as const) };
    }
    await trx.insertInto('status_subscription_requests').values({ email, ip }).execute();
    return { allowed: true as const };
  });
  // Old requests count for nothing; drop them now and then rather than keep a janitor.
  if (outcome.allowed && Math.random() < 0.05) await db.deleteFrom('status_subscription_requests').where('at', '<', sql<Date>`now() - interval '1 day'`).execute();
  return outcome;
}

/** Seconds until one more request fits the window for this key; 0 if it fits now. */
async function waitFor(trx: Kysely<Database>, column: 'email' | 'ip', value: string, w: Window): Promise<number> {
  const row = await trx
    .selectFrom('status_subscription_requests')
    .select((eb) => [
      eb.fn.countAll<string>().as('n'),
      sql<string | null>`ceil(extract(epoch from (min(at) + make_interval(secs => ${w.windowSeconds}) - now())))`.as('wait'),
    ])
    .where(column, '=', value)
    .where('at', '>', sql<Date>`now() - make_interval(secs => ${w.windowSeconds})`)
    .executeTakeFirstOrThrow();
  if (Number(row.n) < w.max) return 0;
  return Math.max(1, Number(row.wait ?? 1));
}
