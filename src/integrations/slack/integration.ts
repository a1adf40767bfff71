/**
 * Slack: the `slack` ladder action (a ticket's escalation post, or an incident announced with
 * an Acknowledge button) and the interactivity route its buttons call. Without a bot token,
 * signing secret and channel the worker part is off, so `slack` steps are recorded as skipped.
 */
import { createSlackWebClient } from './web-client';
import { createSlackEscalationAction } from './post-escalation';
import { postIncidentToSlack, type SlackIncidentDeps } from './post-incident';
import { slackRoutes } from './slack-routes';
import type { Integration } from '../integration-deps';

export const slack: Integration = {
  name: 'slack',
  worker: (deps) => {
    const config = deps.config.slack;
    if (!config) return null;
    const client = createSlackWebClient(config, 'ladder', deps.log);
    const incidents: SlackIncidentDeps = { db: deps.db, client, defaultChannel: config.channel, publicUrl: deps.config.publicUrl, log: deps.log };
    return {
      actions: {
        slack: {
          ticket: createSlackEscalationAction({ db: deps.db, client, defaultChannel: config.channel, publicUrl: deps.config.publicUrl, log: deps.log }),
          incident: (input) => postIncidentToSlack(incidents, input),
        },
      },
    };
  },
  routes: slackRoutes,
};
