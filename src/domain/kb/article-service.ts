/**
 * Every write to an article, each in one transaction that also records the revision and the
 * search outbox row, so the database, the history and (through the drainer) Typesense never
 * disagree about what happened. Content (title, body, keywords) is revisioned: every save
 * is a new revision and moves only the latest pointer; publishing moves the published
 * pointer to it. Placement and audience (category, section, locale, visibility) apply at once.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { ArticleRepository, type Article } from './article-repository';
import { CategoryRepository } from './category-repository';
import { KbConflict, KbInvalidReference, KbInvalidState, KbNotFound } from './kb-errors';
import type { ArticleState, Visibility } from './visibility';
import { isUniqueViolation } from '../../db/pg-errors';

export interface NewArticle {
  title: string;
  body: string;
  keywords: string[];
  categoryId?: string;
  sectionId?: string | null;
  locale?: string;
  /** Another article this one translates: they share its translation group. */
  translationOf?: string;
  visibility: Visibility;
  organizationIds: string[];
  state: Exclude<ArticleState, 'archived'>;
  note?: string | null;
}

export interface ArticleChange {
  title?: string;
  body?: string;
  keywords?: string[];
  note?: string | null;
  categoryId?: string;
  sectionId?: string | null;
  locale?: string;
  visibility?: Visibility;
  organizationIds?: string[];
}

export interface ArticleServiceOptions {
  defaultLocale: string;
  /** Told after each committed change, so a drainer in this process carries it at once. */
  onChange?: () => void;
}

