/**
 * Every integration, in a fixed order (the order their hooks run and their routes mount).
 * Each folder's integration.ts declares what it registers; the worker's registries
 * (activities/registries.ts), the HTTP routes (routes.ts) and the listeners (servers.ts) read
 * this list. Adding an integration is a folder src/integrations/<name>/ with its integration.ts,
 * and one line here.
 */
import { pagerduty } from './pagerduty/integration';
import { email } from './email/integration';
import { slack } from './slack/integration';
import { jira } from './jira/integration';
import type { Integration } from './integration-deps';

export const INTEGRATIONS: readonly Integration[] = [
  pagerduty,
  email,
  slack,
  jira,
];
