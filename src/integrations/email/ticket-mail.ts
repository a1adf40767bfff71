/**
 * The words of each ticket email: acknowledgement, agent reply, solved notice, escalation
 * notice. Plain text only; every subject carries the `[TKT-…]` token so a reply finds its
 * ticket even when the client drops the threading headers and the plus-address.
 */
import type { ClockName } from '../../../workflows/contract/ticket';

export interface TicketFacts {
  id: string;
  number: string;
  subject: string;
  priority: string;
  requesterName: string | null;
}

const greeting = (t: TicketFacts) => `Hello${t.requesterName ? ` ${t.requesterName}` : ''},`;
const replyHint = (t: TicketFacts) => `Reply to this email to add to the request (keep [${t.number}] in the subject).`;

/** A knowledge-base article the acknowledgement suggests: its title and absolute link. */
export interface SuggestedLink {
  title: string;
  url: string;
}

export function acknowledgement(t: TicketFacts, signature: string, suggested: SuggestedLink[] = []) {
  const articles = suggested.length ? ['', 'These articles may already answer it:', ...suggested.map((a) => `- ${a.title}\n  ${a.url}`)] : [];
  return {
    subject: `[${t.number}] ${t.subject}`,
    text: [greeting(t), '', `We received your request and opened ticket ${t.number}: "${t.subject}".`, replyHint(t), ...articles, '', `— ${signature}`].join('\n'),
  };
}

export function agentReply(t: TicketFacts, body: string, agent: string, signature: string) {
  return {
    subject: `Re: [${t.number}] ${t.subject}`,
    text: [body, '', `— ${agent}, ${signature}`, '', replyHint(t)].join('\n'),
  };
}

export function solvedNotice(t: TicketFacts, signature: string) {
  return {
    subject: `[${t.number}] Solved: ${t.subject}`,
    text: [
      greeting(t),
      '',
      `We marked ticket ${t.number} ("${t.subject}") as solved.`,
      'If something is still not right, reply to this email and the ticket reopens.',
      '',
      `— ${signature}`,
    ].join('\n'),
  };
}

/** The satisfaction survey: one link that opens the survey page without signing in. */
export function csatSurveyMail(t: TicketFacts, link: string, expiresAt: string, signature: string) {
  return {
    subject: `[${t.number}] How did we do? ${t.subject}`,
    text: [
      greeting(t),
      '',
      `Ticket ${t.number} ("${t.subject}") was solved. How satisfied are you with the help you got?`,
      'Rate it from 1 to 5 (one click, no sign-in needed):',
      '',
      link,
      '',
      `The link works until ${expiresAt.slice(0, 10)}; you can change your rating until the ticket is closed.`,
      '',
      `— ${signature}`,
    ].join('\n'),
  };
}

const CLOCK_NAMES: Record<ClockName, string> = { first_response: 'first response', resolution: 'resolution', next_reply: 'next reply', update: 'update' };

export function escalationNotice(t: TicketFacts, e: { clock: ClockName; percent: number; dueAt: string | null; link: string; role: string | null }) {
  const clock = CLOCK_NAMES[e.clock];
  const state = e.percent >= 100 ? `breached its ${clock} target (${e.percent}%)` : `reached ${e.percent}% of its ${clock} target`;
  return {
    subject: `[${t.number}] SLA ${e.percent >= 100 ? 'breach' : 'escalation'}: ${clock} at ${e.percent}% — ${t.subject}`,
    text: [
      `Ticket ${t.number} ${state}.`,
      '',
      `Subject:  ${t.subject}`,
      `Priority: ${t.priority}`,
      `Clock:    ${clock}`,
      `Elapsed:  ${e.percent}% of the target`,
      `Due:      ${e.dueAt ?? 'not set (the clock is paused or met)'}`,
      ...(e.role ? [`Sent to:  ${e.role}`] : []),
      '',
      `Open it: ${e.link}`,
      'This notice is automatic; act on the ticket in Pacer rather than replying.',
    ].join('\n'),
  };
}
