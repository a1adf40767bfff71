/**
 * Builds every activity from its dependencies. The workflow types its proxies from this
 * factory's return type, so nothing of pg, kysely or express enters the workflow bundle.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { defaultActionRegistry, type ActionRegistry } from './actions/registry';
import { createLadderActivities } from './ladder-actions';
import { createTicketRecordActivities } from './ticket-records';
import { createWebhookActivities } from './webhook-delivery';

export interface ActivityDeps {
  db: Kysely<Database>;
  registry?: ActionRegistry;
  fetch?: typeof fetch;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createTicketRecordActivities(deps.db),
    ...createWebhookActivities({ db: deps.db, fetch: deps.fetch }),
    ...createLadderActivities(deps.db, deps.registry ?? defaultActionRegistry()),
  };
}

export type Activities = ReturnType<typeof createActivities>;
