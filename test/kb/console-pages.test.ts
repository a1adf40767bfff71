/**
 * The knowledge base's console pages through the real app and PostgreSQL: writing, previewing,
 * publishing, editing, history with a diff and restore, archiving, translations, filters,
 * refusals that keep what was typed, CSRF, and synonyms (admins change, agents look).
 */
import assert from 'node:assert/strict';
import { answerAs, listOf, staffArticle, startKbHarness, type KbCategory, type KbHarness, type KbSection } from './kb-harness';
import { signedIn, type Browsing } from './console-session';

describe('knowledge base: console pages', function () {
  let h: KbHarness;
  let agent: Browsing;
  let admin: Browsing;
  let howTo: KbCategory;
  let billing: KbCategory;
  let invoices: KbSection;

  const article = async (id: string) => staffArticle(await h.api(`/api/v1/kb/articles/${id}`));
  const idFrom = (location: string | null) => {
    const m = /^\/console\/kb\/articles\/([0-9a-f-]{36})/.exec(location ?? '');
    assert.ok(m, `redirected to an article page: ${location}`);
    return m[1]!;
  };
  const fields = (over: Record<string, string | string[]> = {}) => ({ title: 'Reset your password', body: '# Steps\n\nOpen **Settings**.', keywords: 'passwd, login', placement: howTo.id, locale: 'en', visibility: 'public', action: 'save', ...over });
  const articleCount = async () => Number((await h.database.db.selectFrom('kb_articles').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  before(async () => {
    h = await startKbHarness('postgres');
    agent = await signedIn(h, 'agent', 'al@pacer.test');
    admin = await signedIn(h, 'admin', 'ria@pacer.test');
    howTo = answerAs<KbCategory>(await h.api('/api/v1/kb/categories', { body: { name: 'How-to' } }));
    billing = answerAs<KbCategory>(await h.api('/api/v1/kb/categories', { body: { name: 'Billing' } }));
    invoices = answerAs<KbSection>(await h.api('/api/v1/kb/sections', { body: { categoryId: billing.id, name: 'Invoices' } }));
  });
  after(async () => h?.close());

  it('saves a draft from the form: a revision with keywords, section and chosen organizations, not in the help centre', async () => {
    const res = await agent.post('/console/kb/articles', fields({ title: 'Invoice PDFs', placement: `${billing.id}/${invoices.id}`, visibility: 'organizations', organizationIds: [h.orgs.a, h.orgs.b] }));
    assert.equal(res.status, 303);
    const a = await article(idFrom(res.location));
    assert.deepEqual([a.state, a.categoryId, a.sectionId, a.latestRevision, a.keywords], ['draft', billing.id, invoices.id, 1, ['passwd', 'login']]);
    assert.deepEqual([...a.organizationIds].sort(), [h.orgs.a, h.orgs.b].sort());
    assert.equal((await h.page(`/help/articles/${a.id}`)).status, 404);
    const list = await agent.get('/console/kb?state=draft');
    assert.match(list.text, new RegExp(`href="/console/kb/articles/${a.id}">Invoice PDFs<`));
    assert.doesNotMatch((await agent.get('/console/kb?state=published')).text, /Invoice PDFs/);
  });

  it('previews the rendered Markdown without saving anything, raw HTML escaped', async () => {
    const before = await articleCount();
    const res = await agent.post('/console/kb/articles', fields({ title: 'Preview me', body: 'Hello **bold** <script>alert(1)</script>', action: 'preview' }));
    assert.equal(res.status, 200);
    assert.match(res.text, /<section class="card kb-preview"[^]*<strong>bold<\/strong> &lt;script&gt;/);
    assert.match(res.text, /<input id="kb-title" name="title" value="Preview me"/);
    assert.equal(await articleCount(), before);
  });

  it('publishes from the editor, keeps the published revision live while the next edit waits, then publishes it', async () => {
    const id = idFrom((await agent.post('/console/kb/articles', fields({ action: 'publish' }))).location);
    assert.match((await h.page(`/help/articles/${id}`)).text, /<strong>Settings<\/strong>/);
    assert.equal((await agent.post(`/console/kb/articles/${id}`, fields({ body: 'Open **Preferences** instead.' }))).status, 303);
    const edited = await article(id);
    assert.deepEqual([edited.latestRevision, edited.publishedRevision, edited.hasUnpublishedChanges], [2, 1, true]);
    assert.match((await h.page(`/help/articles/${id}`)).text, /Settings/);
    assert.match((await agent.get(`/console/kb/articles/${id}`)).text, /the newest revision is not published yet/);
    assert.equal((await agent.post(`/console/kb/articles/${id}/publish`, {})).status, 303);
    assert.match((await h.page(`/help/articles/${id}`)).text, /<strong>Preferences<\/strong>/);
  });

  it('shows a readable diff between two revisions and restores an old one as a new revision', async () => {
    const id = idFrom((await agent.post('/console/kb/articles', fields({ title: 'Two factor', body: 'line one\nline two\n' }))).location);
    await agent.post(`/console/kb/articles/${id}`, fields({ title: 'Two-factor sign-in', body: 'line one\nline 2\n', keywords: 'passwd, 2fa' }));
    const history = await agent.get(`/console/kb/articles/${id}/history`);
    assert.match(history.text, /name="from" value="1"[^>]*checked/);
    const diff = await agent.get(`/console/kb/articles/${id}/diff?from=1&to=2`);
    assert.equal(diff.status, 200);
    assert.match(diff.text, /<del>line two\n<\/del><ins>line 2\n<\/ins>/);
    assert.match(diff.text, /<ins>2fa<\/ins>[^]*<del>login<\/del>/);
    const restored = await agent.post(`/console/kb/articles/${id}/revisions/1/restore`, {});
    assert.equal(restored.status, 303);
    const a = await article(id);
    assert.deepEqual([a.latestRevision, a.title, a.body], [3, 'Two factor', 'line one\nline two\n']);
  });

  it('refuses a form without a title or with a section of another category, showing what was typed', async () => {
    const before = await articleCount();
    const noTitle = await agent.post('/console/kb/articles', fields({ title: '  ', body: 'kept body text' }));
    assert.equal(noTitle.status, 400);
    assert.match(noTitle.text, /role="alert">An article needs a title/);
    assert.match(noTitle.text, /kept body text<\/textarea>/);
    const misplaced = await agent.post('/console/kb/articles', fields({ placement: `${howTo.id}/${invoices.id}` }));
    assert.equal(misplaced.status, 400);
    assert.match(misplaced.text, /the section belongs to another category/);
    assert.equal((await agent.post('/console/kb/articles', fields({ title: 'a\u0000b' }))).status, 400);
    assert.equal(await articleCount(), before);
  });

  it('refuses a post without the CSRF token and keeps customers out', async () => {
    const before = await articleCount();
    assert.equal((await agent.post('/console/kb/articles', { ...fields(), _csrf: 'forged' })).status, 403);
    const customer = await signedIn(h, 'customer', 'cus@a.example', h.orgs.a);
    assert.equal((await customer.post('/console/kb/articles', fields())).status, 404);
    assert.equal((await customer.get('/console/kb')).status, 303);
    assert.equal(await articleCount(), before);
  });

  it('archives an article out of the help centre', async () => {
    const id = idFrom((await agent.post('/console/kb/articles', fields({ title: 'Old pricing', action: 'publish' }))).location);
    assert.equal((await h.page(`/help/articles/${id}`)).status, 200);
    assert.equal((await agent.post(`/console/kb/articles/${id}/archive`, {})).status, 303);
    assert.equal((await article(id)).state, 'archived');
    assert.equal((await h.page(`/help/articles/${id}`)).status, 404);
    assert.match((await agent.post(`/console/kb/articles/${id}/archive`, {})).location ?? '', /error=/);
  });

  it('writes a translation linked to the original, and filters the list by locale and category', async () => {
    const original = idFrom((await agent.post('/console/kb/articles', fields({ title: 'Export data', placement: billing.id, action: 'publish' }))).location);
    const form = await agent.get(`/console/kb/articles/new?translationOf=${original}`);
    assert.match(form.text, new RegExp(`name="translationOf" value="${original}"`));
    const de = idFrom((await agent.post('/console/kb/articles', fields({ title: 'Daten exportieren', placement: billing.id, locale: 'de', translationOf: original }))).location);
    const translations = listOf<{ id: string; locale: string }>(await h.api(`/api/v1/kb/articles/${original}/translations`));
    assert.deepEqual(translations.map((t) => t.locale), ['de', 'en']);
    assert.match((await agent.get(`/console/kb/articles/${original}`)).text, new RegExp(`href="/console/kb/articles/${de}" hreflang="de"`));
    const german = await agent.get(`/console/kb?locale=de&category=${billing.id}`);
    assert.match(german.text, /Daten exportieren/);
    assert.doesNotMatch(german.text, /Export data|Invoice PDFs/);
  });

  it('lets admins add and delete synonyms, and agents only look', async () => {
    assert.equal((await agent.post('/console/kb/synonyms', { id: 'card', synonyms: 'creditcard, credit card' })).status, 403);
    assert.equal((await admin.post('/console/kb/synonyms', { id: 'card', synonyms: 'creditcard, credit card', root: '' })).status, 303);
    const shown = await agent.get('/console/kb/synonyms');
    assert.match(shown.text, /<td>card<\/td><td>creditcard, credit card<\/td>/);
    assert.doesNotMatch(shown.text, /action="\/console\/kb\/synonyms\/card\/delete"/);
    const api = listOf<{ id: string; synonyms: string[] }>(await h.api('/api/v1/kb/synonyms'));
    assert.deepEqual(api.map((s) => [s.id, s.synonyms]), [['card', ['creditcard', 'credit card']]]);
    assert.equal((await admin.post('/console/kb/synonyms/card/delete', {})).status, 303);
    assert.deepEqual(listOf(await h.api('/api/v1/kb/synonyms')), []);
  });
});
