/**
 * Recent status-page subscription requests, by address and by client address, so every API
 * process counts the same requests when it rate-limits them. Rows older than a day mean
 * nothing and are dropped now and then by the limiter.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('status_subscription_requests')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('status_subscription_requests_email').on('status_subscription_requests').columns(['email', 'at']).execute();
  await db.schema.createIndex('status_subscription_requests_ip').on('status_subscription_requests').columns(['ip', 'at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
