/**
 * Every SQL statement about articles and revisions. Callers pass the database or a
 * transaction (a Transaction is a Kysely), so the service decides what is atomic.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, KbArticleRow, KbRevisionRow } from '../../db/schema';
import { markdownToText } from './markdown';
import { canRead, type Reader } from './visibility';

export interface Revision {
  id: string;
  articleId: string;
  number: number;
  title: string;
  body: string;
  keywords: string[];
  author: string;
  note: string | null;
  createdAt: Date;
}

export interface Article {
  id: string;
  categoryId: string;
  sectionId: string | null;
  locale: string;
  translationGroupId: string;
  state: string;
  visibility: string;
  organizationIds: string[];
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  archivedAt: Date | null;
  /** The newest save: what an editor works on. */
  latest: Revision;
  /** What readers see; null until first published. */
  published: Revision | null;
}

export interface ArticleListFilter {
  categoryId?: string;
  sectionId?: string;
  state?: string;
  locale?: string;
  limit: number;
  offset: number;
}

const jsonArray = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? (JSON.parse(v) as string[]) : []);

// PostgreSQL's text-search parser takes "<word>" for a markup tag and drops the word.
const untagged = (s: string) => s.replace(/[<>]/g, ' ');

export function revisionOf(r: KbRevisionRow): Revision {
  return { id: r.id, articleId: r.article_id, number: r.number, title: r.title, body: r.body, keywords: jsonArray(r.keywords), author: r.author, note: r.note, createdAt: new Date(r.created_at) };
}

