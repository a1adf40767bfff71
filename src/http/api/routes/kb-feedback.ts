/**
 * "Was this helpful?" under /api/v1/kb/articles/:id/feedback: anyone who may read an article
 * may vote on it, once (a second vote replaces the first), with an optional comment. The
 * voter is the API key or signed-in user, or for a caller without credentials the help
 * centre's reader cookie; a caller with neither is refused, since it could not be counted once.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import type { Article } from '../../../domain/kb/article-repository';
import type { ArticleFeedback, KbFeedback } from '../../../domain/kb/feedback';
import { readerKeyOf } from '../../kit/reader-key';
import { freeText, uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import type { Operation } from '../openapi/operation';
import { Unauthenticated } from '../../../core/errors';

export const voteSchema = z.strictObject({
  helpful: z.boolean(),
  comment: freeText(2_000).trim().nullable().optional().describe('why (optional); an empty comment is none'),
});

export const feedbackView = (f: ArticleFeedback) => ({ helpful: f.helpful, notHelpful: f.notHelpful, views: f.views, yourVote: f.yours && { helpful: f.yours.helpful, comment: f.yours.comment } });

export function feedbackRoutes(r: Router, deps: { feedback: KbFeedback; readable: (req: Request) => Promise<Article> }): void {
  const keyOf = (req: Request) => readerKeyOf(req.principal, req.get('cookie'));
  r.get('/articles/:id/feedback', async (req, res) => {
    const a = await deps.readable(req);
    res.json(feedbackView(await deps.feedback.of(a.id, keyOf(req))));
  });
  r.post('/articles/:id/feedback', async (req, res) => {
    const a = await deps.readable(req);
    const body = parse(voteSchema, req.body);
    const key = keyOf(req);
    if (key === null) throw new Unauthenticated('send "Authorization: Bearer <api key>", or vote from the help centre (its reader cookie counts you once)');
    await deps.feedback.vote(a.id, key, { helpful: body.helpful, comment: body.comment ? body.comment : null });
    res.json(feedbackView(await deps.feedback.of(a.id, key)));
  });
}

const feedbackResponse = z
  .object({ helpful: z.int(), notHelpful: z.int(), views: z.int(), yourVote: z.object({ helpful: z.boolean(), comment: z.string().nullable() }).nullable() })
  .meta({ id: 'KbArticleFeedback', description: 'Votes and views of an article, and the caller\'s own vote.' });
const byId = { id: uuid };

export const KB_FEEDBACK_OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/kb/articles/:id/feedback', tag: 'knowledge-base', roles: 'public', summary: "An article's helpful votes and views", params: byId, success: { 200: { description: 'the tallies and your vote', schema: feedbackResponse } } },
  {
    method: 'post', path: '/kb/articles/:id/feedback', tag: 'knowledge-base', roles: 'public', summary: 'Was this article helpful? (one vote per reader; again replaces it)', params: byId, body: voteSchema, errors: [401],
    description: 'Counted per API key or signed-in user; without credentials, per the help centre\'s reader cookie (401 without it).',
    success: { 200: { description: 'the tallies with your vote', schema: feedbackResponse } },
  },
];
