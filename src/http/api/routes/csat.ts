/**
 * Customer satisfaction in the API. /api/v1/csat/surveys/:token is what a survey link opens,
 * without a key (the signed token is the credential): read the survey, give or change the
 * rating. /api/v1/csat is the score for agents and admins: ratings of 4–5 ÷ all ratings given
 * in a period, overall and per agent, organization or priority.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { CsatService } from '../../../domain/csat/csat-service';
import type { SurveyWithTicket } from '../../../db/repositories/csat-surveys';
import { requireRole } from '../../kit/auth';
import { freeText, isoInstant } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import type { Operation } from '../openapi/operation';
import { InvalidInput } from '../../../core/errors';

const DAY_MS = 86_400_000;
/** A score over more than this is refused: a year and a day covers every yearly report. */
export const MAX_SCORE_SPAN_DAYS = 366;

export const surveyToken = z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/, 'not a survey link token');

export const ratingSchema = z.strictObject({
  rating: z.int().min(1).max(5).describe('1 (very unhappy) to 5 (very happy)'),
  reason: freeText(200).nullable().optional().describe('for ratings of 1–2, one of the configured reasons (required then; refused for 3–5)'),
  comment: freeText(2_000).nullable().optional().describe('optional; an empty comment is none'),
});

export const scoreQuery = z.strictObject({
  from: isoInstant().optional().describe('ratings given at or after this instant (default: 30 days before `to`)'),
  to: isoInstant().optional().describe('ratings given before this instant (default: now)'),
  by: z.enum(['agent', 'organization', 'priority']).optional().describe('also per agent (assignee when rated), organization or priority (when rated)'),
});

export function surveyView(s: SurveyWithTicket, csat: CsatService) {
  return {
    ticket: { id: s.ticketId, number: s.number, subject: s.subject, status: s.status },
    rating: s.rating,
    reason: s.reason,
    comment: s.comment,
    ratedAt: s.ratedAt?.toISOString() ?? null,
    sentAt: s.sentAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    acceptsRating: csat.takesRating(s),
    reasons: csat.settings.reasons,
  };
}

/** Mounted before the API's authentication: the link is the credential. */
export function csatSurveyRoutes(csat: CsatService): Router {
  const r = Router();
  r.get('/:token', async (req, res) => {
    const { token } = parse(z.strictObject({ token: surveyToken }), req.params, 'params');
    res.json(surveyView(await csat.open(token), csat));
  });
  r.put('/:token', async (req, res) => {
    const { token } = parse(z.strictObject({ token: surveyToken }), req.params, 'params');
    const body = parse(ratingSchema, req.body);
    res.json(surveyView(await csat.rate(token, body), csat));
  });
  return r;
}

export function csatScoreRoutes(csat: CsatService): Router {
  const r = Router();
  r.get('/', requireRole('admin', 'agent'), async (req, res) => {
    const q = parse(scoreQuery, req.query, 'query');
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw new InvalidInput('invalid query: from must be before to', [{ path: 'from', message: 'must be before to' }]);
    if (to.getTime() - from.getTime() > MAX_SCORE_SPAN_DAYS * DAY_MS) {
      throw new InvalidInput(`invalid query: at most ${MAX_SCORE_SPAN_DAYS} days at once`, [{ path: 'from', message: `at most ${MAX_SCORE_SPAN_DAYS} days before to` }]);
    }
    const score = await csat.score({ from, to }, q.by ?? null);
    res.json({ from: from.toISOString(), to: to.toISOString(), by: q.by ?? null, ...score });
  });
  return r;
}

const score = z.object({ ratings: z.int(), satisfied: z.int().describe('ratings of 4 or 5'), score: z.number().nullable().describe('satisfied ÷ ratings (0–1); null without ratings') });
export const scoreResponse = z
  .object({
    from: z.string(),
    to: z.string(),
    by: z.enum(['agent', 'organization', 'priority']).nullable(),
    overall: score,
    groups: z.array(score.extend({ key: z.string().nullable().describe('assignee, organization id or priority; null: none'), label: z.string().nullable() })),
  })
  .meta({ id: 'CsatScore', description: 'The CSAT score of ratings given in [from, to): each ticket counts once, with its latest rating.' });
export const surveyResponse = z
  .object({
    ticket: z.object({ id: z.string(), number: z.string(), subject: z.string(), status: z.string() }),
    rating: z.int().nullable(),
    reason: z.string().nullable(),
    comment: z.string().nullable(),
    ratedAt: z.string().nullable(),
    sentAt: z.string(),
    expiresAt: z.string(),
    acceptsRating: z.boolean().describe('false once the ticket is closed'),
    reasons: z.array(z.string()).describe('what a rating of 1–2 picks its reason from'),
  })
  .meta({ id: 'CsatSurvey', description: "A ticket's satisfaction survey as its link opens it." });
const byToken = { token: surveyToken };

export const CSAT_OPERATIONS: readonly Operation[] = [
  {
    method: 'get', path: '/csat', tag: 'csat', roles: ['admin', 'agent'], summary: 'CSAT score: ratings of 4–5 ÷ all ratings, overall and per agent, organization or priority', query: scoreQuery,
    success: { 200: { description: 'the score over the period', schema: scoreResponse } },
  },
  {
    method: 'get', path: '/csat/surveys/:token', tag: 'csat', roles: 'public', summary: 'Open a satisfaction survey from its signed link', params: byToken, errors: [403],
    description: 'No key: the token from the survey link is the credential. A token changed in any way, or past its expiry, answers 403.',
    success: { 200: { description: 'the survey and its current rating', schema: surveyResponse } },
  },
  {
    method: 'put', path: '/csat/surveys/:token', tag: 'csat', roles: 'public', summary: 'Rate a ticket (again replaces the rating) until it closes', params: byToken, body: ratingSchema, errors: [403, 409],
    description: 'Ratings of 1–2 need a reason from the configured list. Refused with 409 survey_closed once the ticket is closed. The rating lands on the ticket\'s timeline as csat.rated.',
    success: { 200: { description: 'the survey with the new rating', schema: surveyResponse } },
  },
];
