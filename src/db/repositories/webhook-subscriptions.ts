/** Outbound webhook subscriptions (their deliveries are activities/webhook-delivery's). */
import crypto from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Db, WebhookSubscriptionRow } from '../schema';

export const listWebhooks = (db: Db): Promise<WebhookSubscriptionRow[]> =>
  db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').execute();

export const findWebhook = (db: Db, id: string): Promise<WebhookSubscriptionRow | undefined> =>
  db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();

export interface WebhookFields {
  url: string;
  eventTypes: string[];
  secret: string;
  active: boolean;
}

export const insertWebhook = (db: Db, w: WebhookFields): Promise<WebhookSubscriptionRow> =>
  db
    .insertInto('webhook_subscriptions')
    .values({ id: crypto.randomUUID(), url: w.url, secret: w.secret, event_types: JSON.stringify(w.eventTypes), active: w.active })
    .returningAll()
    .executeTakeFirstOrThrow();

/** Changes the named fields; undefined when there is no such subscription. */
export const updateWebhook = (db: Db, id: string, w: Partial<WebhookFields>): Promise<WebhookSubscriptionRow | undefined> =>
  db
    .updateTable('webhook_subscriptions')
    .set({ ...(w.url && { url: w.url }), ...(w.eventTypes && { event_types: JSON.stringify(w.eventTypes) }), ...(w.secret && { secret: w.secret }), ...(w.active !== undefined && { active: w.active }) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();

/** False when there was no such subscription. */
export async function deleteWebhook(db: Db, id: string): Promise<boolean> {
  const d = await db.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
  return d.numDeletedRows > 0n;
}

/**
 * Whether subscription `s` wants an event of type `type` (SQL, for the fan-out statements):
 * `*` is every event, `incident.*` every type that starts with `incident.`, anything else the
 * exact type.
 */
export const subscriptionWants = (type: RawBuilder<unknown>): RawBuilder<boolean> => sql<boolean>`exists (
  select 1 from jsonb_array_elements_text(s.event_types) as w(t)
  where w.t = '*' or w.t = ${type} or (w.t like '%.*' and starts_with(${type}, left(w.t, -1))))`;
