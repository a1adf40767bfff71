/**
 * The action registry: what each ladder action type does. A step's actions each run as
 * their own activity through here. Integrations (PagerDuty, Jira, Slack, email) register
 * a handler under their type; an action whose integration is not configured is skipped
 * with a recorded outcome, never an error.
 */
import type { ActionSpec } from '../../workflows/contract/ticket';
import type { ActionOutcome, RunActionInput } from '../../workflows/contract/records';

export type ActionHandler = (input: RunActionInput) => Promise<ActionOutcome>;

export class ActionRegistry {
  private readonly handlers = new Map<string, ActionHandler>();

  register(type: string, handler: ActionHandler): this {
    this.handlers.set(type, handler);
    return this;
  }

  has(type: string): boolean {
    return this.handlers.has(type);
  }

  async run(input: RunActionInput): Promise<ActionOutcome> {
    const handler = this.handlers.get(input.action.type);
    if (!handler) return { status: 'skipped', detail: `no integration configured for action "${input.action.type}"` };
    return handler(input);
  }
}

/** Actions whose whole effect is the event on the ticket's timeline (and the webhooks it fans out to). */
export function recordOnlyHandler(describe: (action: ActionSpec) => string): ActionHandler {
  return async (input) => ({ status: 'done', detail: describe(input.action) });
}

export function defaultActionRegistry(): ActionRegistry {
  const role = (a: ActionSpec) => (typeof a.role === 'string' ? a.role : 'unspecified role');
  return new ActionRegistry()
    .register('notify', recordOnlyHandler((a) => `notified ${role(a)}`))
    .register('escalate', recordOnlyHandler((a) => `escalated to ${role(a)}`))
    // Every step's event already goes to each webhook subscriber; this action says so explicitly.
    .register('webhook', recordOnlyHandler(() => 'delivered to webhook subscribers'));
}
