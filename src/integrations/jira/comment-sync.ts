/**
 * Public activity on a ticket, copied to its Jira issue as comments — only when the action
 * that linked it said `syncComments: true`, and only comments written after it said so.
 * Internal notes never leave Pacer. Each comment is copied once (its id is the once-key and
 * the Jira comment's marker).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { copiedComment } from './issue-content';
import { JiraRejected } from './jira-api';
import { findJiraLink } from './jira-links';
import type { IssueService } from './issue-service';
import type { IntegrationHook } from '../integration-deps';
import { UUID } from '../../core/uuid';

export interface CommentSyncDeps {
  db: Kysely<Database>;
  service: IssueService;
  log?: Logger;
}


export function commentSyncHook(deps: CommentSyncDeps): IntegrationHook {
  return { name: 'jira-comment-sync', types: ['comment.public'], handle: async ({ ticketId, event }) => {
    const link = await findJiraLink(deps.db, ticketId);
    if (!link || !link.data.syncComments) return;
    if (event.type !== 'comment.public') return;
    const commentId = String(event.data.commentId ?? '');
    if (!UUID.test(commentId)) return;
    const comment = await deps.db.selectFrom('comments').select(['id', 'author_type', 'author_name', 'body', 'public', 'created_at']).where('id', '=', commentId).executeTakeFirst();
    // Written in the same change as its event, so absence means not visible yet: retry.
    if (!comment) throw new Error(`comment ${commentId} not found`);
    if (!comment.public) return;
    // Only activity after copying was asked for: an earlier comment whose hook ran late stays put.
    if (link.data.syncSince && new Date(comment.created_at).getTime() < Date.parse(link.data.syncSince)) return;
    const ticket = await deps.db.selectFrom('tickets').select('number').where('id', '=', ticketId).executeTakeFirstOrThrow();
    try {
      await deps.service.addCommentOnce(link.key, `comment:${comment.id}`, copiedComment(ticket, deps.service.ticketUrl(ticketId), comment));
    } catch (err) {
      if (!(err instanceof JiraRejected)) throw err;
      deps.log?.warn({ ticketId, issue: link.key, status: err.status, errors: err.errors }, 'Jira refused a copied comment');
    }
  } };
}
