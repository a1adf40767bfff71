import { defaultActionRegistry } from '../../activities/actions/registry';
import { HookRegistry } from '../../activities/hooks';
import { registerEmail } from './email/register';
import { registerPagerDuty } from './pagerduty/register';
import { registerSlack } from './slack/register';
import { registerJira } from './jira/register';
import { createIncidentAction } from '../../activities/incidents/create-incident-action';
import type { IntegrationDeps, Integrations, IntegrationRegistration } from './integration-deps';

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
