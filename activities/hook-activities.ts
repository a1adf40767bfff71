/** Runs the integration hooks for a change's events; each handler's effect happens once per event. */
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { once } from '../src/db/effects';
import type { HookRegistry } from './hooks';
import type { TicketEvent } from '../workflows/contract/events';

export function createHookActivities(db: Kysely<Database>, hooks: HookRegistry) {
  return {
    async runIntegrationHooks(input: { ticketId: string; events: TicketEvent[] }): Promise<void> {
      for (const event of input.events) {
        for (const handler of hooks.handlersFor(event.type)) {
          await once(db, `hook:${event.id}:${handler.name}`, async () => {
            await handler.handle({ ticketId: input.ticketId, event });
            return { done: true };
          });
        }
      }
    },
  };
}
