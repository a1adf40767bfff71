/**
 * Rebuilds the search index from the database with no gap for readers: a new collection is
 * filled (articles in pages, synonyms), the alias is moved to it in one call, and the old
 * collection is dropped. Articles changed while it ran are upserted again through the alias
 * afterwards, so an edit made mid-rebuild is not lost in the swap.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { ArticleRepository } from '../kb/article-repository';
import { SynonymRepository } from '../kb/synonyms';
import { searchDocument } from './search-types';
import type { TypesenseIndex } from './typesense-index';

const PAGE = 500;

export interface ReindexResult {
  collection: string;
  previous: string | null;
  articles: number;
}

export async function reindex(db: Kysely<Database>, index: TypesenseIndex): Promise<ReindexResult> {
  const startedAt = new Date(Date.now() - 1_000);
  const repo = new ArticleRepository(db);
  const collection = `${index.alias}_${Date.now()}`;
  await index.createCollection(collection);
  let articles = 0;
  for (let after: string | null = null; ; ) {
    const ids = await repo.idsAfter(after, PAGE);
    if (ids.length === 0) break;
    const docs = (await repo.findMany(ids)).map(searchDocument);
    await index.upsert(docs, collection);
    articles += docs.length;
    after = ids[ids.length - 1]!;
  }
  for (const s of await new SynonymRepository(db).list()) await index.putSynonym(s, collection);
  const previous = await index.currentCollection();
  await index.pointAliasAt(collection);
  const changed = await db.selectFrom('kb_articles').select('id').where('updated_at', '>=', startedAt).execute();
  if (changed.length) await index.upsert((await repo.findMany(changed.map((r) => r.id))).map(searchDocument));
  if (previous && previous !== collection) await index.dropCollection(previous).catch(() => undefined);
  return { collection, previous, articles };
}
