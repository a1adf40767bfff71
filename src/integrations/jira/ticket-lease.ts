/**
 * One Jira conversation per ticket at a time, across processes: two ladder steps due at once
 * after downtime, or a step and an agent's request, would otherwise both search, both find
 * nothing (search lags) and both create. The lease is a row in integration_effects rather
 * than a held lock, so no database connection waits on Jira (the embedded database has one),
 * and it expires by the database clock if its holder dies.
 */
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export interface LeaseOptions {
  /** How long a holder may keep it before others may take it over. */
  ttlSeconds?: number;
  /** How long to wait for it before giving up. */
  waitMs?: number;
}

export class LeaseBusy extends Error {
  constructor(what: string) {
    super(`${what} is busy: another request holds it`);
    this.name = 'LeaseBusy';
  }
}

export async function withLease<T>(db: Kysely<Database>, key: string, fn: () => Promise<T>, opts: LeaseOptions = {}): Promise<T> {
  const ttl = opts.ttlSeconds ?? 150;
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  const leaseKey = `lease:${key}`;
  const token = crypto.randomUUID();
  for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
    const taken = await db
      .insertInto('integration_effects')
      .values({ key: leaseKey, result: sql`jsonb_build_object('token', ${token}::text, 'until', extract(epoch from now()) + ${ttl}::int)` })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    if (taken) {
      try {
        return await fn();
      } finally {
        await db.deleteFrom('integration_effects').where('key', '=', leaseKey).where(sql<string>`result->>'token'`, '=', token).execute();
      }
    }
    // A holder that died leaves its lease behind until it expires.
    await db.deleteFrom('integration_effects').where('key', '=', leaseKey).where(sql<number>`(result->>'until')::float8`, '<', sql<number>`extract(epoch from now())`).execute();
    if (Date.now() > deadline) throw new LeaseBusy(key);
    await new Promise((r) => setTimeout(r, pause));
  }
}
