/** What the category classifier learns from (category_examples), and the correction of a ticket's category on its row. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema';
import type { CategorySource } from '../../../workflows/contract/ticket';

type Db = Kysely<Database> | Transaction<Database>;

/** The longest text an example keeps: the start of a ticket says what it is about. */
export const EXAMPLE_TEXT_LIMIT = 4_000;

export function exampleText(subject: string, description: string): string {
  return `${subject}\n${description}`.slice(0, EXAMPLE_TEXT_LIMIT);
}

/** Records (or replaces) the ticket's example: its latest human category is the one that counts. */
export async function upsertCategoryExample(db: Db, ex: { ticketId: string; category: string; text: string; labelledBy: string; at: Date | string }): Promise<void> {
  await db
    .insertInto('category_examples')
    .values({ ticket_id: ex.ticketId, category: ex.category, text: ex.text, labelled_by: ex.labelledBy, labelled_at: ex.at })
    .onConflict((oc) => oc.column('ticket_id').doUpdateSet({ category: ex.category, text: ex.text, labelled_by: ex.labelledBy, labelled_at: ex.at }))
    .execute();
}

/** An agent cleared the category: the ticket teaches nothing any more. */
export async function deleteCategoryExample(db: Db, ticketId: string): Promise<void> {
  await db.deleteFrom('category_examples').where('ticket_id', '=', ticketId).execute();
}

/** The newest `limit` examples. */
export async function recentCategoryExamples(db: Db, limit: number): Promise<Array<{ category: string; text: string }>> {
  return db.selectFrom('category_examples').select(['category', 'text']).orderBy('labelled_at', 'desc').limit(limit).execute();
}

/** How many examples there are and when the newest came: another process's correction shows here. */
export async function categoryExamplesMark(db: Db): Promise<{ count: number; newest: Date | null }> {
  const row = await db
    .selectFrom('category_examples')
    .select([sql<string>`count(*)`.as('count'), sql<Date | null>`max(labelled_at)`.as('newest')])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), newest: row.newest };
}

export interface CategoryState {
  category: string | null;
  source: CategorySource | null;
  confidence: number | null;
  subject: string;
  description: string;
}

/** The row's category as it stands, locked for the change that follows in the same transaction. */
export async function categoryStateForUpdate(db: Db, ticketId: string): Promise<CategoryState | undefined> {
  return db
    .selectFrom('tickets')
    .select(['category', 'category_source as source', 'category_confidence as confidence', 'subject', 'description'])
    .where('id', '=', ticketId)
    .forUpdate()
    .executeTakeFirst();
}

/** A person chose the category: no automatic choice or suggestion stands beside it. */
export async function markCategoryChosenBy(db: Db, ticketId: string, source: 'agent' | 'customer'): Promise<void> {
  await db.updateTable('tickets').set({ category_source: source, category_confidence: null, category_suggestion: null }).where('id', '=', ticketId).execute();
}
