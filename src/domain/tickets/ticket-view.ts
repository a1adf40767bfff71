/** How a ticket row is shown through the API: camelCase, SLA clocks grouped, breach derived at read time. */
import type { TicketRow } from '../../db/schema';
import type { SlaState, TicketStatus } from '../../../workflows/contract/ticket';
import { storedEvent } from '../../../workflows/contract/events';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

function clockView(due: Date | null, met: Date | null, atRisk: Date | null, now: number) {
  const dueMs = due === null ? null : new Date(due).getTime();
  const metMs = met === null ? null : new Date(met).getTime();
  const breached = metMs !== null ? (dueMs !== null && metMs > dueMs) : dueMs !== null && dueMs <= now;
  const atRiskMs = atRisk === null ? null : new Date(atRisk).getTime();
  return {
    dueAt: iso(due),
    metAt: iso(met),
    atRiskAt: iso(atRisk),
    breached,
    atRisk: metMs === null && !breached && atRiskMs !== null && atRiskMs <= now,
  };
}

export function ticketView(t: TicketRow, now = Date.now()) {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    description: t.description,
    priority: t.priority,
    status: t.status,
    channel: t.channel,
    category: t.category,
    categorySource: t.category_source,
    categoryConfidence: t.category_confidence,
    categorySuggestion: t.category_suggestion,
    language: t.language,
    requester: { email: t.requester_email, name: t.requester_name },
    assignee: t.assignee,
    organizationId: t.organization_id,
    policyId: t.policy_id,
    createdAt: iso(t.created_at),
    updatedAt: iso(t.updated_at),
    solvedAt: iso(t.solved_at),
    closedAt: iso(t.closed_at),
    sla: {
      firstResponse: clockView(t.fr_due_at, t.fr_met_at, t.fr_at_risk_at, now),
      resolution: { ...clockView(t.res_due_at, t.res_met_at, t.res_at_risk_at, now), pausedSince: iso(t.res_paused_since) },
      nextReply: nextReplyView(t, now),
    },
  };
}

/** The running next-reply cycle (due and at-risk null when none runs) and how many cycles were answered late. */
function nextReplyView(t: TicketRow, now: number) {
  const running = clockView(t.nr_due_at, null, t.nr_at_risk_at, now);
  return { dueAt: running.dueAt, atRiskAt: running.atRiskAt, breached: running.breached || t.nr_breaches > 0, atRisk: running.atRisk && t.nr_breaches === 0, breaches: t.nr_breaches };
}

export type TicketView = ReturnType<typeof ticketView>;

/*
 * What a customer sees. One place decides it, for every read a customer key or portal user
 * makes (tickets, lists, /sla, /events): the same shapes as an agent's, so one API document
 * describes both, with the internal parts blanked. Kept: what the customer was promised and
 * what happened in public (due and met times, breaches, public status changes and comments)
 * and the at-risk mark (80% of the promised time, arithmetic on what they were promised).
 * Blanked: routing (assignee), the policy, the ladder's steps, who acknowledged, and why a
 * clock waits unless it waits on the customer. on_hold (waiting internally) reads as open, as
 * the portal says "We are working on it" for both.
 */

/** The status a customer is shown. */
export function customerStatus(status: TicketStatus): TicketStatus {
  return status === 'on_hold' ? 'open' : status;
}

/** The statuses a customer's filter means: "open" includes on_hold, which it never sees by name. */
export function customerStatusFilter(statuses: readonly TicketStatus[]): TicketStatus[] {
  const out = statuses.filter((s) => s !== 'on_hold');
  return out.includes('open') ? [...out, 'on_hold'] : out;
}

/** A clock pause the customer may know of: waiting on their reply. */
const customerPause = (status: TicketStatus, pausedSince: string | null) => (status === 'pending' ? pausedSince : null);

export function customerTicketView(t: TicketRow, now = Date.now()): TicketView {
  const v = ticketView(t, now);
  return {
    ...v,
    status: customerStatus(t.status as TicketStatus),
    assignee: null,
    policyId: null,
    // How the support team's tools categorised the ticket is theirs.
    categorySource: null,
    categoryConfidence: null,
    categorySuggestion: null,
    sla: {
      firstResponse: v.sla.firstResponse,
      resolution: { ...v.sla.resolution, pausedSince: customerPause(t.status as TicketStatus, v.sla.resolution.pausedSince) },
      nextReply: v.sla.nextReply,
    },
  };
}

type ClockState = NonNullable<SlaState['firstResponse']>;
type Acknowledged = Partial<Record<'first_response' | 'resolution', { by: string; at: string; source: string }>>;

export function customerSlaView(sla: SlaState & { acknowledged: Acknowledged }): SlaState & { acknowledged: Acknowledged } {
  const clock = <C extends ClockState>(c: C | null): C | null => {
    if (c === null) return null;
    // Pending is theirs to know even when an incident also holds the clock (the workflow names the incident first).
    const waitingOnCustomer = sla.status === 'pending' && c.pausedSince !== null;
    return { ...c, pausedSince: waitingOnCustomer ? c.pausedSince : null, pauseReason: waitingOnCustomer ? 'pending' : null, escalations: [] };
  };
  return {
    ...sla,
    status: customerStatus(sla.status),
    policyName: null,
    firstResponse: clock(sla.firstResponse),
    resolution: clock(sla.resolution),
    nextReply: sla.nextReply === null ? null : sla.nextReply.map((c) => clock(c)!),
    updateCadence: clock(sla.updateCadence),
    acknowledged: {},
  };
}

export interface EventView {
  id: string;
  seq: number;
  type: string;
  at: string;
  actor: string;
  visibility: string;
  data: unknown;
}

/** The fields of each public event type a customer may read; any other field (or type) is dropped. */
const CUSTOMER_EVENT_FIELDS: Record<string, readonly string[]> = {
  'ticket.created': ['number', 'subject', 'priority', 'channel', 'organizationId'],
  'ticket.status_changed': ['from', 'to'],
  'ticket.reopened': [],
  'ticket.edited': ['fields'],
  'comment.public': ['commentId', 'authorType'],
};

/**
 * A public event as a customer reads it, or null when it says nothing to them (an internal
 * event, or open ⇄ on_hold, which reads as no change). Actors keep the customer's own name;
 * staff and systems show as their kind ("system:incident INC-7" would name an incident).
 */
export function customerEventView(e: EventView): EventView | null {
  const fields = CUSTOMER_EVENT_FIELDS[e.type];
  if (e.visibility !== 'public' || fields === undefined) return null;
  const event = storedEvent(e);
  const source = new Map<string, unknown>(Object.entries(event.data ?? {}));
  const data: Record<string, unknown> = {};
  for (const f of fields) if (source.has(f)) data[f] = source.get(f);
  if (event.type === 'ticket.status_changed') {
    const { from, to } = event.data;
    data.from = typeof from === 'string' ? customerStatus(from) : from;
    data.to = typeof to === 'string' ? customerStatus(to) : to;
    if (data.from === data.to) return null;
  }
  const actor = e.actor.startsWith('customer:') ? e.actor : e.actor.split(':')[0]!;
  return { ...e, actor, data };
}
