/**
 * Slack's part of the integration registries: the `slack` ladder action. Without a bot
 * token, signing secret and channel it registers nothing, so `slack` steps are recorded as
 * skipped.
 */
import { createSlackWebClient } from './web-client';
import { createSlackEscalationAction } from './post-escalation';
import type { IntegrationRegistration } from '../integration-deps';

export const registerSlack: IntegrationRegistration = (registries, deps) => {
  const slack = deps.config.slack;
  if (!slack) return;
  const client = createSlackWebClient(slack, 'ladder', deps.log);
  registries.actions.register('slack', createSlackEscalationAction({ db: deps.db, client, defaultChannel: slack.channel, publicUrl: deps.config.publicUrl, log: deps.log }));
};
