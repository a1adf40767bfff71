/**
 * The action registry: what each ladder action type does, for a ticket's step and for an
 * incident's. A step's actions each run as their own activity through here. The built-in
 * actions are registered below; each integration's integration.ts declares its own (PagerDuty,
 * Jira, Slack, email), added by activities/registries.ts. An action without a handler for
 * its subject (its integration not configured, or not one incidents have) is skipped with a
 * recorded outcome, never an error.
 */
import type { ActionSpec } from '../../workflows/contract/ticket';
import type { ActionOutcome, RunActionInput } from '../../workflows/contract/records';
import type { IncidentActionInput } from '../../workflows/contract/incident';
import type { ActionHandler, ActionHandlers, IncidentActionHandler } from '../../src/integrations/integration-deps';

function skipped(type: string): ActionOutcome {
  return { status: 'skipped', detail: `no integration configured for action "${type}"` };
}

export class ActionRegistry {
  private readonly tickets = new Map<string, ActionHandler>();
  private readonly incidents = new Map<string, IncidentActionHandler>();

  /** Registers what `type` does for tickets, incidents or both (a later registration of a subject replaces it). */
  register(type: string, handlers: ActionHandlers): this {
    if (handlers.ticket) this.tickets.set(type, handlers.ticket);
    if (handlers.incident) this.incidents.set(type, handlers.incident);
    return this;
  }

  async run(input: RunActionInput): Promise<ActionOutcome> {
    const handler = this.tickets.get(input.action.type);
    return handler ? handler(input) : skipped(input.action.type);
  }

  async runIncident(input: IncidentActionInput): Promise<ActionOutcome> {
    const handler = this.incidents.get(input.action.type);
    return handler ? handler(input) : skipped(input.action.type);
  }
}

/** Actions whose whole effect is the event on the timeline (and the webhooks it fans out to). */
export function recordOnlyHandler(describe: (action: ActionSpec) => string): ActionHandler & IncidentActionHandler {
  return async (input: { action: ActionSpec }) => ({ status: 'done', detail: describe(input.action) });
}

export function defaultActionRegistry(): ActionRegistry {
  const role = (a: ActionSpec) => (typeof a.role === 'string' ? a.role : 'unspecified role');
  const notify = recordOnlyHandler((a) => `notified ${role(a)}`);
  const escalate = recordOnlyHandler((a) => `escalated to ${role(a)}`);
  return new ActionRegistry()
    .register('notify', { ticket: notify, incident: notify })
    .register('escalate', { ticket: escalate, incident: escalate })
    // Every ticket step's event already goes to each webhook subscriber; this action says so explicitly.
    .register('webhook', { ticket: recordOnlyHandler(() => 'delivered to webhook subscribers') });
}
