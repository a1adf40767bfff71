/**
 * The `email` ladder action: an escalation notice to a role (`role`, resolved through
 * PACER_ROLE_EMAILS) or to addresses (`to`). Keyed by the ladder action, so a retried
 * activity sends it once; a role nobody is mapped to is skipped with a recorded outcome.
 * Business-hours-only waiting happens in the workflow before this activity is called.
 */
import { clockDueIn } from '../../../workflows/contract/ticket';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { ActionHandler } from '../integration-deps';
import { stepActionEventId } from '../../../workflows/contract/events';
import { PermanentMailError, type TicketMailer } from './mailer';
import { escalationNotice } from './ticket-mail';
import { ticketUrl } from '../../core/links';

export interface EmailActionDeps {
  db: Kysely<Database>;
  mailer: TicketMailer;
  roleEmails: Record<string, string>;
  publicUrl: string;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

function recipients(action: Record<string, unknown>, roleEmails: Record<string, string>): { to: string[]; role: string | null } | string {
  const role = typeof action.role === 'string' ? action.role : null;
  const listed = typeof action.to === 'string' ? [action.to] : Array.isArray(action.to) ? action.to.filter((a): a is string => typeof a === 'string') : [];
  const to = [...listed, ...(role && roleEmails[role] ? roleEmails[role].split(/[;\s]+/) : [])].map((a) => a.trim()).filter(Boolean);
  if (to.length === 0) return role ? `no email address for role "${role}" (PACER_ROLE_EMAILS)` : 'no recipient: give the action a role or a to address';
  const bad = to.find((a) => !ADDRESS.test(a));
  if (bad) return `not an email address: "${bad}"`;
  return { to: [...new Set(to)], role };
}

export function emailAction(deps: EmailActionDeps): ActionHandler {
  return async (input) => {
    const target = recipients(input.action, deps.roleEmails);
    if (typeof target === 'string') return { status: 'skipped', detail: target };
    const t = await deps.db.selectFrom('tickets').select(['id', 'number', 'subject', 'priority', 'requester_name']).where('id', '=', input.ticketId).executeTakeFirst();
    if (!t) throw new Error(`ticket ${input.ticketId} not found`);
    const facts = { id: t.id, number: t.number, subject: t.subject, priority: t.priority, requesterName: t.requester_name };
    const { dueAt } = clockDueIn(input.sla, input.clock);
    const link = ticketUrl(deps.publicUrl, t.id);
    try {
      const sent = await deps.mailer.send({
        ticketId: t.id,
        ticketNumber: t.number,
        kind: 'escalation',
        key: stepActionEventId(input.ticketId, input.stepId, input.actionIndex),
        to: target.to,
        autoSubmitted: 'auto-generated',
        ...escalationNotice(facts, { clock: input.clock, percent: input.percent, dueAt, link, role: target.role }),
      });
      return { status: 'done', detail: `emailed ${target.role ?? target.to.join(', ')} (${sent.messageId})` };
    } catch (err) {
      if (err instanceof PermanentMailError) return { status: 'skipped', detail: err.message };
      throw err;
    }
  };
}
