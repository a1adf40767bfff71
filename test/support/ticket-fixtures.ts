/** Builders for ticket workflow inputs and policies, shared by workflow tests and benchmarks. */
import crypto from 'node:crypto';
import type { CalendarSpec } from '../../workflows/sla/business-calendar';
import type { LadderStep, SlaPolicySnapshot, TicketAction, TicketWorkflowInput } from '../../workflows/contract/ticket';

export const ALWAYS_OPEN: CalendarSpec = {
  timezone: 'UTC',
  weekly: { mon: [['00:00', '24:00']], tue: [['00:00', '24:00']], wed: [['00:00', '24:00']], thu: [['00:00', '24:00']], fri: [['00:00', '24:00']], sat: [['00:00', '24:00']], sun: [['00:00', '24:00']] },
  holidays: [],
};

export const NEW_YORK_9_TO_5: CalendarSpec = {
  timezone: 'America/New_York',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
  holidays: ['2026-12-25', '2027-01-01'],
};

export const NOTIFY_LADDER: LadderStep[] = [
  { percent: 80, actions: [{ type: 'notify', role: 'manager' }] },
  { percent: 100, actions: [{ type: 'escalate', role: 'director' }] },
  { percent: 120, actions: [{ type: 'notify', role: 'vp' }, { type: 'page', target: 'on_call' }] },
];

export function policy(over: Partial<SlaPolicySnapshot> = {}): SlaPolicySnapshot {
  return {
    policyId: null,
    name: 'test policy',
    calendar: ALWAYS_OPEN,
    firstResponseMinutes: 240,
    resolutionMinutes: 480,
    pauseOn: ['pending'],
    escalations: NOTIFY_LADDER,
    autoCloseDays: 7,
    ...over,
  };
}

export function ticketInput(organizationId: string, createdAtMs: number, p: SlaPolicySnapshot | null, over: Partial<TicketWorkflowInput> = {}): TicketWorkflowInput {
  const id = crypto.randomUUID();
  return {
    version: 1,
    ticket: {
      id,
      number: `TKT-TEST-${id.slice(0, 8)}`,
      subject: 'Checkout fails',
      description: 'Customers cannot pay',
      priority: 'high',
      status: 'new',
      channel: 'api',
      category: null,
      requesterEmail: 'ann@example.com',
      requesterName: 'Ann',
      assignee: null,
      organizationId,
      tier: 'enterprise',
      createdAt: new Date(createdAtMs).toISOString(),
    },
    policy: p,
    ...over,
  };
}

const agent = { type: 'agent' as const, name: 'agent-7' };
const customer = { type: 'customer' as const, name: 'ann@example.com' };

export const act = {
  reply: (body = 'On it'): TicketAction => ({ kind: 'comment', actionId: crypto.randomUUID(), actor: agent, body, public: true }),
  note: (body = 'internal'): TicketAction => ({ kind: 'comment', actionId: crypto.randomUUID(), actor: agent, body, public: false }),
  customerReply: (body = 'Any news?'): TicketAction => ({ kind: 'comment', actionId: crypto.randomUUID(), actor: customer, body, public: true }),
  status: (status: 'open' | 'pending' | 'on_hold' | 'solved' | 'closed' | 'cancelled'): TicketAction => ({ kind: 'set_status', actionId: crypto.randomUUID(), actor: agent, status }),
  retarget: (p: SlaPolicySnapshot | null, priority: 'urgent' | 'high' | 'normal' | 'low' = 'urgent'): TicketAction => ({
    kind: 'retarget', actionId: crypto.randomUUID(), actor: agent, priority, tier: 'enterprise', policy: p,
  }),
};
