/**
 * Which clocks a period measured, read from the event log with the evaluator's rules: a
 * clock (ticket, clock, cycle) is breached when its 100% step recorded `sla.breached` — placed
 * at its due instant — and otherwise met when first response was met or the cycle was solved —
 * placed at that instant. A resolution's cycle is the number of reopens before it, as the
 * ticket's workflow numbers it (workflows/ticket/clock-plan.ts). A breached clock met later
 * still counts once, as breached.
 */
import type { ClockFactRow } from '../../db/repositories/contracts';
import { CREDIT_CLOCKS, type CreditClock } from './credit-rules';
import type { ClockOutcome } from './statement';

interface BreachData { clock: string; cycle: number; dueAt: string; priority: string }

export function clockOutcomes(rows: ClockFactRow[], from: Date, to: Date): Array<Omit<ClockOutcome, 'exclusion'>> {
  const outcomes = new Map<string, Omit<ClockOutcome, 'exclusion'>>();
  let ticket = '';
  let priority = '';
  let reopens = 0;
  const met = (r: ClockFactRow, clock: CreditClock, cycle: number) => {
    const key = `${r.ticket_id}:${clock}:${cycle}`;
    if (!outcomes.has(key)) outcomes.set(key, { ticketId: r.ticket_id, number: r.number, clock, cycle, priority, breachEventId: null, at: r.at });
  };
  for (const r of rows) {
    if (r.ticket_id !== ticket) {
      ticket = r.ticket_id;
      priority = r.priority;
      reopens = 0;
    }
    const data = (r.data ?? {}) as Record<string, unknown>;
    switch (r.type) {
      case 'ticket.created':
        priority = String(data.priority ?? '');
        break;
      case 'ticket.retargeted':
        priority = String((data.to as { priority?: string } | undefined)?.priority ?? priority);
        break;
      case 'ticket.reopened':
        reopens += 1;
        break;
      case 'sla.first_response_met':
        met(r, 'first_response', 0);
        break;
      case 'ticket.status_changed':
        if (data.to === 'solved') met(r, 'resolution', reopens);
        break;
      case 'sla.breached': {
        const b = data as unknown as BreachData;
        if (!(CREDIT_CLOCKS as readonly string[]).includes(b.clock)) break;
        outcomes.set(`${r.ticket_id}:${b.clock}:${b.cycle}`, { ticketId: r.ticket_id, number: r.number, clock: b.clock as CreditClock, cycle: b.cycle, priority: b.priority, breachEventId: r.id, at: new Date(b.dueAt) });
        break;
      }
      default:
        break;
    }
  }
  return [...outcomes.values()].filter((o) => o.at >= from && o.at < to).sort((a, b) => a.at.getTime() - b.at.getTime() || a.ticketId.localeCompare(b.ticketId));
}
