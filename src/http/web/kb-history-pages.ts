/**
 * An article's history in the console: every revision (who, when, note), a comparison of any
 * two (the title word by word, the body line by line in <ins>/<del>, keywords added and
 * removed — the same diff the API answers), and restore, which saves an old revision's
 * content as a new revision (history only grows; it is live once published).
 */
import { Router, type Request } from 'express';
import type { ArticleService } from '../../domain/kb/article-service';
import { diffRevisions, type DiffPart } from '../../domain/kb/revision-diff';
import { csrfField } from './csrf';
import { html, queryString, type SafeHtml } from './html';
import { kbPage } from './kb-console-layout';
import { UUID } from '../../core/uuid';
import { sessionOf } from './session';
import { InvalidInput, NotFound } from '../../core/errors';

const REVISION = /^[1-9][0-9]{0,9}$/;

const revisionNumber = (v: unknown): number | null => (typeof v === 'string' && REVISION.test(v) && Number(v) <= 2_147_483_647 ? Number(v) : null);

function partsHtml(parts: DiffPart[]): SafeHtml {
  return html`${parts.map((p) => (p.op === 'added' ? html`<ins>${p.text}</ins>` : p.op === 'removed' ? html`<del>${p.text}</del>` : html`<span>${p.text}</span>`))}`;
}

export function kbHistoryPageRoutes(articles: ArticleService): Router {
  const r = Router();
  const articleOf = async (req: Request) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new NotFound('article');
    return articles.get(id);
  };

  r.get('/console/kb/articles/:id/history', async (req, res) => {
    const a = await articleOf(req);
    const s = sessionOf(req);
    const revisions = await articles.articles.revisions(a.id);
    const newest = revisions[0]!.number;
    const before = revisions[1]?.number ?? newest;
    const body = html`<p><a href="/console/kb/articles/${a.id}">Back to the editor</a></p>
<form method="get" action="/console/kb/articles/${a.id}/diff">
<table class="kb-history">
<thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Revision</th><th scope="col">Title</th><th scope="col">Author</th><th scope="col">Saved</th><th scope="col">Note</th><th scope="col"></th></tr></thead>
<tbody>${revisions.map((rev) => html`<tr>
<td><input type="radio" name="from" value="${rev.number}" aria-label="compare from revision ${rev.number}"${rev.number === before ? html` checked` : ''}></td>
<td><input type="radio" name="to" value="${rev.number}" aria-label="compare to revision ${rev.number}"${rev.number === newest ? html` checked` : ''}></td>
<td>${rev.number}${a.published?.id === rev.id ? html` <strong>(published)</strong>` : ''}</td><td>${rev.title}</td><td>${rev.author}</td>
<td><time datetime="${rev.createdAt.toISOString()}">${rev.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</time></td><td>${rev.note ?? ''}</td>
<td>${rev.number === newest ? '' : html`<button type="submit" form="restore-${rev.number}">Restore</button>`}</td></tr>`)}</tbody>
</table>
<button type="submit">Compare</button>
</form>
${revisions.filter((rev) => rev.number !== newest).map((rev) => html`<form id="restore-${rev.number}" method="post" action="/console/kb/articles/${a.id}/revisions/${rev.number}/restore">${csrfField(s.csrfToken)}</form>`)}`;
    res.type('html').send(kbPage(req, `History of “${a.latest.title}”`, body));
  });

  r.get('/console/kb/articles/:id/diff', async (req, res) => {
    const a = await articleOf(req);
    const fromN = revisionNumber(req.query.from);
    const toN = revisionNumber(req.query.to);
    if (fromN === null || toN === null) throw new InvalidInput('Choose two revisions to compare.');
    const [from, to] = await Promise.all([articles.articles.revision(a.id, fromN), articles.articles.revision(a.id, toN)]);
    if (!from || !to) throw new NotFound('revision');
    const d = diffRevisions(from, to);
    const body = html`<p><a href="/console/kb/articles/${a.id}/history">Back to the history</a></p>
<p>Changes from revision ${d.from} (${from.author}) to revision ${d.to} (${to.author}). <ins>Added</ins> and <del>removed</del> text is marked.</p>
<h2>Title</h2><p class="kb-diff-title">${partsHtml(d.title)}</p>
<h2>Keywords</h2><p>${d.keywords.added.length || d.keywords.removed.length ? html`${d.keywords.added.map((k) => html`<ins>${k}</ins> `)}${d.keywords.removed.map((k) => html`<del>${k}</del> `)}` : 'unchanged'}</p>
<h2>Body</h2><pre class="kb-diff-body">${partsHtml(d.body)}</pre>
<details><summary>As a unified patch</summary><pre>${d.unified}</pre></details>`;
    res.type('html').send(kbPage(req, `Revision ${d.from} → ${d.to}`, body));
  });

  r.post('/console/kb/articles/:id/revisions/:number/restore', async (req, res) => {
    const a = await articleOf(req);
    const n = revisionNumber(req.params.number);
    if (n === null) throw new NotFound('revision');
    const restored = await articles.restore(a.id, n, sessionOf(req).user.name);
    res.redirect(303, `/console/kb/articles/${a.id}${queryString({ notice: `Revision ${n} restored as revision ${restored.latest.number}; publish it to make it live.` })}`);
  });

  return r;
}
