/**
 * Finds the ticket an inbound mail answers, in the order the headers deserve trust:
 * In-Reply-To / References against the Message-IDs we sent or received (unguessable, so
 * enough on their own); then the recipient's plus-address; then a `[TKT-…]` token in the
 * subject. A ticket number is guessable, so those two only count when the sender is the
 * requester or belongs to the ticket's organization; otherwise the mail is a new request.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { senderBelongsTo } from './sender-organization';
import { numberFromPlusAddress, numberFromSubject, referencedIds } from './threading';

export interface MatchedTicket {
  id: string;
  number: string;
  status: string;
  organizationId: string;
  via: 'thread' | 'plus-address' | 'subject';
}

export interface ReplyHeaders {
  inReplyTo?: string;
  references?: string | string[];
  subject?: string;
  /** Envelope recipients (RCPT TO), which keep their +tag. */
  recipients: string[];
  sender: string;
}

/** A reply to an escalation notice: those go to staff, who act in the console, not by mail. */
export const ESCALATION_REPLY = 'escalation-reply' as const;

const TICKET_COLUMNS = ['id', 'number', 'status', 'organization_id', 'requester_email'] as const;

export async function findReplyTarget(db: Kysely<Database>, h: ReplyHeaders): Promise<MatchedTicket | typeof ESCALATION_REPLY | null> {
  const ids = referencedIds(h.inReplyTo, h.references);
  if (ids.length > 0) {
    const known = await db.selectFrom('email_messages').select(['message_id', 'ticket_id', 'kind']).where('message_id', 'in', ids).execute();
    // The most recent reference the ticket's requester thread knows wins.
    const hit = ids.map((id) => known.find((k) => k.message_id === id && k.kind !== 'escalation')).find((k) => k !== undefined);
    if (hit) {
      const t = await db.selectFrom('tickets').select(TICKET_COLUMNS).where('id', '=', hit.ticket_id).executeTakeFirstOrThrow();
      return { id: t.id, number: t.number, status: t.status, organizationId: t.organization_id, via: 'thread' };
    }
    if (known.length > 0) return ESCALATION_REPLY;
  }

  const candidates: Array<[string | null, MatchedTicket['via']]> = [
    ...h.recipients.map((r): [string | null, MatchedTicket['via']] => [numberFromPlusAddress(r), 'plus-address']),
    [numberFromSubject(h.subject), 'subject'],
  ];
  for (const [number, via] of candidates) {
    if (!number) continue;
    const t = await db.selectFrom('tickets').select(TICKET_COLUMNS).where('number', '=', number).executeTakeFirst();
    if (!t) continue;
    const mayReply = t.requester_email.toLowerCase() === h.sender.toLowerCase() || (await senderBelongsTo(db, t.organization_id, h.sender));
    if (mayReply) return { id: t.id, number: t.number, status: t.status, organizationId: t.organization_id, via };
  }
  return null;
}
