/**
 * A ticket's report rows from its event log, by the SLA code the ticket workflow plans with
 * (workflows/ticket/clock-plan): the log is turned back into the workflow's clock history and
 * planned with the ticket's policy, so a clock's due, met and business time here are those its
 * GET /tickets/:id/sla answers. Pure: the refresher loads, this computes.
 */
import { calendarFor, planSla, type PlannedClock } from '../../../workflows/ticket/clock-plan';
import { elapsedBusinessMs } from '../../../workflows/sla/sla-clock';
import type { ClockEvent, SlaPolicySnapshot, TicketStatus } from '../../../workflows/contract/ticket';

/** A row of ticket_events, as the refresher reads it (ordered by seq). */
export interface LoggedEvent {
  type: string;
  at: Date;
  actor: string;
  data: Record<string, unknown>;
}

export interface ClockSummary {
  clock: 'first_response' | 'resolution' | 'next_reply';
  cycle: number;
  startedAt: number;
  targetMinutes: number;
  dueAt: number | null;
  metAt: number | null;
  /** Open time on the policy calendar from start to met, pauses left out (the ticket page's elapsed at met). */
  businessMs: number | null;
}

export interface TicketSummary {
  status: TicketStatus;
  createdAt: number;
  firstReplyAt: number | null;
  firstReplyBy: string | null;
  firstReplyBusinessMs: number | null;
  /** The last solve, while the ticket stays solved or closed after it. */
  solvedAt: number | null;
  /** Open time on the policy calendar from creation to the last solve (the whole life, pauses included). */
  resolutionBusinessMs: number | null;
  reopens: number;
  clocks: ClockSummary[];
}

const SOLVED: readonly TicketStatus[] = ['solved', 'closed'];

/** The workflow's clock history (ClockEvent) as its events recorded it. */
export function clockEventsOf(events: readonly LoggedEvent[]): ClockEvent[] {
  const out: ClockEvent[] = [];
  for (const e of events) {
    const at = e.at.getTime();
    const d = e.data;
    if (e.type === 'sla.first_response_met') {
      // The workflow records the first response before the reply it came with.
      const prev = out[out.length - 1];
      if (prev && prev.type === 'public_reply' && prev.at === at) out.splice(out.length - 1, 0, { at, type: 'agent_reply' });
      else out.push({ at, type: 'agent_reply' });
    } else if (e.type === 'comment.public' && (d.authorType === 'agent' || d.authorType === 'customer')) out.push({ at, type: 'public_reply', by: d.authorType });
    else if (e.type === 'ticket.reopened') out.push({ at, type: 'reopen' });
    else if (e.type === 'ticket.status_changed' && typeof d.to === 'string') out.push({ at, type: 'status', status: d.to as TicketStatus });
    else if ((e.type === 'ticket.waiting_on_incident' || e.type === 'ticket.incident_wait_ended') && typeof d.incidentId === 'string') {
      out.push({ at, type: 'incident_wait', incidentId: d.incidentId, waiting: e.type === 'ticket.waiting_on_incident' });
    }
  }
  return out;
}

function clockSummary(c: PlannedClock, clock: ClockSummary['clock']): ClockSummary {
  const metAt = c.result.metAt;
  return {
    clock,
    cycle: c.cycle,
    startedAt: c.input.startedAt,
    targetMinutes: Math.round(c.input.targetMs / 60_000),
    dueAt: c.result.dueAt,
    metAt,
    businessMs: metAt === null ? null : elapsedBusinessMs(c.input, metAt),
  };
}

export function summarizeTicket(createdAt: number, status: TicketStatus, policy: SlaPolicySnapshot | null, events: readonly LoggedEvent[]): TicketSummary {
  const history = clockEventsOf(events);
  const plan = planSla(policy, createdAt, history);
  const calendar = policy ? calendarFor(policy) : null;
  const firstReply = events.find((e) => e.type === 'sla.first_response_met');
  const firstReplyComment = firstReply ? events.find((e) => e.type === 'comment.public' && e.at.getTime() === firstReply.at.getTime() && e.data.authorType === 'agent') : undefined;
  const firstReplyAt = firstReply ? firstReply.at.getTime() : null;
  let solvedAt: number | null = null;
  for (const e of history) {
    if (e.type !== 'status' || e.status === 'closed') continue;
    solvedAt = e.status === 'solved' ? e.at : null;
  }
  if (!SOLVED.includes(status)) solvedAt = null;
  const clocks: ClockSummary[] = [];
  if (plan.firstResponse) clocks.push(clockSummary(plan.firstResponse, 'first_response'));
  if (plan.resolution) clocks.push(clockSummary(plan.resolution, 'resolution'));
  for (const c of plan.nextReply) clocks.push(clockSummary(c, 'next_reply'));
  return {
    status,
    createdAt,
    firstReplyAt,
    firstReplyBy: firstReplyComment ? firstReplyComment.actor.replace(/^agent:/, '') : null,
    firstReplyBusinessMs: clocks[0]?.clock === 'first_response' && clocks[0].businessMs !== null ? clocks[0].businessMs : firstReplyAt !== null && calendar ? calendar.businessMsBetween(createdAt, firstReplyAt) : null,
    solvedAt,
    resolutionBusinessMs: solvedAt !== null && calendar ? calendar.businessMsBetween(createdAt, solvedAt) : null,
    reopens: history.filter((e) => e.type === 'reopen').length,
    clocks,
  };
}
