/** One search suite, run on the real Typesense server and on the PostgreSQL fallback: the same answers both ways. */
import assert from 'node:assert/strict';
import { answerAs, errorOf, staffArticle, startKbHarness, type Engine, type KbHarness, type KbSearchAnswer } from './kb-harness';

for (const engine of ['typesense', 'postgres'] as Engine[]) {
  describe(`knowledge base: search on ${engine}`, function () {
    let h: KbHarness;
    const ids = {} as Record<'password' | 'card' | 'orgA' | 'agents' | 'draft' | 'gone', string>;
    const create = async (name: keyof typeof ids, body: Record<string, unknown>) => {
      const res = await h.api('/api/v1/kb/articles', { body: { state: 'published', ...body } });
      assert.equal(res.status, 201, res.text);
      ids[name] = staffArticle(res, 201).id;
    };
    const search = async (q: string, key?: string | null) => {
      const res = await h.api(`/api/v1/kb/search?q=${encodeURIComponent(q)}`, { key });
      assert.equal(res.status, 200, res.text);
      const answer = answerAs<KbSearchAnswer>(res);
      assert.equal(answer.engine, engine);
      return answer;
    };
    const hitIds = async (q: string, key?: string | null) => (await search(q, key)).hits.map((x) => x.id);

    before(async () => {
      h = await startKbHarness(engine);
      await create('password', { title: 'Reset your password', body: 'Open the settings page and choose **reset password**.', visibility: 'public' });
      await create('card', { title: 'Paying by credit card', body: 'We accept every major credit card.', keywords: ['creditcard'], visibility: 'public' });
      await create('orgA', { title: 'Quarterly invoice for the Zephyr contract', body: 'Zephyr billing details.', visibility: 'organizations', organizationIds: [h.orgs.a] });
      await create('agents', { title: 'Zephyr escalation runbook', body: 'Internal Zephyr steps.', visibility: 'agents' });
      await create('draft', { title: 'Zephyr roadmap', body: 'Not yet.', state: 'draft' });
      await h.settle();
    });
    after(async () => h?.close());

    it('finds "password" when searched with a typo ("pasword")', async () => {
      assert.deepEqual(await hitIds('pasword', null), [ids.password]);
    });

    it('finds an article by a hidden keyword ("creditcard" for "credit card")', async () => {
      assert.ok((await hitIds('creditcard', null)).includes(ids.card));
    });

    it('matches a prefix of the last word', async () => {
      assert.ok((await hitIds('reset passw', null)).includes(ids.password));
    });

    it('answers snippets as escaped HTML with the matches marked, and counts hits by category', async () => {
      const res = await search('password', null);
      assert.match(res.hits[0]!.snippet, /<mark>password<\/mark>/i);
      assert.equal(res.facets.categories[0]!.count, 1);
      assert.equal(res.hits[0]!.category.name, 'General');
    });

    it("gives a customer of organization A their organization's article, and a customer of B never", async () => {
      assert.deepEqual(await hitIds('zephyr', h.keys.customerA), [ids.orgA]);
      assert.deepEqual(await hitIds('zephyr', h.keys.customerB), []);
      assert.deepEqual(await hitIds('zephyr', null), []);
    });

    it('gives agents-only articles to staff and never to customers; drafts to no search', async () => {
      const staff = await hitIds('zephyr', h.keys.agent);
      assert.ok(staff.includes(ids.agents) && staff.includes(ids.orgA));
      assert.ok(!staff.includes(ids.draft));
      assert.ok(!(await hitIds('escalation runbook', h.keys.customerA)).includes(ids.agents));
    });

    it('searches the published revision while a draft is edited, and the new one once published', async () => {
      await h.api(`/api/v1/kb/articles/${ids.card}`, { method: 'PATCH', body: { body: 'We accept bank transfers.' } });
      await h.settle();
      assert.deepEqual(await hitIds('transfers', null), []);
      await h.api(`/api/v1/kb/articles/${ids.card}/publish`, { method: 'POST' });
      await h.settle();
      assert.deepEqual(await hitIds('transfers', null), [ids.card]);
    });

    it('drops an archived article from search', async () => {
      await create('gone', { title: 'Legacy fax support', body: 'Fax us.' });
      await h.settle();
      assert.deepEqual(await hitIds('fax', null), [ids.gone]);
      await h.api(`/api/v1/kb/articles/${ids.gone}/archive`, { method: 'POST' });
      await h.settle();
      assert.deepEqual(await hitIds('fax', null), []);
    });

    it('applies synonyms that an admin manages', async () => {
      assert.equal((await h.api('/api/v1/kb/synonyms/signin', { method: 'PUT', body: { synonyms: ['login', 'password'] } })).status, 200);
      assert.ok((await hitIds('login', null)).includes(ids.password));
      assert.equal((await h.api('/api/v1/kb/synonyms/signin', { method: 'PUT', body: { synonyms: ['x'] }, key: h.keys.agent })).status, 403);
    });

    it('lists what the reader may see when no words are given, filtered by category and locale', async () => {
      const all = await search('', null);
      assert.ok(all.hits.some((x) => x.id === ids.password) && all.hits.every((x) => x.id !== ids.agents));
      const none = await h.api('/api/v1/kb/search?categoryId=00000000-0000-1000-8000-000000000000&locale=aa&page=1&perPage=10', { key: null });
      assert.equal(none.status, 200, none.text);
      assert.equal(answerAs<KbSearchAnswer>(none).found, 0);
    });

    it('refuses a NUL in the query with 400', async () => {
      const res = await h.api('/api/v1/kb/search?q=a%00b', { key: null });
      assert.equal(res.status, 400);
      assert.equal(errorOf(res).code, 'validation_failed');
    });
  });
}
