/**
 * "Was this helpful?" and view counts, in the help centre and through the API, on real
 * PostgreSQL: one vote per reader per article (a signed-in user, an API key, or the anonymous
 * reader cookie), a second vote replacing the first, comments, refusals, and views counted for
 * readers but not for staff editing.
 */
import assert from 'node:assert/strict';
import { bodyOf } from '../api/api-helpers';
import { feedbackView, voteSchema } from '../../src/http/api/routes/kb-feedback';
import { staffArticle, startKbHarness, type KbHarness } from './kb-harness';
import { browsing, signedIn } from './console-session';
import { READER_COOKIE } from '../../src/http/kit/reader-key';
import { z } from 'zod';

// The answer's shape, as the route builds it (feedbackView) and documents it.
const feedbackAnswer = z.object({ helpful: z.int(), notHelpful: z.int(), views: z.int(), yourVote: z.object({ helpful: z.boolean(), comment: z.string().nullable() }).nullable() });
type Feedback = ReturnType<typeof feedbackView>;

describe('knowledge base: helpful votes and views', function () {
  let h: KbHarness;
  let publicId: string;
  let orgAId: string;

  const feedback = async (id: string, key?: string | null): Promise<Feedback> => bodyOf(await h.api(`/api/v1/kb/articles/${id}/feedback`, { key }), feedbackAnswer);
  /** A fresh anonymous reader: the help centre's first page sets the reader cookie the form then carries. */
  const anonymousReader = async (id: string) => {
    const res = await fetch(`${h.baseUrl}/help/articles/${id}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, new RegExp(`^${READER_COOKIE}=[0-9a-f-]{36}$`));
    const reader = /name="_reader" value="([^"]+)"/.exec(await res.text())?.[1];
    assert.equal(`${READER_COOKIE}=${reader}`, cookie);
    return { ...browsing(h, cookie, null), reader: reader! };
  };

  before(async () => {
    h = await startKbHarness('postgres');
    publicId = staffArticle(await h.api('/api/v1/kb/articles', { body: { title: 'Change your plan', body: 'Go to Billing.', state: 'published' } }), 201).id;
    orgAId = staffArticle(await h.api('/api/v1/kb/articles', { body: { title: 'Org A VPN', body: 'Only A.', state: 'published', visibility: 'organizations', organizationIds: [h.orgs.a] } }), 201).id;
  });
  after(async () => h?.close());

  it('takes one anonymous vote per reader cookie; voting again replaces it', async () => {
    const reader = await anonymousReader(publicId);
    const first = await reader.post(`/help/articles/${publicId}/feedback`, { _reader: reader.reader, helpful: 'no', comment: 'Which menu?' });
    assert.equal(first.status, 303);
    assert.equal(first.location, `/help/articles/${publicId}?voted=1#helpful`);
    await reader.post(`/help/articles/${publicId}/feedback`, { _reader: reader.reader, helpful: 'yes', comment: '' });
    const after = await feedback(publicId, null);
    assert.deepEqual([after.helpful, after.notHelpful], [1, 0]);
    const page = await reader.get(`/help/articles/${publicId}?voted=1`);
    assert.match(page.text, /Thanks for your feedback[^]*value="yes" required checked/);
    const another = await anonymousReader(publicId);
    await another.post(`/help/articles/${publicId}/feedback`, { _reader: another.reader, helpful: 'no' });
    assert.deepEqual([(await feedback(publicId, null)).helpful, (await feedback(publicId, null)).notHelpful], [1, 1]);
  });

  it('refuses an anonymous vote without its reader id (a form from another site) or without an answer', async () => {
    const reader = await anonymousReader(publicId);
    const before = await feedback(publicId, null);
    assert.equal((await reader.post(`/help/articles/${publicId}/feedback`, { helpful: 'no' })).status, 403);
    assert.equal((await browsing(h, '', null).post(`/help/articles/${publicId}/feedback`, { helpful: 'no' })).status, 403);
    assert.equal((await reader.post(`/help/articles/${publicId}/feedback`, { _reader: reader.reader, helpful: 'maybe' })).status, 400);
    assert.equal((await reader.post(`/help/articles/${publicId}/feedback`, { _reader: reader.reader, helpful: 'no', comment: 'x'.repeat(2_001) })).status, 400);
    assert.deepEqual(await feedback(publicId, null), before);
  });

  it('counts a signed-in customer once, by user, behind the session CSRF token, on their organization article', async () => {
    const ann = await signedIn(h, 'customer', 'ann@a.example', h.orgs.a);
    assert.equal((await ann.post(`/help/articles/${orgAId}/feedback`, { helpful: 'no', _csrf: 'forged' })).status, 403);
    assert.equal((await ann.post(`/help/articles/${orgAId}/feedback`, { helpful: 'no', comment: 'Needs screenshots' })).status, 303);
    assert.equal((await ann.post(`/help/articles/${orgAId}/feedback`, { helpful: 'no', comment: 'Needs screenshots!' })).status, 303);
    const bob = await signedIn(h, 'customer', 'bob@b.example', h.orgs.b);
    assert.equal((await bob.post(`/help/articles/${orgAId}/feedback`, { helpful: 'yes' })).status, 404);
    const rows = await h.database.db.selectFrom('kb_votes').select(['reader_key', 'helpful', 'comment']).where('article_id', '=', orgAId).execute();
    assert.deepEqual(rows, [{ reader_key: `user:${ann.userId}`, helpful: false, comment: 'Needs screenshots!' }]);
  });

  it('takes API votes per key, answers the tallies with the caller’s own vote, and refuses a caller it cannot count once', async () => {
    const url = `/api/v1/kb/articles/${orgAId}/feedback`;
    const voted = bodyOf(await h.api(url, { key: h.keys.customerA, body: { helpful: true, comment: 'Clear' } }), feedbackAnswer);
    assert.deepEqual(voted.yourVote, { helpful: true, comment: 'Clear' });
    assert.equal((await h.api(url, { key: h.keys.customerB, body: { helpful: true } })).status, 404);
    assert.equal((await h.api(`/api/v1/kb/articles/${publicId}/feedback`, { key: null, body: { helpful: true } })).status, 401);
    assert.equal((await h.api(url, { key: h.keys.customerA, body: { helpful: 'yes' } })).status, 400);
    assert.equal((await h.api(url, { key: h.keys.customerA, body: { helpful: true, extra: 1 } })).status, 400);
    const tallies = await feedback(orgAId, h.keys.agent);
    assert.deepEqual([tallies.helpful, tallies.notHelpful, tallies.yourVote], [1, 1, null]);
    assert.equal(voteSchema.safeParse({ helpful: true, comment: 'a\u0000' }).success, false);
  });

  it('counts views of readers in the help centre and the API, not of staff or of the page after a vote', async () => {
    const id = staffArticle(await h.api('/api/v1/kb/articles', { body: { title: 'Counted', body: 'x', state: 'published' } }), 201).id;
    await h.page(`/help/articles/${id}`);
    await h.page(`/help/articles/${id}`);
    await h.page(`/help/articles/${id}?voted=1`);
    await h.api(`/api/v1/kb/articles/${id}`, { key: null });
    await h.api(`/api/v1/kb/articles/${id}`, { key: h.keys.customerB });
    await h.api(`/api/v1/kb/articles/${id}`, { key: h.keys.agent });
    assert.equal((await feedback(id)).views, 4);
  });
});
