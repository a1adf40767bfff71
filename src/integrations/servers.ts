/** Listeners the integrations run beside the API (the inbound SMTP server), started by `npm start`. */
import { INTEGRATIONS } from './index';
import type { IntegrationRouteDeps } from './integration-deps';

/** Starts every integration's listener, in the list's order; answers the stop functions of those that run. */
export async function startIntegrationServers(deps: IntegrationRouteDeps): Promise<Array<() => Promise<void>>> {
  const stops: Array<() => Promise<void>> = [];
  for (const integration of INTEGRATIONS) {
    const stop = await integration.server?.(deps);
    if (stop) stops.push(stop);
  }
  return stops;
}
