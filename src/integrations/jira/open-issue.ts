/**
 * Jira's "open an issue" capability: an agent's request (API or console) goes through the same
 * idempotent issue service as the ladder, with the shorter waits an agent can stand, and its
 * failures come back as PacerErrors (open-issue-failure.ts), so both callers answer alike.
 */
import { z } from 'zod';
import { text } from '../../http/kit/schemas';
import { createIssueService } from './issue-service';
import { createJiraApi } from './jira-api';
import { openIssueFailure } from './open-issue-failure';
import type { IssueOpener, IssueOpenerDeps, OpenIssueCapability } from '../integration-deps';

export const openIssueSchema = z.strictObject({
  syncComments: z.boolean().optional(),
  issueType: text(100).optional(),
});

function jiraIssueOpener(deps: IssueOpenerDeps): IssueOpener | null {
  const jira = deps.config.jira;
  if (!jira) return null;
  // An agent is waiting: shorter rate-limit waits and lease waits than the ladder's.
  const api = createJiraApi(jira, { attempts: 3, maxWaitMs: 5_000 });
  const service = createIssueService({ db: deps.db, api, publicUrl: deps.config.publicUrl, log: deps.log, lease: { waitMs: 20_000 } });
  return {
    async open(req) {
      try {
        const result = await service.openOrUpdate({ ticketId: req.ticketId, origin: req.origin, escalation: null, issueType: req.issueType, syncComments: req.syncComments });
        const { link } = result;
        return { created: result.outcome === 'created', key: link.key, url: link.url, syncComments: link.data.syncComments };
      } catch (err) {
        throw openIssueFailure(err, req.ticketId, deps.log);
      }
    },
  };
}

export const jiraOpenIssue: OpenIssueCapability = { body: openIssueSchema, opener: jiraIssueOpener };
