/**
 * Resolving a ticket's PagerDuty alerts when nobody needs paging any more: its first
 * response was sent (that clock's alerts), it was solved (the resolution clock's), or it was
 * closed or cancelled (all of them). A resolve is safe to repeat — PagerDuty drops one that
 * finds no open alert — so a retried hook simply sends it again.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { PagerDutyRejected, type PagerDutyEvents } from './events-client';
import type { ClockName } from '../../../workflows/contract/ticket';
import type { IntegrationHook } from '../integration-deps';
import type { TicketEventBody } from '../../../workflows/contract/events';
import { openAlerts, updateAlert } from './alert-links';

export interface ResolveDeps {
  db: Kysely<Database>;
  events: PagerDutyEvents;
  log?: Logger;
}

export const RESOLVING_EVENTS = ['sla.first_response_met', 'ticket.status_changed'];

/** The clocks whose alerts an event settles. */
export function clocksSettledBy(event: TicketEventBody): ClockName[] {
  if (event.type === 'sla.first_response_met') return ['first_response'];
  if (event.type !== 'ticket.status_changed') return [];
  if (event.data.to === 'solved') return ['resolution'];
  if (event.data.to === 'closed' || event.data.to === 'cancelled') return ['first_response', 'resolution'];
  return [];
}

/** Unavailable (429, 5xx, network) throws for a retry; a refused resolve is logged and left. */
export async function resolveAlert(deps: ResolveDeps, ticketId: string, dedupKey: string, reason: string): Promise<void> {
  try {
    await deps.events.resolve(dedupKey);
  } catch (err) {
    if (!(err instanceof PagerDutyRejected)) throw err;
    deps.log?.warn({ ticketId, dedupKey, status: err.status, errors: err.errors }, 'PagerDuty refused to resolve an alert');
    await updateAlert(deps.db, ticketId, dedupKey, { resolveError: err.message });
    return;
  }
  await updateAlert(deps.db, ticketId, dedupKey, { status: 'resolved', resolvedBy: reason });
}

export function alertResolutionHook(deps: ResolveDeps): IntegrationHook {
  return {
    name: 'pagerduty-resolve',
    types: RESOLVING_EVENTS,
    handle: async ({ ticketId, event }) => {
      const clocks = clocksSettledBy(event);
      if (clocks.length === 0) return;
      for (const alert of await openAlerts(deps.db, ticketId, clocks)) await resolveAlert(deps, ticketId, alert.dedupKey, event.type);
    },
  };
}
