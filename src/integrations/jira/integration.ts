/**
 * Jira's part of the integration registries: the `jira` ladder action and the hook that
 * copies public comments. Without PACER_JIRA_* it registers nothing, so `jira` steps are
 * recorded as skipped.
 */
import { createJiraApi } from './jira-api';
import { createIssueService } from './issue-service';
import { registerCommentSync } from './comment-sync';
import { createJiraAction } from './jira-action';
import type { IntegrationRegistration } from '../integration-deps';

export const registerJira: IntegrationRegistration = (registries, deps) => {
  const jira = deps.config.jira;
  if (!jira) return;
  const service = createIssueService({ db: deps.db, api: createJiraApi(jira), publicUrl: deps.config.publicUrl, log: deps.log });
  registries.actions.register('jira', createJiraAction({ db: deps.db, service, log: deps.log }));
  registerCommentSync(registries.hooks, { db: deps.db, service, log: deps.log });
};
