/**
 * What readers do with the knowledge base: "was this helpful?" votes (one per reader per
 * article: a signed-in user's id or an anonymous reader cookie, a second vote replaces the
 * first), view counts per article and day (so a report can say "most viewed this month"),
 * a log of every search (query, hits, caller kind) for the searches-with-no-hits report, and
 * deflections (a reader opened a suggested article and did not file the ticket) — written by the
 * suggestion side, read by the KB report.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kb_votes')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('reader_key', 'text', (c) => c.notNull())
    .addColumn('helpful', 'boolean', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('kb_votes_one_per_reader', ['article_id', 'reader_key'])
    .execute();

  await db.schema
    .createTable('kb_article_views')
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('kb_article_views_pk', ['article_id', 'day'])
    .execute();

  await db.schema
    .createTable('kb_search_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('hit_count', 'integer', (c) => c.notNull())
    .addColumn('caller_kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('kb_search_log_caller_kind', sql`caller_kind in ('anonymous', 'customer', 'agent', 'admin')`)
    .execute();
  await db.schema.createIndex('kb_search_log_no_hits').on('kb_search_log').columns(['hit_count', 'created_at']).execute();

  await db.schema
    .createTable('kb_deflections')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('reader_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('kb_deflections_article').on('kb_deflections').columns(['article_id', 'created_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
