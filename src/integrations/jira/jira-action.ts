import { ApplicationFailure } from '@temporalio/common';
import { clockDueIn } from '../../../workflows/contract/ticket';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { JiraRejected } from './jira-api';
import type { IssueService, OpenIssueResult } from './issue-service';
import type { ActionHandler } from '../integration-deps';
import type { RunActionInput } from '../../../workflows/contract/records';
import { recordActionFailure } from '../../db/repositories/ticket-events';

export interface JiraActionDeps {
  db: Kysely<Database>;
  service: IssueService;
  log?: Logger;
}

/** The ladder action's identity: its retries share it, later steps do not. */
export const ladderOrigin = (input: Pick<RunActionInput, 'stepId' | 'actionIndex'>) => `ladder:${input.stepId}:${input.actionIndex}`;

function describe(r: OpenIssueResult): string {
  const what = r.outcome === 'created' ? 'opened' : r.outcome === 'found' ? 'linked existing' : r.commented ? 'commented on' : 'already linked to';
  return `${what} Jira issue ${r.link.key} (${r.link.url})`;
}

export function createJiraAction(deps: JiraActionDeps): ActionHandler {
  return async (input) => {
    const a = input.action;
    const issueType = typeof a.issueType === 'string' && a.issueType.trim() !== '' ? a.issueType.trim() : undefined;
    const syncComments = typeof a.syncComments === 'boolean' ? a.syncComments : undefined;
    const { dueAt } = clockDueIn(input.sla, input.clock);
    try {
      const r = await deps.service.openOrUpdate({
        ticketId: input.ticketId,
        origin: ladderOrigin(input),
        escalation: { clock: input.clock, percent: input.percent, dueAt },
        issueType,
        syncComments,
      });
      return { status: 'done', detail: describe(r) };
    } catch (err) {
      if (err instanceof JiraRejected) throw await recordRejection(deps, input, err);
      throw err;
    }
  };
}

/** Puts the refusal on the timeline under the action's own event id, then fails without retries. */
async function recordRejection(deps: JiraActionDeps, input: RunActionInput, err: JiraRejected): Promise<ApplicationFailure> {
  deps.log?.warn({ ticketId: input.ticketId, step: input.stepId, status: err.status, errors: err.errors }, 'Jira refused the ladder action');
  await recordActionFailure(deps.db, input, err.message, { errors: err.errors });
  return ApplicationFailure.nonRetryable(err.message, 'JiraRejected', { status: err.status, errors: err.errors });
}
