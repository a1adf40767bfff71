/**
 * Search synonyms in the console: agents see them, admins add, replace and delete sets (multi-way:
 * every word stands for the others; one-way: a root stands for the rest). Saved through
 * KbSearch, so the database and the live Typesense collection both get the change.
 */
import { Router, type Request } from 'express';
import type { KbSearch } from '../../domain/search/kb-search';
import { formText } from '../kit/form';
import { csrfField } from './csrf';
import { html, queryString } from './html';
import { kbPage } from './kb-console-layout';
import { sessionOf } from './session';
import { Forbidden, InvalidInput, NotFound } from '../../core/errors';

const SYNONYM_ID = /^[a-z0-9][a-z0-9_-]{0,99}$/;

const requireAdmin = (req: Request) => {
  if (sessionOf(req).user.role !== 'admin') throw new Forbidden('Only admins change search synonyms.');
};

export function kbSynonymPageRoutes(search: KbSearch): Router {
  const r = Router();

  r.get('/console/kb/synonyms', async (req, res) => {
    const s = sessionOf(req);
    const admin = s.user.role === 'admin';
    const list = await search.synonyms.list();
    const body = html`<p>A search for one word of a set also finds the others (one-way: only the root finds the rest).</p>
${list.length === 0 ? html`<p>No synonyms yet.</p>` : html`<table class="kb-synonyms"><thead><tr><th scope="col">Name</th><th scope="col">Words</th><th scope="col">Root</th>${admin ? html`<th scope="col"></th>` : ''}</tr></thead>
<tbody>${list.map((syn) => html`<tr><td>${syn.id}</td><td>${syn.synonyms.join(', ')}</td><td>${syn.root ?? '(every word)'}</td>${admin ? html`<td><form method="post" action="/console/kb/synonyms/${syn.id}/delete">${csrfField(s.csrfToken)}<button type="submit" aria-label="Delete ${syn.id}">Delete</button></form></td>` : ''}</tr>`)}</tbody></table>`}
${admin ? html`<h2>Add or replace a set</h2>
<form method="post" action="/console/kb/synonyms" class="stack card">${csrfField(s.csrfToken)}
<label for="syn-id">Name (lowercase letters, digits, - and _; an existing name is replaced)</label><input id="syn-id" name="id" required maxlength="100" pattern="[a-z0-9][a-z0-9_\\-]{0,99}">
<label for="syn-words">Words (comma separated)</label><input id="syn-words" name="synonyms" required>
<label for="syn-root">Root (optional: makes the set one-way)</label><input id="syn-root" name="root" maxlength="100">
<button type="submit" class="primary">Save</button></form>` : ''}`;
    res.type('html').send(kbPage(req, 'Search synonyms', body));
  });

  r.post('/console/kb/synonyms', async (req, res) => {
    requireAdmin(req);
    const id = formText(req, 'id');
    const words = formText(req, 'synonyms').split(',').map((w) => w.trim()).filter(Boolean);
    const root = formText(req, 'root');
    if (!SYNONYM_ID.test(id)) throw new InvalidInput('A name is lowercase letters, digits, - and _ (at most 100).');
    if (words.length === 0 || words.length > 50 || words.some((w) => w.length > 100) || root.length > 100) throw new InvalidInput('A set has 1 to 50 words of at most 100 characters.');
    await search.putSynonym({ id, synonyms: words, root: root || null });
    res.redirect(303, `/console/kb/synonyms${queryString({ notice: `Saved “${id}”.` })}`);
  });

  r.post('/console/kb/synonyms/:id/delete', async (req, res) => {
    requireAdmin(req);
    const id = String(req.params.id);
    if (!SYNONYM_ID.test(id)) throw new NotFound('synonym');
    await search.deleteSynonym(id);
    res.redirect(303, `/console/kb/synonyms${queryString({ notice: `Deleted “${id}”.` })}`);
  });

  return r;
}
