/**
 * The knowledge base under /api/v1/kb. Admins and agents write; customers read what they may
 * see (public articles and their organization's); a caller without a key reads and searches
 * public articles only. Mounted ahead of the API's key check, so it authenticates a request
 * only when it carries credentials. Domain errors (src/domain/kb/kb-errors) are PacerErrors, answered by the one mapping (http/kit/errors).
 */
import { Router, type Request, type RequestHandler } from 'express';
import express from 'express';
import { z } from 'zod';
import type { Article, Revision } from '../../../domain/kb/article-repository';
import type { ArticleService } from '../../../domain/kb/article-service';
import type { Category, Section } from '../../../domain/kb/category-repository';
import { renderMarkdown } from '../../../domain/kb/markdown';
import { diffRevisions } from '../../../domain/kb/revision-diff';
import type { Synonym } from '../../../domain/kb/synonyms';
import { ANONYMOUS, canRead, STAFF, VISIBILITIES, type Reader } from '../../../domain/kb/visibility';
import type { KbSearch } from '../../../domain/search/kb-search';
import type { KbFeedback } from '../../../domain/kb/feedback';
import { feedbackRoutes } from './kb-feedback';
import { readCookie, SESSION_COOKIE } from '../../../domain/users/sessions';
import type { Operation } from '../openapi/operation';
import { freeText, safeString, text, uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import type { Principal } from '../../../core/principal';
import { Forbidden, NotFound, Unauthenticated } from '../../../core/errors';

/** BCP 47-shaped: a language, then up to two subtags (en, pt-BR, zh-Hant-TW). */
export const locale = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/, 'a locale such as en or pt-BR');
const keyword = text(100);
const keywords = z.array(keyword).max(50);
const organizationIds = z.array(uuid).max(200);
const visibility = z.enum(VISIBILITIES);

export const createArticleSchema = z.strictObject({
  title: text(300),
  body: freeText(100_000).default(''),
  keywords: keywords.default([]),
  categoryId: uuid.optional().describe('default: the default category'),
  sectionId: uuid.nullable().optional(),
  locale: locale.optional().describe('default: PACER_KB_DEFAULT_LOCALE (en)'),
  translationOf: uuid.optional().describe('an article this one translates; they share a translation group'),
  visibility: visibility.default('public'),
  organizationIds: organizationIds.default([]).describe('for visibility "organizations": who may read it'),
  state: z.enum(['draft', 'published']).default('draft'),
  note: freeText(500).nullable().optional().describe("the revision's note"),
});

