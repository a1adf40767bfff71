/**
 * Console pages to write, review and publish articles (agents and admins): the list with
 * filters, the editor (title, Markdown body with a preview the server renders, keywords,
 * category and section, locale and translations, visibility with chosen organizations), and
 * the publish and archive buttons. Every write goes through ArticleService, so a save here is
 * a revision, an outbox row and a search update exactly as through the API. Plain forms: a
 * "Preview" button re-renders the form with the rendered body instead of saving, so nothing
 * needs a script.
 */
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/schema';
import { PacerError, InvalidInput, NotFound } from '../../core/errors';
import type { Article } from '../../domain/kb/article-repository';
import type { ArticleService } from '../../domain/kb/article-service';
import type { Category, Section } from '../../domain/kb/category-repository';
import { renderMarkdown } from '../../domain/kb/markdown';
import { ARTICLE_STATES, VISIBILITIES, type Visibility } from '../../domain/kb/visibility';
import { listOrganizationNames } from '../../db/repositories/organizations';
import { statusOf } from '../kit/errors';
import { formText, formValue } from '../kit/form';
import { refuseUnstorable } from '../kit/validation';
import { csrfField } from './csrf';
import { html, queryString, raw, type SafeHtml } from './html';
import { kbPage } from './kb-console-layout';
import { UUID } from '../../core/uuid';
import { sessionOf } from './session';

const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/;
const PAGE_SIZE = 50;
const VISIBILITY_LABELS: Record<Visibility, string> = { public: 'Public (everyone)', organizations: 'Customers of chosen organizations', agents: 'Agents only' };

/** What the editor form holds: as typed, so a refused save shows it again unchanged. */
interface EditorValues {
  title: string;
  body: string;
  keywords: string;
  /** `<categoryId>` or `<categoryId>/<sectionId>`: one choice, so a section never sits in the wrong category. */
  placement: string;
  locale: string;
  visibility: Visibility;
  organizationIds: string[];
  note: string;
  translationOf: string;
}

interface Choices {
  categories: Category[];
  sections: Section[];
  organizations: Array<{ id: string; name: string }>;
}

function valuesOfArticle(a: Article): EditorValues {
  return {
    title: a.latest.title,
    body: a.latest.body,
    keywords: a.latest.keywords.join(', '),
    placement: a.sectionId ? `${a.categoryId}/${a.sectionId}` : a.categoryId,
    locale: a.locale,
    visibility: a.visibility as Visibility,
    organizationIds: a.organizationIds,
    note: '',
    translationOf: '',
  };
}

function valuesOfForm(req: Request): EditorValues {
  refuseUnstorable(req.body);
  const orgs = (req.body as Record<string, unknown>).organizationIds;
  const visibility = formValue(req, 'visibility');
  return {
    title: formText(req, 'title'),
    body: formValue(req, 'body'),
    keywords: formText(req, 'keywords'),
    placement: formText(req, 'placement'),
    locale: formText(req, 'locale'),
    visibility: (VISIBILITIES as readonly string[]).includes(visibility) ? (visibility as Visibility) : 'public',
    organizationIds: (Array.isArray(orgs) ? orgs : typeof orgs === 'string' ? [orgs] : []).filter((o): o is string => typeof o === 'string' && UUID.test(o)),
    note: formText(req, 'note'),
    translationOf: formText(req, 'translationOf'),
  };
}

const refuse = (message: string) => new InvalidInput(message);

/** The form's values as the service's fields; a refusal names the field in words. */
function articleFields(v: EditorValues) {
  if (!v.title) throw refuse('An article needs a title.');
  if (v.title.length > 300) throw refuse('A title has at most 300 characters.');
  if (v.body.length > 100_000) throw refuse('A body has at most 100,000 characters.');
  const keywords = v.keywords.split(',').map((k) => k.trim()).filter(Boolean);
  if (keywords.length > 50 || keywords.some((k) => k.length > 100)) throw refuse('At most 50 keywords of at most 100 characters each.');
  const [categoryId, sectionId] = v.placement.split('/');
  if (!categoryId || !UUID.test(categoryId) || (sectionId !== undefined && !UUID.test(sectionId))) throw refuse('Choose a category.');
  if (!LOCALE.test(v.locale)) throw refuse('A locale looks like en or pt-BR.');
  if (v.note.length > 500) throw refuse('A revision note has at most 500 characters.');
  return { title: v.title, body: v.body, keywords, categoryId, sectionId: sectionId ?? null, locale: v.locale, visibility: v.visibility, organizationIds: v.visibility === 'organizations' ? v.organizationIds : [], note: v.note || null };
}

