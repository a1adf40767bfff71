/**
 * Categories and language learned from a ticket's text (src/domain/classify):
 * - tickets.language: ISO 639-1 code detected at intake, null when unsure (routing reads it);
 * - tickets.category_source: who chose the category (agent, customer, or automatically the
 *   classifier or the keyword lists), category_confidence of an automatic choice or of the
 *   suggestion, category_suggestion: a category below the threshold, offered, not set;
 * - category_examples: what the classifier trains on, one row per ticket whose category an
 *   agent chose or corrected (the text as it was then), so a restart or another API process
 *   rebuilds the same model and a correction is counted once however often it is made.
 * Existing tickets with a category were categorised by people (there was no classifier):
 * they become the first examples.
 * Frozen in time: it takes Kysely<any> so later changes to the typed schema never alter it.
 */
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tickets')
    .addColumn('language', 'text')
    .addColumn('category_source', 'text', (c) => c.check(sql`category_source in ('agent', 'customer', 'classifier', 'keywords')`))
    .addColumn('category_confidence', 'real', (c) => c.check(sql`category_confidence between 0 and 1`))
    .addColumn('category_suggestion', 'text')
    .execute();
  await db.schema
    .createTable('category_examples')
    .addColumn('ticket_id', 'uuid', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('labelled_by', 'text', (c) => c.notNull())
    .addColumn('labelled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Training reads the newest examples first (a bounded window follows how agents categorise now).
  await db.schema.createIndex('category_examples_labelled_at').on('category_examples').column('labelled_at').execute();
  await sql`
    insert into category_examples (ticket_id, category, text, labelled_by, labelled_at)
    select id, category, left(subject || E'\n' || description, 4000), 'before classification', updated_at
    from tickets where category is not null and btrim(category) <> ''`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
