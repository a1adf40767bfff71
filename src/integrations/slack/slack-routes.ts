/**
 * POST /api/v1/integrations/slack/actions: Slack's Interactivity Request URL, served by a
 * Bolt App whose receiver is mounted in Pacer's express app (no second server, no second
 * port). Mounted only when Slack is configured; the App starts lazily on the first signed
 * request, so Slack being unreachable never keeps the API from starting. Buttons: the ticket
 * escalation ones, and an incident announcement's Acknowledge.
 */
import { App } from '@slack/bolt';
import type { Router } from 'express';
import { ActionsReceiver } from './actions-receiver';
import { registerEscalationButtons } from './escalation-buttons';
import { registerIncidentButtons } from './incident-buttons';
import { slackLogger } from './slack-logger';
import { slackClientOptions } from './web-client';
import type { IntegrationRouteDeps } from '../integration-deps';

export function slackRoutes(deps: IntegrationRouteDeps): { inbound?: Router } {
  const slack = deps.config.slack;
  if (!slack) return {};
  const logger = slackLogger(deps.log, 'slack-bolt');
  const receiver = new ActionsReceiver({ signingSecret: slack.signingSecret, path: '/slack/actions', logger });
  const app = new App({
    token: slack.botToken,
    receiver,
    logger,
    clientOptions: slackClientOptions(slack, 'interactive', deps.log),
    // auth.test runs on the first request, not in this constructor (see ActionsReceiver).
    deferInitialization: true,
    convoStore: false,
  });
  registerEscalationButtons(app, { db: deps.db, lifecycle: deps.lifecycle, agents: slack.agents, publicUrl: deps.config.publicUrl, log: deps.log });
  if (deps.incidents) registerIncidentButtons(app, { db: deps.db, incidents: deps.incidents, agents: slack.agents, publicUrl: deps.config.publicUrl, log: deps.log });
  return { inbound: receiver.router };
}