function placementSelect(choices: Choices, current: string): SafeHtml {
  const opt = (value: string, label: string) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  return html`<select id="kb-placement" name="placement" required>${choices.categories.map(
    (c) => html`<optgroup label="${c.name}">${opt(c.id, `${c.name}${c.isDefault ? ' (default)' : ''}`)}${choices.sections.filter((s) => s.categoryId === c.id).map((s) => opt(`${c.id}/${s.id}`, `${c.name} › ${s.name}`))}</optgroup>`,
  )}</select>`;
}

function editorForm(req: Request, action: string, v: EditorValues, choices: Choices, preview: string | null, isNew: boolean): SafeHtml {
  const s = sessionOf(req);
  return html`<form method="post" action="${action}" class="stack card kb-editor">${csrfField(s.csrfToken)}
${v.translationOf ? html`<input type="hidden" name="translationOf" value="${v.translationOf}">` : ''}
<label for="kb-title">Title</label><input id="kb-title" name="title" value="${v.title}" maxlength="300" required>
<label for="kb-body">Body (Markdown)</label><textarea id="kb-body" name="body" rows="16">${v.body}</textarea>
<label for="kb-keywords">Keywords (comma separated; searched, never shown)</label><input id="kb-keywords" name="keywords" value="${v.keywords}">
<label for="kb-placement">Category and section</label>${placementSelect(choices, v.placement)}
<label for="kb-locale">Locale</label><input id="kb-locale" name="locale" value="${v.locale}" maxlength="20" required pattern="[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}">
<fieldset><legend>Who may read it</legend>
${VISIBILITIES.map((vis) => html`<label><input type="radio" name="visibility" value="${vis}"${vis === v.visibility ? html` checked` : ''}> ${VISIBILITY_LABELS[vis]}</label>`)}
<fieldset class="kb-orgs"><legend>Organizations (for “chosen organizations”)</legend>
${choices.organizations.length ? choices.organizations.map((o) => html`<label><input type="checkbox" name="organizationIds" value="${o.id}"${v.organizationIds.includes(o.id) ? html` checked` : ''}> ${o.name}</label>`) : html`<p>No organizations yet.</p>`}
</fieldset></fieldset>
<label for="kb-note">Revision note (optional)</label><input id="kb-note" name="note" value="${v.note}" maxlength="500">
<div class="row">
<button type="submit" name="action" value="preview">Preview</button>
<button type="submit" name="action" value="save">${isNew ? 'Save draft' : 'Save'}</button>
<button type="submit" name="action" value="publish" class="primary">Save and publish</button>
</div>
</form>
${preview === null ? '' : html`<section class="card kb-preview" aria-labelledby="kb-preview-h"><h2 id="kb-preview-h">Preview</h2><div class="help-article">${raw(preview)}</div></section>`}`;
}

async function choicesOf(db: Db, articles: ArticleService): Promise<Choices> {
  // The default category exists before the first article is written, so the editor always has one to offer.
  await articles.categories.defaultCategory();
  const [categories, sections, organizations] = await Promise.all([articles.categories.list(), articles.categories.sections(), listOrganizationNames(db)]);
  return { categories, sections, organizations };
}

const stateLabel = (a: Article) => `${a.state}${a.state !== 'draft' && a.published?.id !== a.latest.id ? ' (unpublished changes)' : ''}`;

