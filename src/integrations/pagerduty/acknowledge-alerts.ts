/**
 * An acknowledgement made in Pacer (API, console, Slack) acknowledges the ticket's PagerDuty
 * alerts of those clocks too: Events API v2 `acknowledge` with each alert's dedup key, so the
 * on-call engineer's phone stops ringing where the page went. Only alerts still `triggered`
 * are sent (each is marked `acknowledged` once PagerDuty took it), so a retried hook sends
 * nothing twice that landed; an acknowledgement that came from PagerDuty itself sends nothing.
 * Unavailable (429, 5xx, network) throws for a retry; a refused acknowledge is logged and left.
 */
import { PagerDutyRejected } from './events-client';
import type { IntegrationHook } from '../integration-deps';
import { openAlerts, updateAlert } from './alert-links';
import type { ResolveDeps } from './resolve-alerts';

export const ACKNOWLEDGING_EVENTS = ['sla.acknowledged'];

export function alertAcknowledgementHook(deps: ResolveDeps): IntegrationHook {
  return {
    name: 'pagerduty-acknowledge',
    types: ACKNOWLEDGING_EVENTS,
    handle: async ({ ticketId, event }) => {
      if (event.type !== 'sla.acknowledged' || event.data.source === 'pagerduty') return;
      const triggered = (await openAlerts(deps.db, ticketId, event.data.clocks)).filter((a) => a.status === 'triggered');
      for (const alert of triggered) {
        try {
          await deps.events.acknowledge(alert.dedupKey);
        } catch (err) {
          if (!(err instanceof PagerDutyRejected)) throw err;
          deps.log?.warn({ ticketId, dedupKey: alert.dedupKey, status: err.status, errors: err.errors }, 'PagerDuty refused to acknowledge an alert');
          await updateAlert(deps.db, ticketId, alert.dedupKey, { acknowledgeError: err.message });
          continue;
        }
        await updateAlert(deps.db, ticketId, alert.dedupKey, { status: 'acknowledged', acknowledgedBy: event.data.by, acknowledgedVia: event.data.source });
      }
    },
  };
}
