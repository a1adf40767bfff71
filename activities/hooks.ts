/**
 * Integration hooks: what the outside world hears of a ticket's own events (a public reply
 * emailed to the requester, copied to Jira; a met clock resolving its PagerDuty alert).
 * Integrations declare handlers for event types in their integration.ts; the workflow hands
 * every event of a change to runIntegrationHooks — but only when some handler wants one of
 * its types, which it learns once from initTicketRecord, so a Pacer without integrations pays nothing.
 */
import type { HookHandler, IntegrationHook } from '../src/integrations/integration-deps';

export class HookRegistry {
  private readonly handlers: IntegrationHook[] = [];

  on(name: string, types: string[], handle: HookHandler): this {
    this.handlers.push({ name, types, handle });
    return this;
  }

  /** Event types some handler wants. */
  types(): string[] {
    return [...new Set(this.handlers.flatMap((h) => h.types))].sort();
  }

  handlersFor(type: string): Array<{ name: string; handle: HookHandler }> {
    return this.handlers.filter((h) => h.types.includes(type));
  }
}
