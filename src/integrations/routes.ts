/**
 * HTTP endpoints of the integrations. `inbound` routers take deliveries from the outside
 * (PagerDuty, Slack, Jira webhooks) and check their own signatures, so they are mounted
 * under /api/v1/integrations before API-key auth, with the raw body available; `authenticated`
 * routers add agent actions under /api/v1 behind the usual API keys.
 */
import { Router } from 'express';
import { INTEGRATIONS } from './index';
import type { IntegrationRouteDeps } from './integration-deps';

export function buildIntegrationRoutes(deps: IntegrationRouteDeps): { inbound: Router; authenticated: Router } {
  const inbound = Router();
  const authenticated = Router();
  for (const integration of INTEGRATIONS) {
    const r = integration.routes?.(deps);
    if (r?.inbound) inbound.use(r.inbound);
    if (r?.authenticated) authenticated.use(r.authenticated);
  }
  return { inbound, authenticated };
}
