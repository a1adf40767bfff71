/**
 * Status-page subscribers: an address subscribes, confirms through the link mailed to it
 * (double opt-in), and may unsubscribe through the link in every message. Tokens are random
 * (crypto.randomBytes, 256 bits) and shared by both links; re-subscribing an unsubscribed
 * address issues a new token, which makes the old links dead and the confirmation new.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export interface PendingSubscriber {
  id: string;
  email: string;
  token: string;
}

const newToken = () => crypto.randomBytes(32).toString('base64url');

/**
 * Records the wish to subscribe; answers the subscriber who still needs a confirmation mail,
 * or null for an address already confirmed (the caller answers the same either way).
 */
export async function requestSubscription(db: Kysely<Database>, email: string): Promise<PendingSubscriber | null> {
  const inserted = await db
    .insertInto('status_subscribers')
    .values({ id: crypto.randomUUID(), email, token: newToken() })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'email', 'token'])
    .executeTakeFirst();
  if (inserted) return inserted;
  const resubscribed = await db
    .updateTable('status_subscribers')
    .set({ token: newToken(), confirmed_at: null, unsubscribed_at: null })
    .where('email', '=', email)
    .where('unsubscribed_at', 'is not', null)
    .returning(['id', 'email', 'token'])
    .executeTakeFirst();
  if (resubscribed) return resubscribed;
  const existing = await db.selectFrom('status_subscribers').select(['id', 'email', 'token', 'confirmed_at']).where('email', '=', email).executeTakeFirst();
  // Still unconfirmed: the mailer's once-per-token record keeps this from mailing twice.
  return existing && existing.confirmed_at === null ? { id: existing.id, email: existing.email, token: existing.token } : null;
}

export type LinkOutcome = 'done' | 'already' | 'unsubscribed' | 'unknown';

export async function confirmSubscription(db: Kysely<Database>, token: string): Promise<LinkOutcome> {
  const row = await db
    .updateTable('status_subscribers')
    .set({ confirmed_at: new Date() })
    .where('token', '=', token)
    .where('confirmed_at', 'is', null)
    .where('unsubscribed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (row) return 'done';
  const existing = await db.selectFrom('status_subscribers').select(['unsubscribed_at']).where('token', '=', token).executeTakeFirst();
  if (!existing) return 'unknown';
  return existing.unsubscribed_at === null ? 'already' : 'unsubscribed';
}

export async function cancelSubscription(db: Kysely<Database>, token: string): Promise<LinkOutcome> {
  const row = await db.updateTable('status_subscribers').set({ unsubscribed_at: new Date() }).where('token', '=', token).where('unsubscribed_at', 'is', null).returning('id').executeTakeFirst();
  if (row) return 'done';
  const existing = await db.selectFrom('status_subscribers').select('id').where('token', '=', token).executeTakeFirst();
  return existing ? 'already' : 'unknown';
}
