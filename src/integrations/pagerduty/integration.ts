/**
 * PagerDuty's part of the integration registries: the `page` ladder action and the hooks
 * that resolve alerts once their clock is met. Without a routing key it registers nothing,
 * so `page` steps are recorded as skipped.
 */
import { createPagerDutyEvents } from './events-client';
import { createPageAction } from './page-action';
import { registerAlertResolution } from './resolve-alerts';
import type { IntegrationRegistration } from '../integration-deps';

export const registerPagerDuty: IntegrationRegistration = (registries, deps) => {
  const pd = deps.config.pagerduty;
  if (!pd) return;
  const events = createPagerDutyEvents(pd.routingKey, { server: pd.eventsHost, ca: pd.ca });
  registries.actions.register('page', createPageAction({ db: deps.db, events, publicUrl: deps.config.publicUrl, log: deps.log }));
  registerAlertResolution(registries.hooks, { db: deps.db, events, log: deps.log });
};
