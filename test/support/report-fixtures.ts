/**
 * Tickets with a scripted past, for report tests and the reports benchmark: each step is applied
 * by the ticket workflow's own state (workflows/ticket/ticket-state.ts) at the instant given, so
 * the event log and the ticket row are what the workflow would have written; they are then
 * inserted into PostgreSQL directly, in bulk.
 */
import crypto from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Db, NewTicketRow, TicketEventsTable } from '../../src/db/schema';
import { newTicketRow } from '../../src/db/rows/ticket-rows';
import { TicketState } from '../../workflows/ticket/ticket-state';
import { createdEventId, type TicketEvent } from '../../workflows/contract/events';
import type { Priority, SlaInputs, SlaPolicySnapshot, TicketAction, TicketStatus } from '../../workflows/contract/ticket';

export type ScriptStep =
  | { at: string | number; do: 'reply' | 'customer_reply' | 'note' }
  | { at: string | number; do: 'status'; status: TicketStatus }
  | { at: string | number; do: 'assign'; assignee: string };

export interface ScriptedTicket {
  organizationId: string;
  tier: string;
  priority: Priority;
  policy: SlaPolicySnapshot | null;
  createdAt: string | number;
  assignee?: string | null;
  /** The agent who writes the replies (actor name). */
  agent?: string;
  steps: ScriptStep[];
}

export interface ScriptedRows {
  ticket: NewTicketRow;
  events: Array<Insertable<TicketEventsTable>>;
  /** The workflow's timing inputs after the last step: what GET /tickets/:id/sla describes. */
  inputs: SlaInputs;
}

const ms = (t: string | number) => (typeof t === 'number' ? t : Date.parse(t));

function actionOf(step: ScriptStep, agent: string): TicketAction {
  const actionId = crypto.randomUUID();
  const staff = { type: 'agent' as const, name: agent };
  if (step.do === 'status') return { kind: 'set_status', actionId, actor: staff, status: step.status };
  if (step.do === 'assign') return { kind: 'assign', actionId, actor: staff, assignee: step.assignee };
  if (step.do === 'customer_reply') return { kind: 'comment', actionId, actor: { type: 'customer', name: 'ann@example.com' }, body: 'Any news?', public: true };
  return { kind: 'comment', actionId, actor: staff, body: step.do === 'reply' ? 'On it' : 'internal', public: step.do === 'reply' };
}

const eventRow = (ticketId: string, e: TicketEvent): Insertable<TicketEventsTable> => ({ id: e.id, ticket_id: ticketId, type: e.type, at: e.at, actor: e.actor, visibility: e.visibility, data: JSON.stringify(e.data) });

export function scriptTicket(s: ScriptedTicket, number: string, id: string = crypto.randomUUID()): ScriptedRows {
  const createdAt = new Date(ms(s.createdAt)).toISOString();
  const facts = {
    id, number, subject: 'Scripted', description: '', priority: s.priority, status: 'new' as const, channel: 'api', category: null,
    requesterEmail: 'ann@example.com', requesterName: 'Ann', assignee: s.assignee ?? null, organizationId: s.organizationId, tier: s.tier, createdAt,
  };
  const state = new TicketState(facts, s.policy);
  const created: TicketEvent = {
    id: createdEventId(id), type: 'ticket.created', at: createdAt, actor: 'customer:ann@example.com', visibility: 'public',
    data: { number, subject: facts.subject, priority: s.priority, channel: 'api', organizationId: s.organizationId, sla: state.slaSnapshot() },
  };
  const events = [eventRow(id, created)];
  const ticket = newTicketRow(facts, s.policy?.policyId ?? null, state.slaSnapshot());
  for (const step of s.steps) {
    const change = state.apply(actionOf(step, s.agent ?? 'agent-7'), ms(step.at));
    events.push(...change.events.map((e) => eventRow(id, e)));
    const f = change.fields;
    Object.assign(ticket, {
      ...(f.status !== undefined && { status: f.status }),
      ...(f.assignee !== undefined && { assignee: f.assignee }),
      ...(f.solvedAt !== undefined && { solved_at: f.solvedAt }),
      ...(f.closedAt !== undefined && { closed_at: f.closedAt }),
      state_version: change.stateVersion,
      updated_at: change.at,
    });
  }
  return { ticket, events, inputs: state.inputs() };
}

/** Inserts scripted tickets in chunks (the event trigger queues each for the report refresher). */
export async function insertScripted(db: Db, rows: ScriptedRows[], chunk = 1_000): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await db.insertInto('tickets').values(part.map((r) => r.ticket)).execute();
    const events = part.flatMap((r) => r.events);
    for (let j = 0; j < events.length; j += 5_000) await db.insertInto('ticket_events').values(events.slice(j, j + 5_000)).execute();
  }
}

/** Monday 16 or Tuesday 17 November 2026 at a New York wall time (UTC-5 then), as an instant. */
export const ny = (day: 'mon' | 'tue', hhmm: string) => `2026-11-${day === 'mon' ? '16' : '17'}T${String(Number(hhmm.slice(0, 2)) + 5).padStart(2, '0')}:${hhmm.slice(3)}:00Z`;

/**
 * Four tickets of one week on a New York 9–17 policy (1 h first response, 8 business hours
 * resolution, 1 h next reply, pending pauses), with outcomes worked out by hand: t1 met across
 * the night, t2 first response late and resolution paused (met), t3 reopened and met, t4 never answered.
 */
export function knownWeek(organizationId: string, policy: SlaPolicySnapshot): Record<'t1' | 't2' | 't3' | 't4', ScriptedTicket> {
  const base = { organizationId, tier: 'starter', priority: 'high' as const, policy, assignee: 'dana', agent: 'dana' };
  return {
    // Met across the night: 30 business minutes on Monday, 20 on Tuesday.
    t1: { ...base, createdAt: ny('mon', '16:30'), steps: [{ at: ny('tue', '09:20'), do: 'reply' }, { at: ny('tue', '10:00'), do: 'status', status: 'solved' }] },
    // First response late; resolution paused while pending overnight, met; its next reply ended unanswered by the solve.
    t2: { ...base, createdAt: ny('mon', '10:00'), steps: [{ at: ny('mon', '11:30'), do: 'reply' }, { at: ny('mon', '12:00'), do: 'status', status: 'pending' }, { at: ny('tue', '09:00'), do: 'customer_reply' }, { at: ny('tue', '14:00'), do: 'status', status: 'solved' }] },
    // Solved, reopened by the customer, answered within the next-reply target, solved again.
    t3: { ...base, createdAt: ny('mon', '09:00'), steps: [{ at: ny('mon', '09:10'), do: 'reply' }, { at: ny('mon', '10:00'), do: 'status', status: 'solved' }, { at: ny('tue', '09:00'), do: 'customer_reply' }, { at: ny('tue', '09:30'), do: 'reply' }, { at: ny('tue', '12:00'), do: 'status', status: 'solved' }] },
    // Never answered: both clocks breached, still in the backlog.
    t4: { ...base, assignee: null, createdAt: ny('mon', '09:00'), steps: [] },
  };
}
