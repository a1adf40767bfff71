/** Articles through the API on real PostgreSQL: defaults, states, revisions, diff, restore, visibility, the edge. */
import assert from 'node:assert/strict';
import { answerAs, errorOf, listOf, readerArticle, staffArticle, startKbHarness, type KbCategory, type KbHarness, type KbRevision, type KbSection } from './kb-harness';
import type { RevisionDiff } from '../../src/domain/kb/revision-diff';

describe('knowledge base: articles', function () {
  let h: KbHarness;
  before(async () => {
    h = await startKbHarness('postgres');
  });
  after(async () => h?.close());

  const create = async (body: Record<string, unknown>, key?: string) => {
    const res = await h.api('/api/v1/kb/articles', { body, key });
    assert.equal(res.status, 201, res.text);
    return staffArticle(res, 201);
  };

  it('creates a published article from title, body, visibility and state alone, in the default category and locale', async () => {
    const a = await create({ title: 'Reset your password', body: 'Open **Settings**.', visibility: 'public', state: 'published' });
    assert.equal(a.state, 'published');
    assert.equal(a.locale, 'en');
    assert.equal(a.publishedRevision, 1);
    assert.match(a.html, /<strong>Settings<\/strong>/);
    const cats = await h.api('/api/v1/kb/categories', { key: null });
    assert.equal(listOf<KbCategory>(cats).find((c) => c.id === a.categoryId)?.isDefault, true);
  });

  it('keeps the published revision live while the next draft is edited, until it is published', async () => {
    const a = await create({ title: 'Billing cycles', body: 'Monthly.', state: 'published' });
    const edited = staffArticle(await h.api(`/api/v1/kb/articles/${a.id}`, { method: 'PATCH', body: { body: 'Monthly or yearly.' } }));
    assert.equal(edited.latestRevision, 2);
    assert.equal(edited.publishedRevision, 1);
    assert.equal(edited.hasUnpublishedChanges, true);
    const seen = readerArticle(await h.api(`/api/v1/kb/articles/${a.id}`, { key: null }));
    assert.match(seen.html, /Monthly\.</);
    await h.api(`/api/v1/kb/articles/${a.id}/publish`, { method: 'POST' });
    const after = readerArticle(await h.api(`/api/v1/kb/articles/${a.id}`, { key: null }));
    assert.match(after.html, /Monthly or yearly\./);
  });

  it('hides a draft and an archived article from readers', async () => {
    const draft = await create({ title: 'Upcoming feature', body: 'Soon.' });
    assert.equal((await h.api(`/api/v1/kb/articles/${draft.id}`, { key: null })).status, 404);
    const live = await create({ title: 'Old feature', body: 'Gone.', state: 'published' });
    const archived = staffArticle(await h.api(`/api/v1/kb/articles/${live.id}/archive`, { method: 'POST' }));
    assert.equal(archived.state, 'archived');
    assert.equal((await h.api(`/api/v1/kb/articles/${live.id}`, { key: h.keys.customerA })).status, 404);
  });

  it('records every save as a revision, diffs two of them and restores an old one as a new revision', async () => {
    const a = await create({ title: 'Export data', body: 'Line one\nLine two\n', keywords: ['csv'] });
    await h.api(`/api/v1/kb/articles/${a.id}`, { method: 'PATCH', body: { title: 'Export your data', body: 'Line one\nLine 2\n', keywords: ['csv', 'excel'] } });
    const revisions = await h.api(`/api/v1/kb/articles/${a.id}/revisions`);
    assert.deepEqual(listOf<KbRevision>(revisions).map((r) => r.number), [2, 1]);
    const diff = answerAs<RevisionDiff>(await h.api(`/api/v1/kb/articles/${a.id}/diff?from=1&to=2`));
    assert.deepEqual(diff.keywords, { added: ['excel'], removed: [] });
    assert.ok(diff.body.some((p) => p.op === 'removed' && p.text === 'Line two\n'));
    assert.ok(diff.title.some((p) => p.op === 'added' && p.text.includes('your')));
    assert.match(diff.unified, /^-Line two$/m);
    const restored = staffArticle(await h.api(`/api/v1/kb/articles/${a.id}/revisions/1/restore`, { method: 'POST' }));
    assert.equal(restored.latestRevision, 3);
    assert.equal(restored.title, 'Export data');
    assert.deepEqual(restored.keywords, ['csv']);
  });

  it('renders Markdown without raw HTML or script links', async () => {
    const a = await create({ title: 'Hostile', body: '<script>alert(1)</script>\n\n[click](javascript:alert(1)) [ok](https://example.org)', state: 'published' });
    assert.doesNotMatch(a.html, /<script>/);
    assert.doesNotMatch(a.html, /href="javascript:/);
    assert.match(a.html, /<a href="https:\/\/example.org" rel="nofollow noopener noreferrer">ok<\/a>/);
  });

  it("never gives a customer of organization B organization A's article, nor agents-only articles to customers", async () => {
    const forA = await create({ title: 'Org A runbook', body: 'Only A.', visibility: 'organizations', organizationIds: [h.orgs.a], state: 'published' });
    const internal = await create({ title: 'Internal escalation', body: 'Agents.', visibility: 'agents', state: 'published' });
    assert.equal((await h.api(`/api/v1/kb/articles/${forA.id}`, { key: h.keys.customerA })).status, 200);
    assert.equal((await h.api(`/api/v1/kb/articles/${forA.id}`, { key: h.keys.customerB })).status, 404);
    assert.equal((await h.api(`/api/v1/kb/articles/${forA.id}`, { key: null })).status, 404);
    assert.equal((await h.api(`/api/v1/kb/articles/${internal.id}`, { key: h.keys.customerA })).status, 404);
    assert.equal((await h.api(`/api/v1/kb/articles/${internal.id}`, { key: h.keys.agent })).status, 200);
    const listB = await h.api('/api/v1/kb/articles', { key: h.keys.customerB });
    assert.ok(!listOf<{ id: string }>(listB).some((x) => x.id === forA.id || x.id === internal.id));
  });

  it('lets customers read but not write', async () => {
    const res = await h.api('/api/v1/kb/articles', { body: { title: 'Mine', body: '' }, key: h.keys.customerA });
    assert.equal(res.status, 403);
    assert.equal((await h.api('/api/v1/kb/articles', { body: { title: 'Anon', body: '' }, key: null })).status, 401);
  });

  it('refuses a NUL in a title with 400 naming the field', async () => {
    const res = await h.api('/api/v1/kb/articles', { body: { title: 'bad\u0000title', body: '' } });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).code, 'validation_failed');
    assert.equal(errorOf(res).details?.[0]?.path, 'title');
  });

  it('manages categories and sections, and places articles in them', async () => {
    const cat = await h.api('/api/v1/kb/categories', { body: { name: 'Billing' } });
    assert.equal(cat.status, 201);
    const category = answerAs<KbCategory>(cat);
    const sec = await h.api('/api/v1/kb/sections', { body: { categoryId: category.id, name: 'Invoices' } });
    assert.equal(sec.status, 201);
    const section = answerAs<KbSection>(sec);
    const a = await create({ title: 'Download an invoice', body: 'PDF.', categoryId: category.id, sectionId: section.id });
    assert.equal(a.sectionId, section.id);
    assert.equal((await h.api(`/api/v1/kb/categories/${category.id}`, { method: 'DELETE' })).status, 409);
    assert.equal((await h.api('/api/v1/kb/categories', { body: { name: 'Billing' } })).status, 409);
  });

  it('links translations through one group, and refuses a second article in the same locale', async () => {
    const en = await create({ title: 'Hello', body: 'Hi.', state: 'published' });
    const de = await create({ title: 'Hallo', body: 'Hi.', locale: 'de', translationOf: en.id, state: 'published' });
    assert.equal(de.translationGroupId, en.translationGroupId);
    const list = await h.api(`/api/v1/kb/articles/${en.id}/translations`, { key: null });
    assert.deepEqual(listOf<{ locale: string }>(list).map((t) => t.locale).sort(), ['de', 'en']);
    assert.equal((await h.api('/api/v1/kb/articles', { body: { title: 'Hallo 2', body: '', locale: 'de', translationOf: en.id } })).status, 409);
  });
});
