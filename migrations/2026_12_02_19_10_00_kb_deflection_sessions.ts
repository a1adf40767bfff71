/**
 * Deflections as the suggestion side writes them: the suggestion session (one new-ticket form)
 * an opened article belongs to, and the ticket the reader filed after all, if they did. An
 * opened suggestion is a deflection until the same session files a ticket; the row then names
 * that ticket and no longer counts. One row per article per session, however often it is opened.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('kb_deflections')
    .addColumn('session_id', 'uuid')
    .addColumn('ticket_id', 'uuid', (c) => c.references('tickets.id').onDelete('set null'))
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('portal'))
    .execute();
  await db.schema
    .createIndex('kb_deflections_one_per_session')
    .on('kb_deflections')
    .columns(['session_id', 'article_id'])
    .unique()
    .where(sql.ref('session_id'), 'is not', null)
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
