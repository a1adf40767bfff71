/**
 * The worker's registries, built from the integrations' declarations (src/integrations/index.ts):
 * one action registry for ticket and incident ladder actions, the hooks on a ticket's events,
 * and what settles an incident's alerts. The built-in actions (notify, escalate, webhook,
 * create_incident) need nothing outside Pacer, so they are always there.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { INTEGRATIONS } from '../src/integrations';
import type { IncidentAlertSettler, Integration, IntegrationDeps } from '../src/integrations/integration-deps';
import { ActionRegistry, defaultActionRegistry } from './actions/registry';
import { HookRegistry } from './hooks';
import { createIncidentAction } from './incidents/create-incident-action';

export interface Integrations {
  actions: ActionRegistry;
  hooks: HookRegistry;
  /** Called, in order, when an incident is acknowledged or resolved. */
  incidentAlerts: IncidentAlertSettler[];
}

function builtInActions(db: Kysely<Database>): ActionRegistry {
  return defaultActionRegistry().register('create_incident', { ticket: createIncidentAction(db) });
}

export function buildIntegrations(deps: IntegrationDeps, integrations: readonly Integration[] = INTEGRATIONS): Integrations {
  const registries: Integrations = { actions: builtInActions(deps.db), hooks: new HookRegistry(), incidentAlerts: [] };
  for (const integration of integrations) {
    const parts = integration.worker?.(deps);
    if (!parts) continue;
    for (const [type, handlers] of Object.entries(parts.actions ?? {})) registries.actions.register(type, handlers);
    for (const hook of parts.hooks ?? []) registries.hooks.on(hook.name, hook.types, hook.handle);
    if (parts.settleIncidentAlerts) registries.incidentAlerts.push(parts.settleIncidentAlerts);
  }
  return registries;
}
