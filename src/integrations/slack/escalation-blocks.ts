/**
 * The Block Kit of an escalation message, as pure functions: the message a ladder step
 * posts (the ticket, its SLA state, Acknowledge / Take it buttons) and the same message
 * once someone acted on it (the buttons replaced by who did what). The button value names
 * the ticket and the clock, so a click needs nothing else to become a signal.
 */
import { z } from 'zod';
import type { ClockName } from '../../../workflows/contract/ticket';

export const ACKNOWLEDGE_ACTION = 'pacer_acknowledge';
export const TAKE_ACTION = 'pacer_take';
export const ACTIONS_BLOCK_ID = 'pacer_escalation_actions';
/** Message metadata type: lets a retried post find the message an earlier attempt left. */
export const METADATA_EVENT_TYPE = 'pacer_escalation';

const CLOCK_LABEL: Record<ClockName, string> = { first_response: 'First response', resolution: 'Resolution', next_reply: 'Next reply', update: 'Update' };
const MAX_SUBJECT = 300;

export interface EscalationView {
  ticketId: string;
  number: string;
  subject: string;
  priority: string;
  clock: ClockName;
  percent: number;
  /** ISO instant the clock is due, if it has one. */
  dueAt: string | null;
  url: string;
}

export type SlaState = 'breached' | 'at risk';

export function slaState(percent: number): SlaState {
  return percent >= 100 ? 'breached' : 'at risk';
}

/** mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function dueText(dueAt: string | null): string {
  if (!dueAt) return 'no due time';
  const ms = Date.parse(dueAt);
  if (Number.isNaN(ms)) return escapeMrkdwn(dueAt);
  // Shown in each reader's own time zone, with the ISO instant as the fallback.
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${dueAt}>`;
}

function subjectOf(v: EscalationView): string {
  return v.subject.length > MAX_SUBJECT ? `${v.subject.slice(0, MAX_SUBJECT - 1)}…` : v.subject;
}

/** The notification text (and what clients without Block Kit show). */
export function fallbackText(v: EscalationView): string {
  return `${v.number} ${subjectOf(v)}: ${CLOCK_LABEL[v.clock].toLowerCase()} SLA at ${v.percent}% (${slaState(v.percent)})`;
}

function ticketSection(v: EscalationView) {
  const state = slaState(v.percent);
  return {
    type: 'section',
    block_id: 'pacer_ticket',
    text: { type: 'mrkdwn', text: `${state === 'breached' ? ':rotating_light:' : ':hourglass_flowing_sand:'} *<${v.url}|${v.number}>* ${escapeMrkdwn(subjectOf(v))}` },
    fields: [
      { type: 'mrkdwn', text: `*Priority*\n${escapeMrkdwn(v.priority)}` },
      { type: 'mrkdwn', text: `*Clock*\n${CLOCK_LABEL[v.clock]} at ${v.percent}%` },
      { type: 'mrkdwn', text: `*Due*\n${dueText(v.dueAt)}` },
      { type: 'mrkdwn', text: `*SLA state*\n${state === 'breached' ? 'Breached' : 'At risk'}` },
    ],
  };
}

export function buttonValue(ticketId: string, clock: ClockName): string {
  return JSON.stringify({ ticket: ticketId, clock });
}

const buttonValueSchema = z.object({ ticket: z.uuid(), clock: z.enum(['first_response', 'resolution']) });

export function parseButtonValue(value: string | undefined): { ticketId: string; clock: ClockName } | null {
  if (!value) return null;
  try {
    const parsed = buttonValueSchema.safeParse(JSON.parse(value));
    return parsed.success ? { ticketId: parsed.data.ticket, clock: parsed.data.clock } : null;
  } catch {
    return null;
  }
}

/** The message a ladder step posts. */
export function escalationMessage(v: EscalationView): { text: string; blocks: Array<Record<string, unknown>> } {
  const value = buttonValue(v.ticketId, v.clock);
  return {
    text: fallbackText(v),
    blocks: [
      ticketSection(v),
      {
        type: 'actions',
        block_id: ACTIONS_BLOCK_ID,
        elements: [
          { type: 'button', action_id: ACKNOWLEDGE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, value },
          { type: 'button', action_id: TAKE_ACTION, text: { type: 'plain_text', text: 'Take it' }, value },
        ],
      },
    ],
  };
}

/** The same message after someone acted: no more buttons, a line saying who did what. */
export function actedMessage(v: EscalationView, outcome: string): { text: string; blocks: Array<Record<string, unknown>> } {
  return {
    text: `${fallbackText(v)}: ${outcome}`,
    blocks: [ticketSection(v), { type: 'context', block_id: 'pacer_outcome', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(outcome) }] }],
  };
}
