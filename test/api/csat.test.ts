/**
 * Customer satisfaction through the API and the survey page, on the whole Pacer (real
 * PostgreSQL, the worker on the Temporal dev server, ratings as workflow updates): the signed
 * link refuses tampering and expiry, a rating is refused field by field and changes nothing,
 * is changeable until the ticket closes, and the score answers from known ratings.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { DEFAULT_CSAT_SETTINGS } from '../../src/core/csat-settings';
import { SurveyLinks } from '../../src/domain/csat/survey-links';
import { scoreResponse, surveyResponse } from '../../src/http/api/routes/csat';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createOrg, createTicket, detailPaths, eventually, type Organization } from './api-helpers';

const SECRET = 'csat-api-test-secret-0123456789';
const DAY_MS = 86_400_000;

describe('CSAT: survey links, ratings and the score', function () {
  this.timeout(90_000);
  let h: PacerHarness;
  let org: Organization;
  let links: SurveyLinks;

  before(async () => {
    h = await startHarness({ integrations: { publicUrl: 'https://pacer.test', csat: { ...DEFAULT_CSAT_SETTINGS, delayMinutes: 0, secret: SECRET } } });
    org = await createOrg(h, 'enterprise');
    links = new SurveyLinks(h.database.db, SECRET, 'https://pacer.test');
  });
  after(async () => h?.close());

  /** A solved ticket whose survey went out (no delay here), and its link's token. */
  async function surveyed(assignee = 'agent-a@corp.test'): Promise<{ ticketId: string; token: string }> {
    const t = await createTicket(h, { organizationId: org.id, assignee, priority: 'high' });
    assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'solved' } })).status, 200);
    const row = await eventually(() => h.database.db.selectFrom('csat_surveys').selectAll().where('ticket_id', '=', t.id).executeTakeFirst(), 20_000, 'the survey');
    return { ticketId: t.id, token: await links.token(t.id, row.expires_at) };
  }
  const survey = (token: string, rating?: Record<string, unknown>) => h.api(`/api/v1/csat/surveys/${token}`, rating ? { method: 'PUT', body: rating, key: null } : { key: null });
  const ratingOf = async (ticketId: string) => (await h.database.db.selectFrom('csat_surveys').select('rating').where('ticket_id', '=', ticketId).executeTakeFirstOrThrow()).rating;

  it('opens a survey from its signed link without a key, and refuses a link changed in any part or past its expiry', async () => {
    const { ticketId, token } = await surveyed();
    assert.equal(bodyOf(await survey(token), surveyResponse).ticket.id, ticketId);
    const [id, exp, mac] = token.split('.') as [string, string, string];
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    const other = crypto.randomUUID();
    for (const tampered of [`${id}.${exp}.${flip(mac)}`, `${id}.${Number(exp) + 86_400}.${mac}`, `${other}.${exp}.${mac}`, `${id}.${exp}`, 'nonsense']) {
      assertError(await survey(tampered), 403, 'invalid_survey_link');
      assertError(await survey(tampered, { rating: 5 }), 403, 'invalid_survey_link');
    }
    const expired = await links.token(ticketId, new Date(Date.now() - DAY_MS));
    assertError(await survey(expired), 403, 'survey_link_expired');
    assertError(await survey(expired, { rating: 5 }), 403, 'survey_link_expired');
    assert.equal(await ratingOf(ticketId), null, 'no refused request rated the ticket');
  });

  it('refuses a bad rating field by field and changes nothing', async () => {
    const { ticketId, token } = await surveyed();
    const missing = await survey(token, { rating: 2 });
    assertError(missing, 400, 'validation_failed');
    assert.deepEqual(detailPaths(missing), ['reason']);
    assert.deepEqual(detailPaths(await survey(token, { rating: 1, reason: 'Because' })), ['reason']);
    assert.deepEqual(detailPaths(await survey(token, { rating: 4, reason: 'Too slow' })), ['reason']);
    assert.deepEqual(detailPaths(await survey(token, { rating: 7 })), ['rating']);
    assert.deepEqual(detailPaths(await survey(token, { rating: 3, color: 'red' })), ['color']);
    assert.equal(await ratingOf(ticketId), null);
    assert.equal((await h.database.db.selectFrom('ticket_events').select('id').where('ticket_id', '=', ticketId).where('type', '=', 'csat.rated').execute()).length, 0);
  });

  it('takes a rating, lets it change, puts each on the timeline, tells the manager of the low one, and refuses a change once closed', async () => {
    const { ticketId, token } = await surveyed('agent-b@corp.test');
    const low = bodyOf(await survey(token, { rating: 2, reason: 'Too slow', comment: 'Three days for a reply' }), surveyResponse);
    assert.equal(low.rating, 2);
    assert.equal(bodyOf(await survey(token, { rating: 4, comment: '' }), surveyResponse).rating, 4);
    const events = await h.database.db.selectFrom('ticket_events').select(['type', 'data']).where('ticket_id', '=', ticketId).orderBy('seq').execute();
    assert.deepEqual(events.filter((e) => e.type === 'csat.rated').map((e) => (e.data as { rating: number }).rating), [2, 4]);
    await eventually(async () => (await h.database.db.selectFrom('ticket_events').select('data').where('ticket_id', '=', ticketId).where('type', '=', 'action.done').execute()).some((e) => (e.data as { trigger?: string }).trigger === 'csat.low_rating'), 15_000, 'the manager notified');
    assert.equal((await h.api(`/api/v1/tickets/${ticketId}`, { method: 'PATCH', body: { status: 'closed' } })).status, 200);
    assertError(await survey(token, { rating: 5 }), 409, 'survey_closed');
    assert.equal(await ratingOf(ticketId), 4);
    assert.equal(bodyOf(await survey(token), surveyResponse).acceptsRating, false);
  });

  it('scores ratings of 4–5 over all ratings in the period, per agent, organization and priority, each ticket once', async () => {
    const other = await createOrg(h, 'professional');
    const at = new Date(Date.now() + 400 * DAY_MS);
    const known: Array<[string, string, string, number]> = [['ana', org.id, 'high', 5], ['ana', org.id, 'high', 4], ['ana', other.id, 'low', 2], ['bo', other.id, 'low', 3], ['bo', other.id, 'high', 5]];
    for (const [assignee, organizationId, priority, rating] of known) {
      const t = await createTicket(h, { organizationId, priority });
      await h.database.db.insertInto('csat_surveys').values({ ticket_id: t.id, sent_at: at, expires_at: at, rating, assignee, organization_id: organizationId, priority, rated_at: at }).execute();
    }
    const score = async (by: string) => bodyOf(await h.api(`/api/v1/csat?from=${new Date(at.getTime() - 1000).toISOString()}&to=${new Date(at.getTime() + 1000).toISOString()}&by=${by}`), scoreResponse);
    const byAgent = await score('agent');
    assert.deepEqual(byAgent.overall, { ratings: 5, satisfied: 3, score: 0.6 });
    assert.deepEqual(byAgent.groups.map((g) => [g.key, g.ratings, g.satisfied, g.score]), [['ana', 3, 2, 0.6667], ['bo', 2, 1, 0.5]]);
    assert.deepEqual((await score('organization')).groups.map((g) => [g.key, g.score]).sort(), [[org.id, 1], [other.id, 0.3333]].sort());
    assert.deepEqual((await score('priority')).groups.map((g) => [g.key, g.ratings, g.score]), [['high', 3, 1], ['low', 2, 0]]);
    assert.deepEqual(detailPaths(await h.api('/api/v1/csat?by=team')), ['by']);
    assert.deepEqual(detailPaths(await h.api('/api/v1/csat?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')), ['from']);
    assertError(await h.api('/api/v1/csat', { key: null }), 401);
  });
});
