/**
 * PagerDuty: the `page` ladder action (a ticket's alert, or an incident's page at its level),
 * the hooks that resolve a ticket's alerts once their clock is met and acknowledge them when
 * someone acknowledges the clock in Pacer, the settling of an
 * incident's alerts when it is acknowledged or resolved, and the signed webhook routes.
 * Without a routing key the worker part is off, so `page` steps are recorded as skipped.
 */
import { createPagerDutyEvents } from './events-client';
import { createPageAction } from './page-action';
import { alertResolutionHook } from './resolve-alerts';
import { alertAcknowledgementHook } from './acknowledge-alerts';
import { pageIncident, settleIncidentAlerts, type IncidentPagingDeps } from './incident-paging';
import { pagerdutyWebhookRoutes } from './webhook-routes';
import type { Integration } from '../integration-deps';

export const pagerduty: Integration = {
  name: 'pagerduty',
  worker: (deps) => {
    const pd = deps.config.pagerduty;
    if (!pd) return null;
    const events = createPagerDutyEvents(pd.routingKey, { server: pd.eventsHost, ca: pd.ca });
    const paging: IncidentPagingDeps = { db: deps.db, events, publicUrl: deps.config.publicUrl, log: deps.log };
    return {
      actions: {
        page: {
          ticket: createPageAction({ db: deps.db, events, publicUrl: deps.config.publicUrl, log: deps.log }),
          incident: (input) => pageIncident(paging, input),
        },
      },
      hooks: [alertResolutionHook({ db: deps.db, events, log: deps.log }), alertAcknowledgementHook({ db: deps.db, events, log: deps.log })],
      settleIncidentAlerts: (incidentId, how) => settleIncidentAlerts(paging, incidentId, how),
    };
  },
  routes: pagerdutyWebhookRoutes,
};