export class ArticleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  with(db: Kysely<Database>): ArticleRepository {
    return new ArticleRepository(db);
  }

  async insertArticle(row: { id: string; categoryId: string; sectionId: string | null; locale: string; translationGroupId: string; visibility: string; organizationIds: string[] }): Promise<void> {
    await this.db
      .insertInto('kb_articles')
      .values({ id: row.id, category_id: row.categoryId, section_id: row.sectionId, locale: row.locale, translation_group_id: row.translationGroupId, state: 'draft', visibility: row.visibility, organization_ids: JSON.stringify(row.organizationIds), latest_revision_id: null, published_revision_id: null, published_at: null, archived_at: null })
      .execute();
  }

  async updateArticle(
    id: string,
    set: Partial<{ categoryId: string; sectionId: string | null; locale: string; visibility: string; organizationIds: string[]; state: string; latestRevisionId: string; publishedRevisionId: string; publishedAt: Date; archivedAt: Date | null }>,
  ): Promise<void> {
    await this.db
      .updateTable('kb_articles')
      .set({
        ...(set.categoryId !== undefined && { category_id: set.categoryId }),
        ...(set.sectionId !== undefined && { section_id: set.sectionId }),
        ...(set.locale !== undefined && { locale: set.locale }),
        ...(set.visibility !== undefined && { visibility: set.visibility }),
        ...(set.organizationIds !== undefined && { organization_ids: JSON.stringify(set.organizationIds) }),
        ...(set.state !== undefined && { state: set.state }),
        ...(set.latestRevisionId !== undefined && { latest_revision_id: set.latestRevisionId }),
        ...(set.publishedRevisionId !== undefined && { published_revision_id: set.publishedRevisionId }),
        ...(set.publishedAt !== undefined && { published_at: set.publishedAt }),
        ...(set.archivedAt !== undefined && { archived_at: set.archivedAt }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Locks the row for the rest of the transaction: revision numbers and pointers move one writer at a time. */
  async lockArticle(id: string): Promise<KbArticleRow | undefined> {
    return this.db.selectFrom('kb_articles').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async insertRevision(r: { id: string; articleId: string; title: string; body: string; keywords: string[]; author: string; note: string | null }): Promise<Revision> {
    const row = await this.db
      .insertInto('kb_revisions')
      .values({
        id: r.id,
        article_id: r.articleId,
        number: sql<number>`(select coalesce(max(number), 0) + 1 from kb_revisions where article_id = ${r.articleId})`,
        title: r.title,
        body: r.body,
        keywords: JSON.stringify(r.keywords),
        author: r.author,
        note: r.note,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return revisionOf(row);
  }

  async find(id: string): Promise<Article | undefined> {
    return (await this.hydrate(await this.db.selectFrom('kb_articles').selectAll().where('id', '=', id).execute()))[0];
  }

  async list(filter: ArticleListFilter): Promise<Article[]> {
    let q = this.db.selectFrom('kb_articles').selectAll();
    if (filter.categoryId) q = q.where('category_id', '=', filter.categoryId);
    if (filter.sectionId) q = q.where('section_id', '=', filter.sectionId);
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.locale) q = q.where('locale', '=', filter.locale);
    return this.hydrate(await q.orderBy('updated_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute());
  }

  /** Published articles the reader may see, newest first (the help centre's lists). */
  async listReadable(reader: Reader, filter: { categoryId?: string; sectionId?: string; locale?: string; limit: number }): Promise<Article[]> {
    let q = this.db.selectFrom('kb_articles').selectAll().where('state', '=', 'published');
    if (filter.categoryId) q = q.where('category_id', '=', filter.categoryId);
    if (filter.sectionId) q = q.where('section_id', '=', filter.sectionId);
    if (filter.locale) q = q.where('locale', '=', filter.locale);
    if (reader.kind !== 'staff') {
      const org = reader.kind === 'customer' ? reader.organizationId : null;
      q = q.where((eb) =>
        org === null
          ? eb('visibility', '=', 'public')
          : eb.or([eb('visibility', '=', 'public'), eb.and([eb('visibility', '=', 'organizations'), sql<boolean>`organization_ids @> jsonb_build_array(${org}::text)`])]),
      );
    }
    const rows = await q.orderBy('published_at', 'desc').orderBy('id').limit(filter.limit).execute();
    return (await this.hydrate(rows)).filter((a) => canRead(reader, a));
  }

  async translations(translationGroupId: string): Promise<Array<{ id: string; locale: string; state: string; visibility: string; organizationIds: string[] }>> {
    const rows = await this.db.selectFrom('kb_articles').select(['id', 'locale', 'state', 'visibility', 'organization_ids']).where('translation_group_id', '=', translationGroupId).orderBy('locale').execute();
    return rows.map((r) => ({ id: r.id, locale: r.locale, state: r.state, visibility: r.visibility, organizationIds: jsonArray(r.organization_ids) }));
  }

  async revisions(articleId: string): Promise<Revision[]> {
    const rows = await this.db.selectFrom('kb_revisions').selectAll().where('article_id', '=', articleId).orderBy('number', 'desc').execute();
    return rows.map(revisionOf);
  }

  async revision(articleId: string, number: number): Promise<Revision | undefined> {
    const row = await this.db.selectFrom('kb_revisions').selectAll().where('article_id', '=', articleId).where('number', '=', number).executeTakeFirst();
    return row && revisionOf(row);
  }

  /**
   * The article's searchable state changed: its full-text vector is recomputed from the
   * revision search shows (the published one, else the newest) and an outbox row asks the
   * drainer to carry it to Typesense, both inside the caller's transaction.
   */
  async searchChanged(articleId: string): Promise<void> {
    const article = await this.find(articleId);
    if (!article) return;
    const shown = article.published ?? article.latest;
    await sql`update kb_articles set search_vector =
        setweight(to_tsvector('simple', ${untagged(shown.title)}), 'A') ||
        setweight(to_tsvector('simple', ${untagged(shown.keywords.join(' '))}), 'B') ||
        setweight(to_tsvector('simple', ${untagged(markdownToText(shown.body))}), 'C')
      where id = ${articleId}`.execute(this.db);
    await this.db.insertInto('kb_search_outbox').values({ article_id: articleId }).execute();
  }

  /** Every article id, in pages (a reindex walks them all). */
  async idsAfter(afterId: string | null, limit: number): Promise<string[]> {
    let q = this.db.selectFrom('kb_articles').select('id');
    if (afterId) q = q.where('id', '>', afterId);
    return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
  }

  async findMany(ids: readonly string[]): Promise<Article[]> {
    if (ids.length === 0) return [];
    return this.hydrate(await this.db.selectFrom('kb_articles').selectAll().where('id', 'in', ids).execute());
  }

  private async hydrate(rows: KbArticleRow[]): Promise<Article[]> {
    const revisionIds = [...new Set(rows.flatMap((r) => [r.latest_revision_id, r.published_revision_id]).filter((x): x is string => x !== null))];
    const revisions = revisionIds.length ? await this.db.selectFrom('kb_revisions').selectAll().where('id', 'in', revisionIds).execute() : [];
    const byId = new Map(revisions.map((r) => [r.id, revisionOf(r)]));
    return rows.flatMap((r) => {
      const latest = r.latest_revision_id ? byId.get(r.latest_revision_id) : undefined;
      // A row without a revision exists only inside the transaction that creates it.
      if (!latest) return [];
      return [
        {
          id: r.id,
          categoryId: r.category_id,
          sectionId: r.section_id,
          locale: r.locale,
          translationGroupId: r.translation_group_id,
          state: r.state,
          visibility: r.visibility,
          organizationIds: jsonArray(r.organization_ids),
          createdAt: new Date(r.created_at),
          updatedAt: new Date(r.updated_at),
          publishedAt: r.published_at ? new Date(r.published_at) : null,
          archivedAt: r.archived_at ? new Date(r.archived_at) : null,
          latest,
          published: r.published_revision_id ? (byId.get(r.published_revision_id) ?? null) : null,
        },
      ];
    });
  }
}
