/**
 * Rollouts: an edit of a calendar, an SLA policy, an incident policy or an organization's
 * tier carried to every open ticket or incident it affects, by a workflow whose progress is
 * kept here. Each edited row gets an edit version, bumped on every save and carried in the
 * snapshots a workflow holds, so an older edit can never overwrite a newer one.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['calendars', 'sla_policies', 'incident_policies']) {
    await db.schema.alterTable(table).addColumn('edit_version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  }
  await db.schema
    .createTable('rollouts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('edit_version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('running'))
    .addColumn('affected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('rollouts_created_at').on('rollouts').column('created_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
