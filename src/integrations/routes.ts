/**
 * HTTP endpoints of the integrations. `inbound` routers take deliveries from the outside
 * (PagerDuty, Slack, Jira webhooks) and check their own signatures, so they are mounted
 * under /api/v1/integrations before API-key auth, with the raw body available; `authenticated`
 * routers add agent actions under /api/v1 behind the usual API keys.
 */
import { Router } from 'express';
import { pagerdutyWebhookRoutes } from './pagerduty/webhook-routes';
import { slackRoutes } from './slack/slack-routes';
import { jiraRoutes } from './jira/jira-routes';
import type { IntegrationRouteDeps } from './integration-deps';

type RouteBuilder = (deps: IntegrationRouteDeps) => { inbound?: Router; authenticated?: Router };

/** Every integration's routes, in a fixed order. */
const BUILDERS: RouteBuilder[] = [
  // integrations add their routes here
  pagerdutyWebhookRoutes,
  slackRoutes,
  jiraRoutes,
];

export function buildIntegrationRoutes(deps: IntegrationRouteDeps): { inbound: Router; authenticated: Router } {
  const inbound = Router();
  const authenticated = Router();
  for (const build of BUILDERS) {
    const r = build(deps);
    if (r.inbound) inbound.use(r.inbound);
    if (r.authenticated) authenticated.use(r.authenticated);
  }
  return { inbound, authenticated };
}