export const patchArticleSchema = z
  .strictObject({
    title: text(300),
    body: freeText(100_000),
    keywords,
    note: freeText(500).nullable(),
    categoryId: uuid,
    sectionId: uuid.nullable(),
    locale,
    visibility,
    organizationIds,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

export const listArticlesQuery = z.strictObject({
  categoryId: uuid.optional(),
  sectionId: uuid.optional(),
  state: z.enum(['draft', 'published', 'archived']).optional().describe('staff only; readers see published articles'),
  locale: locale.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const searchQuery = z.strictObject({
  q: freeText(500).default(''),
  categoryId: uuid.optional(),
  locale: locale.optional(),
  page: z.coerce.number().int().min(1).max(100).default(1),
  perPage: z.coerce.number().int().min(1).max(50).default(10),
});

export const diffQuery = z.strictObject({ from: z.coerce.number().int().min(1).max(2_147_483_647), to: z.coerce.number().int().min(1).max(2_147_483_647) });
const revisionNumber = z.coerce.number().int().min(1).max(2_147_483_647);

const categoryFields = { name: text(200), description: freeText(2_000).trim(), position: z.number().int().min(0).max(1_000_000) };
export const createCategorySchema = z.strictObject({ ...categoryFields, description: categoryFields.description.default(''), position: categoryFields.position.default(0) });
export const patchCategorySchema = z.strictObject(categoryFields).partial().refine((v) => Object.keys(v).length > 0, 'nothing to change');
export const createSectionSchema = z.strictObject({ categoryId: uuid, ...categoryFields, description: categoryFields.description.default(''), position: categoryFields.position.default(0) });
export const patchSectionSchema = z.strictObject(categoryFields).partial().refine((v) => Object.keys(v).length > 0, 'nothing to change');
export const sectionsQuery = z.strictObject({ categoryId: uuid.optional() });

const synonymWord = safeString().trim().min(1).max(100);
export const synonymId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lowercase letters, digits, - and _');
export const synonymSchema = z.strictObject({
  synonyms: z.array(synonymWord).min(1).max(50),
  root: synonymWord.nullable().default(null).describe('one-way: the root stands for the synonyms; null: every word stands for the others'),
});

export function readerOf(p: Principal | undefined): Reader {
  if (!p) return ANONYMOUS;
  if (p.role === 'customer') return { kind: 'customer', organizationId: p.organizationId };
  return STAFF;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const revisionView = (r: Revision) => ({ number: r.number, title: r.title, body: r.body, keywords: r.keywords, author: r.author, note: r.note, createdAt: r.createdAt.toISOString() });

export function staffArticleView(a: Article) {
  return {
    id: a.id,
    state: a.state,
    visibility: a.visibility,
    organizationIds: a.organizationIds,
    categoryId: a.categoryId,
    sectionId: a.sectionId,
    locale: a.locale,
    translationGroupId: a.translationGroupId,
    title: a.latest.title,
    body: a.latest.body,
    keywords: a.latest.keywords,
    html: renderMarkdown(a.latest.body),
    latestRevision: a.latest.number,
    publishedRevision: a.published?.number ?? null,
    published: a.published ? { revision: a.published.number, title: a.published.title, html: renderMarkdown(a.published.body) } : null,
    hasUnpublishedChanges: a.published === null || a.published.id !== a.latest.id,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    publishedAt: iso(a.publishedAt),
    archivedAt: iso(a.archivedAt),
  };
}

/** What a reader sees: the published revision, without keywords or audience. */
export function readerArticleView(a: Article) {
  const shown = a.published ?? a.latest;
  return { id: a.id, title: shown.title, html: renderMarkdown(shown.body), categoryId: a.categoryId, sectionId: a.sectionId, locale: a.locale, translationGroupId: a.translationGroupId, publishedAt: iso(a.publishedAt), updatedAt: a.updatedAt.toISOString() };
}

const categoryView = (c: Category) => ({ id: c.id, name: c.name, description: c.description, position: c.position, isDefault: c.isDefault, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() });
const sectionView = (s: Section) => ({ id: s.id, categoryId: s.categoryId, name: s.name, description: s.description, position: s.position, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() });
const synonymView = (s: Synonym) => ({ id: s.id, synonyms: s.synonyms, root: s.root, updatedAt: s.updatedAt.toISOString() });

export interface KbRouteDeps {
  articles: ArticleService;
  search: KbSearch;
  feedback: KbFeedback;
  /** The API's own authentication, run only for requests that carry credentials. */
  authenticate: RequestHandler;
}

function hasCredentials(req: Request): boolean {
  return req.get('authorization') !== undefined || readCookie(req.get('cookie'), SESSION_COOKIE) !== undefined;
}

export function kbRoutes(deps: KbRouteDeps): Router {
  const { articles, search } = deps;
  const r = Router();
  r.use(express.json({ limit: '1mb' }));
  r.use((req, res, next) => (hasCredentials(req) ? deps.authenticate(req, res, next) : next()));
  const reader = (req: Request) => readerOf(req.principal);
  const need = (...roles: Array<Principal['role']>): RequestHandler => (req, _res, next) => {
    if (!req.principal) return next(new Unauthenticated('send "Authorization: Bearer <api key>"'));
    if (!roles.includes(req.principal.role)) return next(new Forbidden(`this needs one of the roles: ${roles.join(', ')}`));
    next();
  };
  const staff = need('admin', 'agent');
  const admin = need('admin');
  const idOf = (req: Request) => parse(uuid, req.params.id, 'params');
  const author = (req: Request) => req.principal?.name ?? 'unknown';
  /** An article the caller may read, or a 404 that does not say whether it exists. */
  const readable = async (req: Request) => {
    const a = await articles.articles.find(idOf(req));
    if (!a || !canRead(reader(req), a)) throw new NotFound('article');
    return a;
  };
  const view = (req: Request, a: Article) => (reader(req).kind === 'staff' ? staffArticleView(a) : readerArticleView(a));

  r.get('/search', async (req, res) => {
    const q = parse(searchQuery, req.query, 'query');
    const [result, cats] = await Promise.all([search.search({ q: q.q, reader: reader(req), categoryId: q.categoryId, locale: q.locale, page: q.page, perPage: q.perPage }, { caller: req.principal?.role ?? 'anonymous' }), articles.categories.list()]);
    const names = new Map(cats.map((c) => [c.id, c.name]));
    res.json({
      query: q.q,
      engine: result.engine,
      found: result.found,
      page: result.page,
      perPage: result.perPage,
      hits: result.hits.map((h) => ({ id: h.articleId, title: h.title, snippet: h.snippet, url: `/help/articles/${h.articleId}`, category: { id: h.categoryId, name: names.get(h.categoryId) ?? '' }, sectionId: h.sectionId, locale: h.locale, updatedAt: h.updatedAt })),
      facets: { categories: result.categories.map((c) => ({ id: c.categoryId, name: names.get(c.categoryId) ?? '', count: c.count })) },
    });
  });

  r.get('/articles', async (req, res) => {
    const q = parse(listArticlesQuery, req.query, 'query');
    const who = reader(req);
    if (who.kind === 'staff') {
      res.json({ data: (await articles.articles.list(q)).map(staffArticleView) });
      return;
    }
    const list = await articles.articles.listReadable(who, { categoryId: q.categoryId, sectionId: q.sectionId, locale: q.locale, limit: q.limit + q.offset });
    res.json({ data: list.slice(q.offset).map(readerArticleView) });
  });
  r.post('/articles', staff, async (req, res) => {
    const body = parse(createArticleSchema, req.body);
    const a = await articles.create({ ...body, note: body.note ?? null }, author(req));
    res.status(201).location(`/api/v1/kb/articles/${a.id}`).json(staffArticleView(a));
  });
  r.get('/articles/:id', async (req, res) => {
    const a = await readable(req);
    // A reader's read is a view; staff opening an article to edit it is not.
    if (reader(req).kind !== 'staff') await deps.feedback.countView(a.id);
    res.json(view(req, a));
  });
  r.patch('/articles/:id', staff, async (req, res) => {
    const id = idOf(req);
    const body = parse(patchArticleSchema, req.body);
    res.json(staffArticleView(await articles.update(id, body, author(req))));
  });
  r.post('/articles/:id/publish', staff, async (req, res) => {
    res.json(staffArticleView(await articles.publish(idOf(req))));
  });
  r.post('/articles/:id/archive', staff, async (req, res) => {
    res.json(staffArticleView(await articles.archive(idOf(req))));
  });
  r.get('/articles/:id/translations', async (req, res) => {
    const a = await readable(req);
    const who = reader(req);
    const all = await articles.articles.translations(a.translationGroupId);
    res.json({ data: all.filter((t) => canRead(who, t)).map((t) => ({ id: t.id, locale: t.locale })) });
  });
  r.get('/articles/:id/revisions', staff, async (req, res) => {
    const a = await articles.get(idOf(req));
    res.json({ data: (await articles.articles.revisions(a.id)).map(revisionView) });
  });
  r.get('/articles/:id/revisions/:number', staff, async (req, res) => {
    const id = idOf(req);
    const number = parse(revisionNumber, req.params.number, 'params');
    await articles.get(id);
    const rev = await articles.articles.revision(id, number);
    if (!rev) throw new NotFound('revision');
    res.json(revisionView(rev));
  });
  r.post('/articles/:id/revisions/:number/restore', staff, async (req, res) => {
    const id = idOf(req);
    const number = parse(revisionNumber, req.params.number, 'params');
    res.json(staffArticleView(await articles.restore(id, number, author(req))));
  });
  r.get('/articles/:id/diff', staff, async (req, res) => {
    const id = idOf(req);
    const q = parse(diffQuery, req.query, 'query');
    await articles.get(id);
    const [from, to] = await Promise.all([articles.articles.revision(id, q.from), articles.articles.revision(id, q.to)]);
    if (!from || !to) throw new NotFound('revision');
    res.json(diffRevisions(from, to));
  });

  r.get('/categories', async (_req, res) => {
    res.json({ data: (await articles.categories.list()).map(categoryView) });
  });
  r.post('/categories', staff, async (req, res) => {
    const body = parse(createCategorySchema, req.body);
    res.status(201).json(categoryView(await articles.categories.create(body)));
  });
  r.get('/categories/:id', async (req, res) => {
    const c = await articles.categories.find(idOf(req));
    if (!c) throw new NotFound('category');
    res.json(categoryView(c));
  });
  r.patch('/categories/:id', staff, async (req, res) => {
    const id = idOf(req);
    const body = parse(patchCategorySchema, req.body);
    const c = await articles.categories.update(id, body);
    res.json(categoryView(c));
  });
  r.delete('/categories/:id', staff, async (req, res) => {
    await articles.categories.delete(idOf(req));
    res.status(204).end();
  });

  r.get('/sections', async (req, res) => {
    const q = parse(sectionsQuery, req.query, 'query');
    res.json({ data: (await articles.categories.sections(q.categoryId)).map(sectionView) });
  });
  r.post('/sections', staff, async (req, res) => {
    const body = parse(createSectionSchema, req.body);
    res.status(201).json(sectionView(await articles.categories.createSection(body)));
  });
  r.patch('/sections/:id', staff, async (req, res) => {
    const id = idOf(req);
    const body = parse(patchSectionSchema, req.body);
    res.json(sectionView(await articles.categories.updateSection(id, body)));
  });
  r.delete('/sections/:id', staff, async (req, res) => {
    await articles.categories.deleteSection(idOf(req));
    res.status(204).end();
  });

  r.get('/synonyms', staff, async (_req, res) => {
    res.json({ data: (await search.synonyms.list()).map(synonymView) });
  });
  r.put('/synonyms/:id', admin, async (req, res) => {
    const id = parse(synonymId, req.params.id, 'params');
    const body = parse(synonymSchema, req.body);
    res.json(synonymView(await search.putSynonym({ id, synonyms: body.synonyms, root: body.root })));
  });
  r.delete('/synonyms/:id', admin, async (req, res) => {
    await search.deleteSynonym(parse(synonymId, req.params.id, 'params'));
    res.status(204).end();
  });

  feedbackRoutes(r, { feedback: deps.feedback, readable });

  r.use((_req, _res, next) => next(new NotFound('page', 'no such endpoint')));
  return r;
}

// ---- The contract: what these routes parse and answer, for the OpenAPI document. ----

const instant = z.iso.datetime({ offset: true });
const id = z.uuid();
const kbRevision = z.object({ number: z.int(), title: z.string(), body: z.string(), keywords: z.array(z.string()), author: z.string(), note: z.string().nullable(), createdAt: instant }).meta({ id: 'KbRevision' });
export const staffArticleResponse = z
  .object({
    id,
    state: z.enum(['draft', 'published', 'archived']),
    visibility,
    organizationIds: z.array(id),
    categoryId: id,
    sectionId: id.nullable(),
    locale: z.string(),
    translationGroupId: id,
    title: z.string(),
    body: z.string(),
    keywords: z.array(z.string()),
    html: z.string(),
    latestRevision: z.int(),
    publishedRevision: z.int().nullable(),
    published: z.object({ revision: z.int(), title: z.string(), html: z.string() }).nullable(),
    hasUnpublishedChanges: z.boolean(),
    createdAt: instant,
    updatedAt: instant,
    publishedAt: instant.nullable(),
    archivedAt: instant.nullable(),
  })
  .meta({ id: 'KbArticle', description: "The newest revision (what an editor works on) and the published one (what readers see)." });
export const readerArticleResponse = z
  .object({ id, title: z.string(), html: z.string(), categoryId: id, sectionId: id.nullable(), locale: z.string(), translationGroupId: id, publishedAt: instant.nullable(), updatedAt: instant })
  .meta({ id: 'KbArticleForReaders', description: 'The published revision, as customers and the public see it.' });
const anyArticle = z.union([staffArticleResponse, readerArticleResponse]);
const categoryResponse = z.object({ id, name: z.string(), description: z.string(), position: z.int(), isDefault: z.boolean(), createdAt: instant, updatedAt: instant }).meta({ id: 'KbCategory' });
const sectionResponse = z.object({ id, categoryId: id, name: z.string(), description: z.string(), position: z.int(), createdAt: instant, updatedAt: instant }).meta({ id: 'KbSection' });
const synonymResponse = z.object({ id: z.string(), synonyms: z.array(z.string()), root: z.string().nullable(), updatedAt: instant }).meta({ id: 'KbSynonym' });
const diffPart = z.object({ op: z.enum(['equal', 'added', 'removed']), text: z.string() });
const diffResponse = z.object({ from: z.int(), to: z.int(), title: z.array(diffPart), body: z.array(diffPart), keywords: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }), unified: z.string() }).meta({ id: 'KbRevisionDiff' });
const searchResponse = z
  .object({
    query: z.string(),
    engine: z.enum(['typesense', 'postgres']),
    found: z.int(),
    page: z.int(),
    perPage: z.int(),
    hits: z.array(z.object({ id, title: z.string(), snippet: z.string().meta({ description: 'HTML: text escaped, matches in <mark>' }), url: z.string(), category: z.object({ id, name: z.string() }), sectionId: id.nullable(), locale: z.string(), updatedAt: instant })),
    facets: z.object({ categories: z.array(z.object({ id, name: z.string(), count: z.int() })) }),
  })
  .meta({ id: 'KbSearchResult' });
const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

const kbStaff = ['admin', 'agent'] as const;
const byId = { id: uuid };
const byNumber = { id: uuid, number: revisionNumber };
const ok = (description: string, schema: z.ZodType) => ({ 200: { description, schema } });
const gone = { 204: { description: 'deleted; no body' } };
const readersNote = 'Without a key: public articles only. A customer key: public articles and its organization\'s. Agents-only articles reach staff only.';

export const KB_OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/kb/search', tag: 'knowledge-base', roles: 'public', summary: 'Search the knowledge base', query: searchQuery, description: `${readersNote} Typesense answers, or PostgreSQL full-text search while it is unreachable (engine says which).`, success: ok('hits the caller may see', searchResponse) },
  { method: 'get', path: '/kb/articles', tag: 'knowledge-base', roles: 'public', summary: 'List articles', query: listArticlesQuery, description: readersNote, success: ok('articles', list(anyArticle)) },
  { method: 'post', path: '/kb/articles', tag: 'knowledge-base', roles: kbStaff, summary: 'Create an article (revision 1)', body: createArticleSchema, errors: [409], success: { 201: { description: 'the new article', schema: staffArticleResponse, headers: { Location: 'the new resource' } } } },
  { method: 'get', path: '/kb/articles/:id', tag: 'knowledge-base', roles: 'public', summary: 'Read an article', params: byId, description: readersNote, success: ok('staff get both revisions; readers the published one', anyArticle) },
  { method: 'patch', path: '/kb/articles/:id', tag: 'knowledge-base', roles: kbStaff, summary: 'Change an article', params: byId, body: patchArticleSchema, errors: [409], description: 'A content change is a new revision; a published article stays as published until it is published again.', success: ok('the article', staffArticleResponse) },
  { method: 'post', path: '/kb/articles/:id/publish', tag: 'knowledge-base', roles: kbStaff, summary: 'Publish the newest revision', params: byId, success: ok('the article', staffArticleResponse) },
  { method: 'post', path: '/kb/articles/:id/archive', tag: 'knowledge-base', roles: kbStaff, summary: 'Archive an article', params: byId, errors: [409], success: ok('the article', staffArticleResponse) },
  { method: 'get', path: '/kb/articles/:id/translations', tag: 'knowledge-base', roles: 'public', summary: "An article's translations the caller may read", params: byId, success: ok('translations', list(z.object({ id, locale: z.string() }))) },
  { method: 'get', path: '/kb/articles/:id/revisions', tag: 'knowledge-base', roles: kbStaff, summary: "An article's revisions, newest first", params: byId, success: ok('revisions', list(kbRevision)) },
  { method: 'get', path: '/kb/articles/:id/revisions/:number', tag: 'knowledge-base', roles: kbStaff, summary: 'Read a revision', params: byNumber, success: ok('the revision', kbRevision) },
  { method: 'post', path: '/kb/articles/:id/revisions/:number/restore', tag: 'knowledge-base', roles: kbStaff, summary: "Restore a revision's content as a new revision", params: byNumber, success: ok('the article', staffArticleResponse) },
  { method: 'get', path: '/kb/articles/:id/diff', tag: 'knowledge-base', roles: kbStaff, summary: 'The difference between two revisions', params: byId, query: diffQuery, success: ok('title and body parts, keyword changes, a unified patch', diffResponse) },
  { method: 'get', path: '/kb/categories', tag: 'knowledge-base', roles: 'public', summary: 'Categories', success: ok('categories', list(categoryResponse)) },
  { method: 'post', path: '/kb/categories', tag: 'knowledge-base', roles: kbStaff, summary: 'Create a category', body: createCategorySchema, errors: [409], success: { 201: { description: 'the new category', schema: categoryResponse } } },
  { method: 'get', path: '/kb/categories/:id', tag: 'knowledge-base', roles: 'public', summary: 'Read a category', params: byId, success: ok('the category', categoryResponse) },
  { method: 'patch', path: '/kb/categories/:id', tag: 'knowledge-base', roles: kbStaff, summary: 'Change a category', params: byId, body: patchCategorySchema, errors: [409], success: ok('the category', categoryResponse) },
  { method: 'delete', path: '/kb/categories/:id', tag: 'knowledge-base', roles: kbStaff, summary: 'Delete an empty category', params: byId, errors: [409], success: gone },
  { method: 'get', path: '/kb/sections', tag: 'knowledge-base', roles: 'public', summary: 'Sections', query: sectionsQuery, success: ok('sections', list(sectionResponse)) },
  { method: 'post', path: '/kb/sections', tag: 'knowledge-base', roles: kbStaff, summary: 'Create a section', body: createSectionSchema, errors: [409], success: { 201: { description: 'the new section', schema: sectionResponse } } },
  { method: 'patch', path: '/kb/sections/:id', tag: 'knowledge-base', roles: kbStaff, summary: 'Change a section', params: byId, body: patchSectionSchema, errors: [409], success: ok('the section', sectionResponse) },
  { method: 'delete', path: '/kb/sections/:id', tag: 'knowledge-base', roles: kbStaff, summary: 'Delete a section without articles', params: byId, errors: [409], success: gone },
  { method: 'get', path: '/kb/synonyms', tag: 'knowledge-base', roles: kbStaff, summary: 'Search synonyms', success: ok('synonyms', list(synonymResponse)) },
  { method: 'put', path: '/kb/synonyms/:id', tag: 'knowledge-base', roles: ['admin'], summary: 'Create or replace a synonym set', params: { id: synonymId }, body: synonymSchema, success: ok('the synonym set', synonymResponse) },
  { method: 'delete', path: '/kb/synonyms/:id', tag: 'knowledge-base', roles: ['admin'], summary: 'Delete a synonym set', params: { id: synonymId }, success: gone },
];
