/**
 * What Pacer writes into Jira: the issue's summary, labels and ADF description (the ticket's
 * text, a link back, its priority and SLA state), the comment an escalation adds to an
 * existing issue, and a copied public comment.
 */
import type { TicketRow } from '../../db/schema';
import type { ClockName } from '../../../workflows/contract/ticket';
import { bulletList, doc, heading, link, paragraph, plainText, strong, type AdfDoc, type AdfNode } from './adf';

const MAX_SUMMARY = 255;
const CLOCK_LABEL: Record<ClockName, string> = { first_response: 'First response', resolution: 'Resolution', next_reply: 'Next reply', update: 'Update' };

export type IssueTicket = Pick<
  TicketRow,
  'id' | 'number' | 'subject' | 'description' | 'priority' | 'status' | 'requester_email' | 'requester_name' | 'fr_due_at' | 'fr_met_at' | 'fr_at_risk_at' | 'res_due_at' | 'res_met_at' | 'res_at_risk_at' | 'res_paused_since'
>;

/** The escalation that asked for the issue, when a ladder step did. */
export interface Escalation {
  clock: ClockName;
  percent: number;
  dueAt: string | null;
}

/** `pacer-tkt-20261123-0001`: Jira labels are free of spaces, and lower case reads best in JQL. */
export function ticketLabel(number: string): string {
  return `pacer-${number.toLowerCase()}`;
}

export function issueSummary(t: Pick<IssueTicket, 'number' | 'subject'>): string {
  const s = `[${t.number}] ${t.subject.replace(/\s+/g, ' ').trim()}`;
  return s.length > MAX_SUMMARY ? `${s.slice(0, MAX_SUMMARY - 1)}…` : s;
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

/** The same reading of a clock as the API's ticket view: breached when met late or past due unmet. */
function clockLine(name: string, due: Date | null, met: Date | null, atRisk: Date | null, now: number): Array<AdfNode | string> {
  if (due === null && met === null) return [strong(`${name}:`), ' no target'];
  const dueMs = due === null ? null : new Date(due).getTime();
  const metMs = met === null ? null : new Date(met).getTime();
  const breached = metMs !== null ? dueMs !== null && metMs > dueMs : dueMs !== null && dueMs <= now;
  const risky = atRisk !== null && new Date(atRisk).getTime() <= now;
  const state = metMs !== null ? `${breached ? 'met late' : 'met'} at ${iso(met)}` : breached ? 'breached' : risky ? 'at risk' : 'running';
  return [strong(`${name}:`), ` ${state}${due !== null ? `, due ${iso(due)}` : ''}`];
}

function escalationLine(e: Escalation): Array<AdfNode | string> {
  const state = e.percent >= 100 ? 'breached' : 'at risk';
  return [strong('Escalation:'), ` ${CLOCK_LABEL[e.clock].toLowerCase()} SLA at ${e.percent}% (${state})${e.dueAt ? `, due ${e.dueAt}` : ''}`];
}

function slaLines(t: IssueTicket, now: number): Array<Array<AdfNode | string>> {
  const resolution = clockLine('Resolution', t.res_due_at, t.res_met_at, t.res_at_risk_at, now);
  if (t.res_paused_since !== null && t.res_met_at === null) resolution.push(` (paused since ${iso(t.res_paused_since)})`);
  return [clockLine('First response', t.fr_due_at, t.fr_met_at, t.fr_at_risk_at, now), resolution];
}

export function issueDescription(t: IssueTicket, url: string, escalation: Escalation | null, now = Date.now()): AdfDoc {
  const requester = t.requester_name ? `${t.requester_name} <${t.requester_email}>` : t.requester_email;
  const facts: Array<Array<AdfNode | string>> = [
    [strong('Priority:'), ` ${t.priority}`],
    [strong('Status:'), ` ${t.status}`],
    [strong('Requester:'), ` ${requester}`],
    ...slaLines(t, now),
    ...(escalation ? [escalationLine(escalation)] : []),
  ];
  return doc(
    paragraph('Pacer ticket ', link(t.number, url), `: ${t.subject}`),
    bulletList(facts),
    heading(3, 'Description'),
    ...(plainText(t.description).length ? plainText(t.description) : [paragraph('(no description)')]),
  );
}

/** Added to an existing issue when a later ladder step escalates the ticket again. */
export function escalationComment(t: IssueTicket, url: string, escalation: Escalation, now = Date.now()): AdfDoc {
  return doc(paragraph('Pacer escalated ', link(t.number, url), ` again (priority ${t.priority}, status ${t.status}).`), bulletList([escalationLine(escalation), ...slaLines(t, now)]));
}

/** A public ticket comment, copied as it was written, with who wrote it. */
export function copiedComment(t: Pick<IssueTicket, 'number'>, url: string, c: { author_type: string; author_name: string; body: string }): AdfDoc {
  const body = plainText(c.body);
  return doc(paragraph(strong(`${c.author_name} (${c.author_type})`), ' replied on ', link(t.number, url), ':'), ...(body.length ? body : [paragraph('(empty)')]));
}
