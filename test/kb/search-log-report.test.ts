/**
 * The search log on the real Typesense server (every search a reader makes: its query, hit
 * count and caller kind) and the console's KB report over it: searches with no hits, most
 * viewed, the rewrite queue (least helpful with enough votes) and deflections.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { kbReport } from '../../src/domain/kb/kb-report';
import { staffArticle, startKbHarness, type KbHarness } from './kb-harness';
import { signedIn, type Browsing } from './console-session';

describe('knowledge base: search log and report', function () {
  let h: KbHarness;
  let agent: Browsing;
  const ids = {} as Record<'vpn' | 'plan' | 'sso', string>;

  const logged = () => h.database.db.selectFrom('kb_search_log').select(['query', 'hit_count', 'caller_kind']).orderBy('id').execute();
  const publish = async (title: string) => staffArticle(await h.api('/api/v1/kb/articles', { body: { title, body: `${title} explained.`, state: 'published' } }), 201).id;
  const vote = (articleId: string, helpful: boolean, n: number, comment: string | null = null) =>
    h.database.db.insertInto('kb_votes').values(Array.from({ length: n }, () => ({ id: crypto.randomUUID(), article_id: articleId, reader_key: `anon:${crypto.randomUUID()}`, helpful, comment }))).execute();

  before(async () => {
    h = await startKbHarness('typesense');
    agent = await signedIn(h, 'agent', 'al@pacer.test');
    ids.vpn = await publish('Connect the VPN');
    ids.plan = await publish('Change your plan');
    ids.sso = await publish('Single sign-on');
    await h.settle();
  });
  after(async () => h?.close());

  it('logs each search with its hit count and caller kind, through the API and the help centre', async () => {
    await h.api('/api/v1/kb/search?q=vpn', { key: null });
    await h.api('/api/v1/kb/search?q=quantum%20flux', { key: h.keys.customerA });
    await h.api('/api/v1/kb/search?q=plan', { key: h.keys.agent });
    await h.api('/api/v1/kb/search?q=Quantum%20%20Flux');
    await h.page('/help/search?q=quantum+flux');
    const ann = await signedIn(h, 'customer', 'ann@a.example', h.orgs.a);
    await ann.get('/help/search?q=plan');
    // A blank box and the next page of a search already logged are not new searches.
    await h.page('/help/search?q=+');
    await h.api('/api/v1/kb/search?q=plan&page=2', { key: null });
    assert.deepEqual(await logged(), [
      { query: 'vpn', hit_count: 1, caller_kind: 'anonymous' },
      { query: 'quantum flux', hit_count: 0, caller_kind: 'customer' },
      { query: 'plan', hit_count: 1, caller_kind: 'agent' },
      { query: 'Quantum Flux', hit_count: 0, caller_kind: 'admin' },
      { query: 'quantum flux', hit_count: 0, caller_kind: 'anonymous' },
      { query: 'plan', hit_count: 1, caller_kind: 'customer' },
    ]);
  });

  it('reports searches with no hits, one line per query however it was typed, with who searched', async () => {
    const rep = await kbReport(h.database.db, { days: 30, minVotes: 3, limit: 20 });
    assert.deepEqual(rep.noHits.map((n) => [n.query, n.searches, n.callers]), [['quantum flux', 3, ['admin', 'anonymous', 'customer']]]);
    assert.deepEqual([rep.totals.searches, rep.totals.noHitSearches], [6, 3]);
    const page = await agent.get('/console/kb/report');
    assert.equal(page.status, 200);
    assert.match(page.text, /<table class="kb-no-hits">[^]*<td>quantum flux<\/td><td>3<\/td><td>admin, anonymous, customer<\/td>/);
  });

  it('ranks the most viewed articles by their views in the window', async () => {
    for (let i = 0; i < 3; i++) await h.page(`/help/articles/${ids.plan}`);
    await h.page(`/help/articles/${ids.vpn}`);
    // Views from long ago fall outside the window.
    await h.database.db.insertInto('kb_article_views').values({ article_id: ids.sso, day: '2020-01-01', views: 50 }).execute();
    const rep = await kbReport(h.database.db, { days: 30, minVotes: 3, limit: 20 });
    assert.deepEqual(rep.mostViewed.map((a) => [a.title, a.views]), [['Change your plan', 3], ['Connect the VPN', 1]]);
    assert.match((await agent.get('/console/kb/report?days=365')).text, /<table class="kb-most-viewed">[^]*Change your plan<\/a><\/td><td>3</);
  });

  it('queues the least helpful articles with enough votes for a rewrite, lowest share of yes first, with the comments', async () => {
    await vote(ids.vpn, false, 2, 'Which client?');
    await vote(ids.vpn, true, 1);
    await vote(ids.plan, true, 3);
    await vote(ids.plan, false, 1);
    await vote(ids.sso, false, 2);
    const rep = await kbReport(h.database.db, { days: 30, minVotes: 3, limit: 20 });
    assert.deepEqual(rep.leastHelpful.map((a) => [a.title, a.helpful, a.notHelpful, a.comments]), [['Connect the VPN', 1, 2, ['Which client?', 'Which client?']], ['Change your plan', 3, 1, []]]);
    const page = await agent.get('/console/kb/report');
    assert.match(page.text, /<table class="kb-least-helpful">[^]*Connect the VPN<\/a><\/td><td>33%<\/td>[^]*Change your plan<\/a><\/td><td>75%/);
    const queue = page.text.slice(page.text.indexOf('class="kb-least-helpful"'), page.text.indexOf('id="kb-r-deflect"'));
    assert.doesNotMatch(queue, /Single sign-on/, 'two votes are not enough to rank');
  });

  it('counts deflections per article from kb_deflections', async () => {
    const deflect = (articleId: string) => h.database.db.insertInto('kb_deflections').values({ id: crypto.randomUUID(), article_id: articleId, reader_key: `anon:${crypto.randomUUID()}` }).execute();
    await deflect(ids.sso);
    await deflect(ids.sso);
    await deflect(ids.vpn);
    const rep = await kbReport(h.database.db, { days: 30, minVotes: 3, limit: 20 });
    assert.deepEqual(rep.deflections.map((a) => [a.title, a.deflections]), [['Single sign-on', 2], ['Connect the VPN', 1]]);
    assert.equal(rep.totals.deflections, 3);
    assert.match((await agent.get('/console/kb/report')).text, /<table class="kb-deflections">[^]*Single sign-on<\/a><\/td><td>2</);
  });
});
