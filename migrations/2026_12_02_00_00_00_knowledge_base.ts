/**
 * The knowledge base: categories, sections, articles and their revisions, admin-managed search
 * synonyms, and the search outbox that feeds Typesense. An article points at two revisions:
 * the one readers see (published_revision_id) and the newest save (latest_revision_id), so a
 * published article stays live while its next draft is edited. search_vector holds the
 * published revision for PostgreSQL full-text search, the fallback when Typesense is away.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kb_categories')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // At most one default category: where an article goes when it names none.
  await sql`create unique index kb_categories_one_default on kb_categories (is_default) where is_default`.execute(db);

  await db.schema
    .createTable('kb_sections')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('category_id', 'uuid', (c) => c.notNull().references('kb_categories.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('kb_sections_name_in_category', ['category_id', 'name'])
    .execute();

  await db.schema
    .createTable('kb_articles')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('category_id', 'uuid', (c) => c.notNull().references('kb_categories.id'))
    .addColumn('section_id', 'uuid', (c) => c.references('kb_sections.id'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('translation_group_id', 'uuid', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('organization_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('latest_revision_id', 'uuid')
    .addColumn('published_revision_id', 'uuid')
    .addColumn('search_vector', sql`tsvector`)
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .addColumn('archived_at', 'timestamptz')
    .addCheckConstraint('kb_articles_state', sql`state in ('draft', 'published', 'archived')`)
    .addCheckConstraint('kb_articles_visibility', sql`visibility in ('public', 'organizations', 'agents')`)
    // One article per locale in a translation group.
    .addUniqueConstraint('kb_articles_translation_locale', ['translation_group_id', 'locale'])
    .execute();
  await db.schema.createIndex('kb_articles_category').on('kb_articles').columns(['category_id', 'state']).execute();
  await sql`create index kb_articles_search on kb_articles using gin (search_vector)`.execute(db);

  await db.schema
    .createTable('kb_revisions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('kb_articles.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('keywords', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('kb_revisions_number', ['article_id', 'number'])
    .execute();

  // Each article change adds a row in the same transaction; the drainer upserts the article's
  // current state into Typesense and deletes the rows it carried.
  await db.schema
    .createTable('kb_search_outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('article_id', 'uuid', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('kb_synonyms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('synonyms', 'jsonb', (c) => c.notNull())
    .addColumn('root', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
