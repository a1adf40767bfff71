/**
 * Builds every activity from its dependencies. The workflow types its proxies from this
 * factory's return type, so nothing of pg, kysely or express enters the workflow bundle.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import type { IntegrationConfig } from '../src/integrations/config';
import type { Logger } from '../src/core/logger';
import type { SuggestionSearch } from '../src/domain/search/suggestions';
import { buildIntegrations, type Integrations } from './registries';
import { createHookActivities } from './hook-activities';
import { createLadderActivities } from './ladder-actions';
import { createTicketRecordActivities } from './ticket-records';
import { createWebhookActivities } from './webhook-delivery';
import { createStatusSubscriberActivities } from './status-subscribers';
import { createIncidentRecordActivities } from './incidents/incident-records';
import { createIncidentActionActivities } from './incidents/incident-actions';
import { createRolloutActivities } from './rollouts';
import { createContractPeriodActivities } from './contract-periods';
import { createCsatActivities } from './csat';
import { createRoutingActivities } from './routing';
import { DEFAULT_CSAT_SETTINGS } from '../src/core/csat-settings';

export interface ActivityDeps {
  db: Kysely<Database>;
  /** Which integrations are on; none when absent. */
  integrations?: IntegrationConfig;
  /** Prebuilt registries (tests); otherwise built from `integrations`. */
  registries?: Integrations;
  fetch?: typeof fetch;
  log?: Logger;
  /** The knowledge base's search (integrations that suggest articles); PostgreSQL full-text search when absent. */
  kbSearch?: SuggestionSearch;
}

export function createActivities(deps: ActivityDeps) {
  const registries = deps.registries ?? buildIntegrations({ db: deps.db, config: deps.integrations ?? { publicUrl: 'http://localhost:3000' }, log: deps.log, kbSearch: deps.kbSearch });
  return {
    ...createTicketRecordActivities(deps.db, registries.hooks),
    ...createWebhookActivities({ db: deps.db, fetch: deps.fetch, allowPrivate: deps.integrations?.allowPrivateWebhooks === true }),
    ...createLadderActivities(deps.db, registries.actions),
    ...createHookActivities(deps.db, registries.hooks),
    ...createStatusSubscriberActivities({ db: deps.db, email: deps.integrations?.email, publicUrl: deps.integrations?.publicUrl ?? 'http://localhost:3000', log: deps.log }),
    ...createIncidentRecordActivities(deps.db),
    ...createIncidentActionActivities({ db: deps.db, config: deps.integrations ?? { publicUrl: 'http://localhost:3000' }, actions: registries.actions, incidentAlerts: registries.incidentAlerts }),
    ...createRolloutActivities(deps.db),
    ...createContractPeriodActivities(deps.db),
    ...createRoutingActivities(deps.db),
    ...createCsatActivities({ db: deps.db, settings: deps.integrations?.csat ?? DEFAULT_CSAT_SETTINGS, hooks: registries.hooks, actions: registries.actions }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
