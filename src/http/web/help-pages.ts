/**
 * The public help centre at /help: categories, article pages and search, server-rendered
 * and readable without scripts. A reader sees what canRead allows: published public
 * articles, and a signed-in customer their organization's too. Agents-only articles never
 * appear here, even to a signed-in agent: the help centre is what customers see.
 */
import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { freeText, uuid } from '../kit/schemas';
import { parse } from '../kit/validation';
import type { Article } from '../../domain/kb/article-repository';
import type { ArticleService } from '../../domain/kb/article-service';
import { renderMarkdown } from '../../domain/kb/markdown';
import { ANONYMOUS, canRead, type Reader } from '../../domain/kb/visibility';
import type { KbSearch } from '../../domain/search/kb-search';
import type { KbFeedback, Vote } from '../../domain/kb/feedback';
import { formText, formValue } from '../kit/form';
import { anonymousReaderId, READER_COOKIE } from '../kit/reader-key';
import { html, raw, type SafeHtml } from './html';
import { page } from './layout';
import { setCookie } from './session';
import { csrfField } from './csrf';
import { Forbidden, InvalidInput, NotFound } from '../../core/errors';

export interface HelpDeps {
  articles: ArticleService;
  search: KbSearch;
  feedback: KbFeedback;
}

const READER_COOKIE_SECONDS = 365 * 86_400;
const MAX_COMMENT = 2_000;

const searchQuery = z.object({ q: freeText(500).default(''), page: z.coerce.number().int().min(1).max(100).default(1) });

function helpReader(req: Request): Reader {
  const user = req.webSession?.user;
  return user?.role === 'customer' ? { kind: 'customer', organizationId: user.organization_id } : ANONYMOUS;
}

const searchBox = (q = '') => html`<form class="help-search" method="get" action="/help/search" role="search">
  <label for="help-q">Search the help centre</label>
  <input id="help-q" type="search" name="q" value="${q}" maxlength="500">
  <button type="submit">Search</button>
</form>`;

export function helpRoutes(deps: HelpDeps): Router {
  const r = Router();
  const send = (req: Request, res: import('express').Response, title: string, body: SafeHtml) => {
    const s = req.webSession;
    res.type('html').send(page({ title, user: s?.user, csrfToken: s?.csrfToken, body }).value);
  };

  r.get('/help', async (req, res) => {
    const reader = helpReader(req);
    const [categories, recent] = await Promise.all([deps.articles.categories.list(), deps.articles.articles.listReadable(reader, { limit: 500 })]);
    const counts = new Map<string, number>();
    for (const a of recent) counts.set(a.categoryId, (counts.get(a.categoryId) ?? 0) + 1);
    const shown = categories.filter((c) => counts.has(c.id));
    send(req, res, 'Help centre', html`<h1>Help centre</h1>
${searchBox()}
<h2>Categories</h2>
${shown.length ? html`<ul class="help-categories">${shown.map((c) => html`<li><a href="/help/categories/${c.id}">${c.name}</a> <span class="count">(${counts.get(c.id)})</span>${c.description ? html`<p>${c.description}</p>` : ''}</li>`)}</ul>` : html`<p>No articles yet.</p>`}
${recent.length ? html`<h2>Recently published</h2><ul>${recent.slice(0, 10).map(articleLink)}</ul>` : ''}`);
  });

  r.get('/help/categories/:id', async (req, res) => {
    const id = parse(uuid, req.params.id, 'params');
    const category = await deps.articles.categories.find(id);
    if (!category) throw new NotFound('page', 'no such category');
    const [sections, list] = await Promise.all([deps.articles.categories.sections(id), deps.articles.articles.listReadable(helpReader(req), { categoryId: id, limit: 500 })]);
    const loose = list.filter((a) => a.sectionId === null || !sections.some((s) => s.id === a.sectionId));
    send(req, res, category.name, html`<p><a href="/help">Help centre</a></p>
<h1>${category.name}</h1>
${category.description ? html`<p>${category.description}</p>` : ''}
${searchBox()}
${sections.map((s) => {
  const inSection = list.filter((a) => a.sectionId === s.id);
  return inSection.length ? html`<h2>${s.name}</h2><ul>${inSection.map(articleLink)}</ul>` : '';
})}
${loose.length ? html`<ul>${loose.map(articleLink)}</ul>` : ''}
${list.length ? '' : html`<p>No articles here yet.</p>`}`);
  });

  /** An article this reader may read, or a 404 that does not say whether it exists. */
  const readableArticle = async (req: Request) => {
    const id = parse(uuid, req.params.id, 'params');
    const article = await deps.articles.articles.find(id);
    // Not found and not yours read alike, so an id tells nothing about an article you may not see.
    if (!article || !canRead(helpReader(req), article)) throw new NotFound('page', 'no such article');
    return article;
  };

  r.get('/help/articles/:id', async (req, res) => {
    const reader = helpReader(req);
    const article = await readableArticle(req);
    const shown = article.published!;
    const voted = req.query.voted === '1';
    const key = readerKey(req, res);
    // The page a vote redirects to is the same read, not another one.
    if (!voted) await deps.feedback.countView(article.id);
    const [category, translations, feedback] = await Promise.all([deps.articles.categories.find(article.categoryId), deps.articles.articles.translations(article.translationGroupId), deps.feedback.of(article.id, key.key)]);
    const others = translations.filter((t) => t.id !== article.id && canRead(reader, t));
    send(req, res, shown.title, html`<p><a href="/help">Help centre</a>${category ? html` › <a href="/help/categories/${category.id}">${category.name}</a>` : ''}</p>
<article class="help-article" lang="${article.locale}">
<h1>${shown.title}</h1>
${raw(renderMarkdown(shown.body))}
<p class="meta">Updated <time datetime="${article.updatedAt.toISOString()}">${article.updatedAt.toISOString().slice(0, 10)}</time></p>
</article>
${voteForm(req, article.id, key.anonymousId, feedback.yours, voted)}
${others.length ? html`<nav aria-label="Translations"><p>Also in: ${others.map((t) => html`<a href="/help/articles/${t.id}" hreflang="${t.locale}">${t.locale}</a> `)}</p></nav>` : ''}
${searchBox()}`);
  });

  r.post('/help/articles/:id/feedback', async (req, res) => {
    const article = await readableArticle(req);
    // A signed-in reader's form was checked against the session's CSRF token already; an
    // anonymous one carries its reader id, which a page on another site cannot know.
    const anon = req.webSession ? null : anonymousReaderId(req.get('cookie'));
    if (!req.webSession && (anon === null || formValue(req, '_reader') !== anon)) throw new Forbidden('This form has expired or did not come from Pacer. Reload the page and try again.', 'csrf_failed');
    const helpful = formValue(req, 'helpful');
    if (helpful !== 'yes' && helpful !== 'no') throw new InvalidInput('Answer yes or no.');
    const comment = formText(req, 'comment');
    if (comment.length > MAX_COMMENT) throw new InvalidInput(`A comment has at most ${MAX_COMMENT} characters.`);
    await deps.feedback.vote(article.id, req.webSession ? `user:${req.webSession.user.id}` : `anon:${anon!}`, { helpful: helpful === 'yes', comment: comment || null });
    res.redirect(303, `/help/articles/${article.id}?voted=1#helpful`);
  });

  r.get('/help/search', async (req, res) => {
    const q = parse(searchQuery, req.query, 'query');
    const result = q.q.trim() ? await deps.search.search({ q: q.q, reader: helpReader(req), page: q.page, perPage: 20 }, { caller: req.principal?.role ?? 'anonymous' }) : null;
    send(req, res, q.q ? `Search: ${q.q}` : 'Search', html`<p><a href="/help">Help centre</a></p>
<h1>Search</h1>
${searchBox(q.q)}
${result === null ? '' : result.hits.length === 0 ? html`<p>No articles match “${q.q}”.</p>` : html`<p role="status">${result.found} article${result.found === 1 ? '' : 's'} match “${q.q}”.</p>
<ol class="help-results">${result.hits.map((h) => html`<li><a href="/help/articles/${h.articleId}">${h.title}</a><p>${raw(h.snippet)}</p></li>`)}</ol>
${result.found > q.page * 20 ? html`<p><a href="/help/search?q=${encodeURIComponent(q.q)}&amp;page=${q.page + 1}">More results</a></p>` : ''}`}`);
  });
  return r;
}