export class ArticleService {
  readonly articles: ArticleRepository;
  readonly categories: CategoryRepository;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: ArticleServiceOptions,
  ) {
    this.articles = new ArticleRepository(db);
    this.categories = new CategoryRepository(db);
  }

  get defaultLocale(): string {
    return this.opts.defaultLocale;
  }

  async create(input: NewArticle, author: string): Promise<Article> {
    const id = crypto.randomUUID();
    await this.write(async (repo, cats, db) => {
      const categoryId = input.categoryId ?? (await cats.defaultCategory()).id;
      await this.checkPlacement(cats, categoryId, input.sectionId ?? null);
      await this.checkAudience(db, input.visibility, input.organizationIds);
      let translationGroupId: string = id;
      if (input.translationOf) {
        const original = await repo.lockArticle(input.translationOf);
        if (!original) throw new KbInvalidReference('translationOf names no article');
        translationGroupId = original.translation_group_id;
      }
      await repo.insertArticle({ id, categoryId, sectionId: input.sectionId ?? null, locale: input.locale ?? this.opts.defaultLocale, translationGroupId, visibility: input.visibility, organizationIds: input.organizationIds });
      const revision = await repo.insertRevision({ id: crypto.randomUUID(), articleId: id, title: input.title, body: input.body, keywords: input.keywords, author, note: input.note ?? null });
      await repo.updateArticle(id, { latestRevisionId: revision.id, ...(input.state === 'published' && { state: 'published', publishedRevisionId: revision.id, publishedAt: new Date() }) });
      await repo.searchChanged(id);
    });
    return this.get(id);
  }

  async update(id: string, change: ArticleChange, author: string): Promise<Article> {
    await this.write(async (repo, cats, db) => {
      const row = await repo.lockArticle(id);
      if (!row) throw new KbNotFound('article');
      const current = (await repo.find(id))!;
      const categoryId = change.categoryId ?? current.categoryId;
      // A new category without a section named leaves the old section behind: it belongs to the old category.
      const sectionId = change.sectionId !== undefined ? change.sectionId : change.categoryId !== undefined && change.categoryId !== current.categoryId ? null : current.sectionId;
      if (change.categoryId !== undefined || change.sectionId !== undefined) await this.checkPlacement(cats, categoryId, sectionId);
      const visibility = change.visibility ?? (current.visibility as Visibility);
      const organizationIds = change.organizationIds ?? (change.visibility !== undefined && change.visibility !== 'organizations' ? [] : current.organizationIds);
      if (change.visibility !== undefined || change.organizationIds !== undefined) await this.checkAudience(db, visibility, organizationIds);

      const latest = current.latest;
      const content = { title: change.title ?? latest.title, body: change.body ?? latest.body, keywords: change.keywords ?? latest.keywords };
      const contentChanged = content.title !== latest.title || content.body !== latest.body || content.keywords.join('\u0001') !== latest.keywords.join('\u0001');
      let latestRevisionId: string | undefined;
      if (contentChanged) latestRevisionId = (await repo.insertRevision({ id: crypto.randomUUID(), articleId: id, ...content, author, note: change.note ?? null })).id;
      await repo.updateArticle(id, { categoryId, sectionId, visibility, organizationIds, ...(change.locale !== undefined && { locale: change.locale }), ...(latestRevisionId && { latestRevisionId }) });
      await repo.searchChanged(id);
    });
    return this.get(id);
  }

  /** The newest revision becomes what readers see (an archived article comes back). */
  async publish(id: string): Promise<Article> {
    await this.write(async (repo) => {
      const row = await repo.lockArticle(id);
      if (!row) throw new KbNotFound('article');
      await repo.updateArticle(id, { state: 'published', publishedRevisionId: row.latest_revision_id!, publishedAt: new Date(), archivedAt: null });
      await repo.searchChanged(id);
    });
    return this.get(id);
  }

  /** Out of readers' sight and out of search; its history stays. */
  async archive(id: string): Promise<Article> {
    await this.write(async (repo) => {
      const row = await repo.lockArticle(id);
      if (!row) throw new KbNotFound('article');
      if (row.state === 'archived') throw new KbInvalidState('the article is archived already');
      await repo.updateArticle(id, { state: 'archived', archivedAt: new Date() });
      await repo.searchChanged(id);
    });
    return this.get(id);
  }

  /** A new revision with an old one's content: history only grows. Published only when published again. */
  async restore(id: string, number: number, author: string): Promise<Article> {
    await this.write(async (repo) => {
      const row = await repo.lockArticle(id);
      if (!row) throw new KbNotFound('article');
      const old = await repo.revision(id, number);
      if (!old) throw new KbNotFound('revision');
      const revision = await repo.insertRevision({ id: crypto.randomUUID(), articleId: id, title: old.title, body: old.body, keywords: old.keywords, author, note: `restored revision ${number}` });
      await repo.updateArticle(id, { latestRevisionId: revision.id });
      await repo.searchChanged(id);
    });
    return this.get(id);
  }

  async get(id: string): Promise<Article> {
    const article = await this.articles.find(id);
    if (!article) throw new KbNotFound('article');
    return article;
  }

  private async write(work: (repo: ArticleRepository, cats: CategoryRepository, db: Kysely<Database>) => Promise<void>): Promise<void> {
    await this.db
      .transaction()
      .execute((tx) => work(this.articles.with(tx), this.categories.with(tx), tx))
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new KbConflict('the translation group already has an article in that locale');
        throw err;
      });
    this.opts.onChange?.();
  }

  private async checkPlacement(cats: CategoryRepository, categoryId: string, sectionId: string | null): Promise<void> {
    if (!(await cats.find(categoryId))) throw new KbInvalidReference('categoryId names no category');
    if (sectionId === null) return;
    const section = await cats.section(sectionId);
    if (!section) throw new KbInvalidReference('sectionId names no section');
    if (section.categoryId !== categoryId) throw new KbInvalidReference('the section belongs to another category');
  }

  private async checkAudience(db: Kysely<Database>, visibility: Visibility, organizationIds: string[]): Promise<void> {
    if (visibility !== 'organizations') {
      if (organizationIds.length) throw new KbInvalidReference('organizationIds are for visibility "organizations" only');
      return;
    }
    if (organizationIds.length === 0) throw new KbInvalidReference('visibility "organizations" needs at least one organization');
    const found = await db.selectFrom('organizations').select('id').where('id', 'in', organizationIds).execute();
    if (found.length !== new Set(organizationIds).size) throw new KbInvalidReference('organizationIds names an organization that does not exist');
  }
}
