/** Listeners the integrations run beside the API (the inbound SMTP server), started by `npm start`. */
import { startInboundEmail } from './email/inbound-server';
import type { IntegrationRouteDeps } from './integration-deps';

type ServerStarter = (deps: IntegrationRouteDeps) => Promise<(() => Promise<void>) | null>;

/** Every integration's listener, in a fixed order; each returns its stop function, or null when off. */
const STARTERS: ServerStarter[] = [
  // integrations add their listeners here
  startInboundEmail,
];

export async function startIntegrationServers(deps: IntegrationRouteDeps): Promise<Array<() => Promise<void>>> {
  const stops: Array<() => Promise<void>> = [];
  for (const start of STARTERS) {
    const stop = await start(deps);
    if (stop) stops.push(stop);
  }
  return stops;
}