/** The reader's vote key; an anonymous reader without a reader cookie gets one now. */
function readerKey(req: Request, res: import('express').Response): { key: string; anonymousId: string | null } {
  if (req.webSession) return { key: `user:${req.webSession.user.id}`, anonymousId: null };
  let id = anonymousReaderId(req.get('cookie'));
  if (id === null) {
    id = crypto.randomUUID();
    setCookie(req, res, READER_COOKIE, id, { maxAgeSeconds: READER_COOKIE_SECONDS });
  }
  return { key: `anon:${id}`, anonymousId: id };
}

function voteForm(req: Request, articleId: string, anonymousId: string | null, yours: Vote | null, voted: boolean): SafeHtml {
  const guard = req.webSession ? csrfField(req.webSession.csrfToken) : html`<input type="hidden" name="_reader" value="${anonymousId ?? ''}">`;
  return html`<section id="helpful" class="helpful card" aria-labelledby="helpful-q">
${voted ? html`<p role="status">Thanks for your feedback.</p>` : ''}
<form method="post" action="/help/articles/${articleId}/feedback" class="stack">${guard}
<fieldset><legend id="helpful-q">Was this helpful?</legend>
<label><input type="radio" name="helpful" value="yes" required${yours?.helpful === true ? html` checked` : ''}> Yes</label>
<label><input type="radio" name="helpful" value="no"${yours?.helpful === false ? html` checked` : ''}> No</label>
</fieldset>
<label for="helpful-comment">What could be better? (optional)</label>
<textarea id="helpful-comment" name="comment" maxlength="${MAX_COMMENT}" rows="3">${yours?.comment ?? ''}</textarea>
<button type="submit">${yours ? 'Change my answer' : 'Send'}</button>
</form>
${yours ? html`<p class="meta">You answered ${yours.helpful ? 'yes' : 'no'}.</p>` : ''}
</section>`;
}

const articleLink = (a: Article) => html`<li><a href="/help/articles/${a.id}">${(a.published ?? a.latest).title}</a></li>`;
