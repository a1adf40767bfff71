/**
 * Which integration mails status-page subscribers: the first in the list that declares
 * `statusMail` and is configured. The API (confirmations) and the worker (incident updates)
 * ask here, so neither names the email integration itself.
 */
import { INTEGRATIONS } from './index';
import type { Integration, StatusMail, StatusMailDeps } from './integration-deps';

export function statusMailOf(deps: StatusMailDeps, integrations: readonly Integration[] = INTEGRATIONS): StatusMail | undefined {
  for (const integration of integrations) {
    const mail = integration.statusMail?.(deps);
    if (mail) return mail;
  }
  return undefined;
}
