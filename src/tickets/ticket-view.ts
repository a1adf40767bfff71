/** How a ticket row is shown through the API: camelCase, SLA clocks grouped, breach derived at read time. */
import type { TicketRow } from '../db/schema';

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
    },
  };
}

export type TicketView = ReturnType<typeof ticketView>;
