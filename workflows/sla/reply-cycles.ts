/**
 * The cycles of the repeating clocks: next reply (Zendesk's definition) and update cadence.
 * Each cycle is a plain clock (start, met) evaluated by the same evaluator as the other
 * clocks; these functions only say where cycles start and end. Pure and deterministic, so
 * the preview, the ticket and incident workflows and the query derive the same cycles.
 */
import type { BusinessCalendar } from './business-calendar';
import { evaluateClock, type ClockResult } from './sla-clock';
import type { CadenceEvent } from '../contract/sla';

export interface Cycle {
  startedAt: number;
  metAt: number | null;
}

/**
 * What the next-reply clock listens to, in the order things happened:
 * - `first_response`: the first public agent reply (meets first response; starts nothing);
 * - `customer_reply`: a public customer comment; starts a cycle when none runs and first response is met;
 * - `agent_reply`: a later public agent reply; meets the running cycle;
 * - `end`: the ticket was solved, closed or cancelled; a running cycle ends there (nothing is owed).
 */
export type ReplyEvent = { at: number; type: 'first_response' | 'customer_reply' | 'agent_reply' | 'end' };

/** Next-reply cycles in order; only the last may be running (metAt null). */
export function nextReplyCycles(events: readonly ReplyEvent[]): Cycle[] {
  const cycles: Cycle[] = [];
  let responded = false;
  let running: Cycle | null = null;
  for (const e of events) {
    if (e.type === 'first_response') responded = true;
    else if (e.type === 'customer_reply') {
      if (responded && running === null) {
        running = { startedAt: e.at, metAt: null };
        cycles.push(running);
      }
    } else if (running !== null) {
      // An agent reply or the end of the ticket: met at that instant.
      running.metAt = Math.max(e.at, running.startedAt);
      running = null;
    }
  }
  return cycles;
}

export function cadenceCycles(events: readonly CadenceEvent[], owingAtStart: { at: number } | null): Cycle[] {
  const cycles: Cycle[] = [];
  let running: Cycle | null = null;
  const begin = (at: number) => {
    running = { startedAt: at, metAt: null };
    cycles.push(running);
  };
  const end = (at: number) => {
    if (running !== null) running.metAt = Math.max(at, running.startedAt);
    running = null;
  };
  let owing = owingAtStart !== null;
  if (owingAtStart !== null) begin(owingAtStart.at);
  for (const e of events) {
    if (e.type === 'owing') {
      if (!owing) begin(e.at);
      owing = true;
    } else if (e.type === 'not_owing') {
      end(e.at);
      owing = false;
    } else if (owing && (running as Cycle | null)?.startedAt !== e.at) {
      // An update in the same instant the cycle began (a reopen with its update) changes nothing.
      end(e.at);
      begin(e.at);
    }
  }
  return cycles;
}

/** Each cycle as a clock on the calendar, never paused: the same evaluator and rules as the other clocks. */
export function evaluateCycles(calendar: BusinessCalendar, targetMs: number, percents: number[], cycles: readonly Cycle[]): ClockResult[] {
  return cycles.map((c) => evaluateClock({ calendar, startedAt: c.startedAt, targetMs, percents, pauses: [], metAt: c.metAt }));
}
