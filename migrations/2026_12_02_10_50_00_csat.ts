/**
 * Customer satisfaction: one survey per ticket, written when the ticket's workflow sends it
 * (after the configured delay, the ticket still solved). The rating columns stay null until
 * the customer answers; a changed rating overwrites the row, so a ticket counts once in a score.
 * The assignee, organization and priority are those at the time of rating, so a report groups
 * by who was responsible then, not by who holds the ticket now.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('csat_surveys')
    .addColumn('ticket_id', 'uuid', (c) => c.primaryKey().references('tickets.id'))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('rating', 'smallint', (c) => c.check(sql`rating between 1 and 5`))
    .addColumn('comment', 'text')
    .addColumn('reason', 'text')
    .addColumn('assignee', 'text')
    .addColumn('organization_id', 'uuid')
    .addColumn('priority', 'text')
    .addColumn('rated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Scores are read per period of rating, then per agent or organization.
  await db.schema.createIndex('csat_surveys_rated_at').on('csat_surveys').column('rated_at').where(sql.ref('rating'), 'is not', null).execute();
  await db.schema.createIndex('csat_surveys_assignee').on('csat_surveys').columns(['assignee', 'rated_at']).where(sql.ref('rating'), 'is not', null).execute();
  await db.schema.createIndex('csat_surveys_organization').on('csat_surveys').columns(['organization_id', 'rated_at']).where(sql.ref('rating'), 'is not', null).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