export function kbArticlePageRoutes(db: Db, articles: ArticleService): Router {
  const r = Router();
  const author = (req: Request) => sessionOf(req).user.name;
  const articleOf = async (req: Request) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new NotFound('article');
    return articles.get(id);
  };

  r.get('/console/kb', async (req, res) => {
    refuseUnstorable(req.query);
    const q = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : '');
    const state = (ARTICLE_STATES as readonly string[]).includes(q('state')) ? q('state') : '';
    const categoryId = UUID.test(q('category')) ? q('category') : '';
    const locale = LOCALE.test(q('locale')) ? q('locale') : '';
    const offset = Math.min(Math.max(Number.parseInt(q('offset'), 10) || 0, 0), 100_000);
    const [list, categories] = await Promise.all([
      articles.articles.list({ state: state || undefined, categoryId: categoryId || undefined, locale: locale || undefined, limit: PAGE_SIZE + 1, offset }),
      articles.categories.list(),
    ]);
    const names = new Map(categories.map((c) => [c.id, c.name]));
    const filters = { state, category: categoryId, locale };
    const body = html`<form method="get" action="/console/kb" class="row" role="search" aria-label="Filter articles">
<label for="kb-f-state">State</label><select id="kb-f-state" name="state"><option value="">Any</option>${ARTICLE_STATES.map((s) => html`<option value="${s}"${s === state ? html` selected` : ''}>${s}</option>`)}</select>
<label for="kb-f-category">Category</label><select id="kb-f-category" name="category"><option value="">Any</option>${categories.map((c) => html`<option value="${c.id}"${c.id === categoryId ? html` selected` : ''}>${c.name}</option>`)}</select>
<label for="kb-f-locale">Locale</label><input id="kb-f-locale" name="locale" value="${locale}" size="6">
<button type="submit">Filter</button></form>
${list.length === 0 ? html`<p>No articles match.</p>` : html`<table class="kb-articles">
<thead><tr><th scope="col">Title</th><th scope="col">State</th><th scope="col">Category</th><th scope="col">Locale</th><th scope="col">Visibility</th><th scope="col">Revision</th><th scope="col">Updated</th></tr></thead>
<tbody>${list.slice(0, PAGE_SIZE).map((a) => html`<tr><td><a href="/console/kb/articles/${a.id}">${a.latest.title}</a></td><td>${stateLabel(a)}</td><td>${names.get(a.categoryId) ?? ''}</td><td>${a.locale}</td><td>${a.visibility}</td><td>${a.latest.number}</td><td><time datetime="${a.updatedAt.toISOString()}">${a.updatedAt.toISOString().slice(0, 16).replace('T', ' ')}</time></td></tr>`)}</tbody></table>`}
<p class="row">${offset > 0 ? html`<a href="/console/kb${queryString({ ...filters, offset: String(Math.max(0, offset - PAGE_SIZE)) })}">Newer</a>` : ''}${list.length > PAGE_SIZE ? html`<a href="/console/kb${queryString({ ...filters, offset: String(offset + PAGE_SIZE) })}">Older</a>` : ''}</p>`;
    res.type('html').send(kbPage(req, 'Knowledge base', body));
  });

  r.get('/console/kb/articles/new', async (req, res) => {
    const choices = await choicesOf(db, articles);
    const translationOf = typeof req.query.translationOf === 'string' && UUID.test(req.query.translationOf) ? await articles.get(req.query.translationOf) : null;
    const def = choices.categories.find((c) => c.isDefault)!;
    const v: EditorValues = translationOf
      ? { ...valuesOfArticle(translationOf), locale: '', note: '', translationOf: translationOf.id }
      : { title: '', body: '', keywords: '', placement: def.id, locale: articles.defaultLocale, visibility: 'public', organizationIds: [], note: '', translationOf: '' };
    res.type('html').send(kbPage(req, translationOf ? `Translate “${translationOf.latest.title}”` : 'New article', editorForm(req, '/console/kb/articles', v, choices, null, true)));
  });

  /** A refused save: the form again with what was typed and why, at the status the API would answer. */
  const refused = async (req: Request, res: Response, err: unknown, title: string, action: string, v: EditorValues, isNew: boolean) => {
    if (!(err instanceof PacerError) || (err.kind !== 'invalid_input' && err.kind !== 'conflict')) throw err;
    res.status(statusOf(err)).type('html').send(kbPage(req, title, editorForm(req, action, v, await choicesOf(db, articles), null, isNew), { error: err.message }));
  };

  r.post('/console/kb/articles', async (req, res) => {
    const v = valuesOfForm(req);
    const action = formValue(req, 'action');
    if (action === 'preview') {
      res.type('html').send(kbPage(req, 'New article', editorForm(req, '/console/kb/articles', v, await choicesOf(db, articles), renderMarkdown(v.body), true)));
      return;
    }
    try {
      const fields = articleFields(v);
      const translationOf = v.translationOf && UUID.test(v.translationOf) ? v.translationOf : undefined;
      const a = await articles.create({ ...fields, translationOf, state: action === 'publish' ? 'published' : 'draft' }, author(req));
      res.redirect(303, `/console/kb/articles/${a.id}${queryString({ notice: action === 'publish' ? 'Saved and published.' : 'Saved as a draft.' })}`);
    } catch (err) {
      await refused(req, res, err, 'New article', '/console/kb/articles', v, true);
    }
  });

  r.get('/console/kb/articles/:id', async (req, res) => {
    const a = await articleOf(req);
    const [choices, translations] = await Promise.all([choicesOf(db, articles), articles.articles.translations(a.translationGroupId)]);
    res.type('html').send(kbPage(req, a.latest.title, html`${articleStatus(req, a, translations)}${editorForm(req, `/console/kb/articles/${a.id}`, valuesOfArticle(a), choices, renderMarkdown(a.latest.body), false)}`));
  });

  r.post('/console/kb/articles/:id', async (req, res) => {
    const a = await articleOf(req);
    const v = valuesOfForm(req);
    const action = formValue(req, 'action');
    const title = a.latest.title;
    if (action === 'preview') {
      res.type('html').send(kbPage(req, title, editorForm(req, `/console/kb/articles/${a.id}`, v, await choicesOf(db, articles), renderMarkdown(v.body), false)));
      return;
    }
    try {
      await articles.update(a.id, articleFields(v), author(req));
      if (action === 'publish') await articles.publish(a.id);
      res.redirect(303, `/console/kb/articles/${a.id}${queryString({ notice: action === 'publish' ? 'Saved and published.' : 'Saved.' })}`);
    } catch (err) {
      await refused(req, res, err, title, `/console/kb/articles/${a.id}`, v, false);
    }
  });

  r.post('/console/kb/articles/:id/publish', async (req, res) => {
    const a = await articles.publish((await articleOf(req)).id);
    res.redirect(303, `/console/kb/articles/${a.id}${queryString({ notice: `Published revision ${a.latest.number}.` })}`);
  });

  r.post('/console/kb/articles/:id/archive', async (req, res) => {
    const a = await articleOf(req);
    try {
      await articles.archive(a.id);
    } catch (err) {
      if (err instanceof PacerError && err.kind === 'conflict') return res.redirect(303, `/console/kb/articles/${a.id}${queryString({ error: err.message })}`);
      throw err;
    }
    res.redirect(303, `/console/kb/articles/${a.id}${queryString({ notice: 'Archived: out of the help centre and search.' })}`);
  });

  return r;
}

