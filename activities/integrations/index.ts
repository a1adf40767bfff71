/**
 * Builds the action and hook registries from the integration configuration. Each
 * integration adds its ladder actions (page, jira, slack, email…) and the ticket events it
 * listens to; one that is not configured registers nothing, and its actions are skipped.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import type { IntegrationConfig } from '../../src/integrations/config';
import type { Logger } from '../../src/logger';
import { defaultActionRegistry, type ActionRegistry } from '../actions/registry';
import { HookRegistry } from '../hooks';
import { registerEmail } from './email';
import { registerPagerDuty } from './pagerduty/register';
import { registerSlack } from './slack/register';
import { registerJira } from './jira/register';
import { createIncidentAction } from '../incidents/create-incident-action';

export interface IntegrationDeps {
  db: Kysely<Database>;
  config: IntegrationConfig;
  log?: Logger;
}

export interface Integrations {
  actions: ActionRegistry;
  hooks: HookRegistry;
}

export type IntegrationRegistration = (registries: Integrations, deps: IntegrationDeps) => void;

/** Every integration's registration, in a fixed order. */
const REGISTRATIONS: IntegrationRegistration[] = [
  // integrations register here
  registerPagerDuty,
  registerEmail,
  registerSlack,
  registerJira,
];

export function buildIntegrations(deps: IntegrationDeps): Integrations {
  // Declaring an incident needs nothing outside Pacer, so it is always available.
  const registries: Integrations = { actions: defaultActionRegistry().register('create_incident', createIncidentAction(deps.db)), hooks: new HookRegistry() };
  for (const register of REGISTRATIONS) register(registries, deps);
  return registries;
}
