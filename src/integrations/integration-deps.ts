/** What the integration registries hand each integration: the shapes members and registries share. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../core/logger';
import type { IntegrationConfig } from './config';
import type { TicketLifecycle } from '../domain/tickets/ticket-lifecycle';
import type { TicketService } from '../domain/tickets/ticket-service';
import type { IncidentLifecycle } from '../domain/incidents/incident-lifecycle';
import type { ActionRegistry } from '../../activities/actions/registry';
import type { HookRegistry } from '../../activities/hooks';

export interface IntegrationRouteDeps {
  db: Kysely<Database>;
  lifecycle: TicketLifecycle;
  tickets: TicketService;
  incidents?: IncidentLifecycle;
  config: IntegrationConfig;
  log: Logger;
}

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