function articleStatus(req: Request, a: Article, translations: Array<{ id: string; locale: string; state: string }>): SafeHtml {
  const s = sessionOf(req);
  const others = translations.filter((t) => t.id !== a.id);
  const pending = a.published === null || a.published.id !== a.latest.id;
  return html`<section class="card kb-status" aria-label="Article state">
<p>State: <strong class="kb-state">${a.state}</strong> · newest revision ${a.latest.number}${a.published ? html` · published revision ${a.published.number}` : ''}${a.state === 'published' && pending ? html` · <strong>the newest revision is not published yet</strong>` : ''}</p>
<div class="row">
${pending || a.state !== 'published' ? html`<form method="post" action="/console/kb/articles/${a.id}/publish">${csrfField(s.csrfToken)}<button type="submit" class="primary">Publish revision ${a.latest.number}</button></form>` : ''}
${a.state !== 'archived' ? html`<form method="post" action="/console/kb/articles/${a.id}/archive">${csrfField(s.csrfToken)}<button type="submit">Archive</button></form>` : ''}
<a href="/console/kb/articles/${a.id}/history">History</a>
${a.state === 'published' && a.visibility !== 'agents' ? html`<a href="/help/articles/${a.id}">View in the help centre</a>` : ''}
</div>
<p>Translations: ${others.length ? others.map((t) => html`<a href="/console/kb/articles/${t.id}" hreflang="${t.locale}">${t.locale}</a> (${t.state}) `) : 'none'} · <a href="/console/kb/articles/new?translationOf=${a.id}">Add a translation</a></p>
</section>`;
}
