/** The public help centre: server-rendered, only what the reader may see. */
import assert from 'node:assert/strict';
import { createSession, SESSION_COOKIE } from '../../src/domain/users/sessions';
import { createUser } from '../../src/domain/users/users';
import { startKbHarness, type KbHarness } from './kb-harness';

describe('knowledge base: help centre pages', function () {
  let h: KbHarness;
  const ids = {} as Record<'public' | 'agents' | 'orgA', string>;
  before(async () => {
    h = await startKbHarness('postgres');
    const make = async (name: keyof typeof ids, body: Record<string, unknown>) => {
      ids[name] = (await h.api('/api/v1/kb/articles', { body: { state: 'published', ...body } })).body.id;
    };
    await make('public', { title: 'Getting <started>', body: 'Welcome & hello.' });
    await make('agents', { title: 'Agent-only macro list', body: 'Internal.', visibility: 'agents' });
    await make('orgA', { title: 'Org A onboarding', body: 'Only for A.', visibility: 'organizations', organizationIds: [h.orgs.a] });
  });
  after(async () => h?.close());

  it('lists categories and public articles with a search form that works without scripts', async () => {
    const res = await h.page('/help');
    assert.equal(res.status, 200);
    assert.match(res.text, /<form class="help-search" method="get" action="\/help\/search"/);
    assert.match(res.text, /Getting &lt;started&gt;/);
    assert.doesNotMatch(res.text, /Agent-only macro list|Org A onboarding/);
    assert.doesNotMatch(res.text, /https?:\/\/(?!example)/);
  });

  it('renders a public article and answers 404 for agents-only and organization articles', async () => {
    const page = await h.page(`/help/articles/${ids.public}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<p>Welcome &amp; hello.<\/p>/);
    assert.equal((await h.page(`/help/articles/${ids.agents}`)).status, 404);
    assert.equal((await h.page(`/help/articles/${ids.orgA}`)).status, 404);
  });

  it('searches from the page and never shows agents-only hits', async () => {
    const res = await h.page('/help/search?q=macro');
    assert.equal(res.status, 200);
    assert.match(res.text, /No articles match/);
    const found = await h.page('/help/search?q=started');
    assert.match(found.text, new RegExp(`/help/articles/${ids.public}`));
  });

  it("shows a signed-in customer their organization's articles, and another organization's customer not", async () => {
    const cookieOf = async (email: string, organizationId: string) => {
      const user = await createUser(h.database.db, { email, name: email, role: 'customer', organizationId, password: 'correct horse battery staple' });
      return `${SESSION_COOKIE}=${(await createSession(h.database.db, user.id)).token}`;
    };
    const a = await cookieOf('ann@a.example', h.orgs.a);
    const b = await cookieOf('bob@b.example', h.orgs.b);
    assert.equal((await h.page(`/help/articles/${ids.orgA}`, { cookie: a })).status, 200);
    assert.equal((await h.page(`/help/articles/${ids.orgA}`, { cookie: b })).status, 404);
    assert.match((await h.page('/help', { cookie: a })).text, /Org A onboarding/);
    assert.doesNotMatch((await h.page('/help/search?q=onboarding', { cookie: b })).text, /Org A onboarding/);
    assert.equal((await h.page(`/help/articles/${ids.agents}`, { cookie: a })).status, 404);
  });

  it('refuses a NUL in the search box with 400', async () => {
    assert.equal((await h.page('/help/search?q=a%00b')).status, 400);
  });
});
