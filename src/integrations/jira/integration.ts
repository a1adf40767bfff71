/**
 * Jira: the `jira` ladder action (open or update the ticket's issue), the hook that copies
 * public comments to it, the routes (issue-done webhook, an agent's "open a Jira issue"), and
 * that "open an issue" capability itself, which the console asks the registry for.
 * Without PACER_JIRA_* the worker part is off, so `jira` steps are recorded as skipped.
 */
import { createJiraApi } from './jira-api';
import { createIssueService } from './issue-service';
import { commentSyncHook } from './comment-sync';
import { createJiraAction } from './jira-action';
import { jiraRoutes } from './jira-routes';
import { jiraOpenIssue } from './open-issue';
import type { Integration } from '../integration-deps';

export const jira: Integration = {
  name: 'jira',
  worker: (deps) => {
    const config = deps.config.jira;
    if (!config) return null;
    const service = createIssueService({ db: deps.db, api: createJiraApi(config), publicUrl: deps.config.publicUrl, log: deps.log });
    return {
      actions: { jira: { ticket: createJiraAction({ db: deps.db, service, log: deps.log }) } },
      hooks: [commentSyncHook({ db: deps.db, service, log: deps.log })],
    };
  },
  routes: jiraRoutes,
  openIssue: jiraOpenIssue,
};
