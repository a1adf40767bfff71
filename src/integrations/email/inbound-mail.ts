/**
 * Email to ticket: one parsed inbound message becomes a new ticket or a customer comment on
 * the ticket it answers. Everything is keyed by the Message-ID (the Idempotency-Key of the
 * ticket, the id of the comment action), so a redelivered message adds nothing, and the
 * message is recorded only after its ticket or comment exists, so a crash in between is
 * finished by the sender's retry. Refusals carry the SMTP code the listener answers with.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import { PacerError } from '../../core/errors';
import type { Database } from '../../db/schema';
import { findTicket } from '../../db/repositories/tickets';
import type { Logger } from '../../core/logger';
import type { TicketService } from '../../domain/tickets/ticket-service';
import type { IntegrationConfig } from '../config';
import { bodyOf, replyBodyOf, subjectOf } from './mail-text';
import { ESCALATION_REPLY, findReplyTarget, type MatchedTicket } from './reply-matching';
import { organizationForSender } from './sender-organization';
import { INBOUND_SCOPE, normalizeMessageId, parseMailbox, withoutTicketTokens, type Mailbox } from './threading';
import type { Principal } from '../../core/principal';

export interface InboundDeps {
  db: Kysely<Database>;
  tickets: TicketService;
  config: IntegrationConfig;
  log: Logger;
}

export interface Envelope {
  /** null for the null sender (bounces). */
  mailFrom: string | null;
  rcptTo: string[];
}

export type InboundOutcome =
  | { kind: 'created'; ticketId: string; number: string }
  | { kind: 'comment'; ticketId: string; number: string }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: string };

/** A permanent refusal: the listener answers with `responseCode` and nothing was created. */
export class SmtpRefusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

const FINAL = ['closed', 'cancelled'];

export async function receiveMail(deps: InboundDeps, raw: Buffer, envelope: Envelope): Promise<InboundOutcome> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw);
  } catch (err) {
    throw new SmtpRefusal(554, `5.6.0 the message could not be parsed: ${(err as Error).message}`);
  }
  const fromEntry = parsed.from?.value.find((v) => v.address);
  const parsedSender = fromEntry?.address ? parseMailbox(fromEntry.address) : null;
  if (!parsedSender) throw new SmtpRefusal(550, '5.1.7 the message has no valid From address');
  const sender: Mailbox = { ...parsedSender, name: fromEntry?.name ?? '' };

  const automatic = automaticReason(parsed, envelope, sender, deps.config);
  if (automatic) return { kind: 'ignored', reason: automatic };

  // A message without a Message-ID is known by its content, so its redelivery is still recognised.
  const messageId = normalizeMessageId(parsed.messageId) ?? `<${crypto.createHash('sha256').update(raw).digest('hex')}@inbound.pacer>`;
  const seen = await deps.db.selectFrom('email_messages').select('message_id').where('message_id', '=', messageId).executeTakeFirst();
  if (seen) return { kind: 'duplicate' };

  const target = await findReplyTarget(deps.db, { inReplyTo: parsed.inReplyTo, references: parsed.references, subject: parsed.subject, recipients: envelope.rcptTo, sender: sender.address });
  if (target === ESCALATION_REPLY) throw new SmtpRefusal(550, '5.7.1 escalation notices take no replies: act on the ticket in Pacer');
  if (target && !FINAL.includes(target.status)) {
    try {
      return await addReply(deps, parsed, sender, messageId, target);
    } catch (err) {
      // Closed between the lookup and the comment: the mail becomes a follow-up ticket instead.
      if (!(err instanceof PacerError && err.code === 'ticket_closed')) throw err;
    }
  }
  return createTicket(deps, parsed, sender, messageId, target);
}

/** Auto-responders, bounces and our own mail coming back would otherwise loop ticket ↔ acknowledgement. */
function automaticReason(parsed: ParsedMail, envelope: Envelope, sender: Mailbox, config: IntegrationConfig): string | null {
  if (!envelope.mailFrom) return 'null sender (a bounce)';
  const autoSubmitted = parsed.headers.get('auto-submitted');
  if (typeof autoSubmitted === 'string' && autoSubmitted.trim().toLowerCase() !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const ours = config.email ? parseMailbox(config.email.from) : null;
  if (ours && ours.domain === sender.domain && ours.local.split('+')[0] === sender.local.split('+')[0]) return 'sent from our own address';
  return null;
}

function principalFor(sender: Mailbox, organizationId: string): Principal {
  // A customer bound to the organization: it may create that organization's tickets and comment publicly, nothing more.
  return { role: 'customer', keyId: INBOUND_SCOPE, name: sender.address, organizationId };
}

async function addReply(deps: InboundDeps, parsed: ParsedMail, sender: Mailbox, messageId: string, target: MatchedTicket): Promise<InboundOutcome> {
  const ticket = await findTicket(deps.db, target.id);
  if (!ticket) throw new Error(`ticket ${target.id} vanished`);
  const body = replyBodyOf(parsed.text) || (parsed.attachments.length > 0 ? '(attachments only)' : '(no text)');
  // The Message-ID as Idempotency-Key makes the comment's action id deterministic: a redelivery is ignored by the workflow.
  const commentId = await deps.tickets.comment(principalFor(sender, target.organizationId), ticket, body, true, messageId);
  await record(deps.db, messageId, ticket.id, 'reply', parsed.attachments, commentId);
  deps.log.info({ ticket: ticket.number, via: target.via }, 'inbound email added as a comment');
  return { kind: 'comment', ticketId: ticket.id, number: ticket.number };
}

async function createTicket(deps: InboundDeps, parsed: ParsedMail, sender: Mailbox, messageId: string, previous: MatchedTicket | null): Promise<InboundOutcome> {
  const organizationId = previous?.organizationId ?? (await organizationForSender(deps.db, sender.address)) ?? deps.config.inbound?.defaultOrganizationId;
  if (!organizationId) throw new SmtpRefusal(550, `5.7.1 ${sender.address} is not a known customer address`);
  // A reply to a closed or cancelled ticket cannot reopen it (closed is final): it opens a new
  // ticket in the same organization whose description names the old number.
  const subject = subjectOf(previous ? withoutTicketTokens(parsed.subject ?? '') : parsed.subject);
  const description = previous ? `Follow-up to ${previous.number}, which is ${previous.status}.\n\n${replyBodyOf(parsed.text)}` : bodyOf(parsed.text);
  try {
    const { ticket } = await deps.tickets.create(
      principalFor(sender, organizationId),
      { subject, description, channel: 'email', requester: { email: sender.address, name: sender.name || null }, organizationId },
      messageId,
    );
    await record(deps.db, messageId, ticket.id, 'new-ticket', parsed.attachments, null);
    deps.log.info({ ticket: ticket.number, followUpTo: previous?.number }, 'inbound email opened a ticket');
    return { kind: 'created', ticketId: ticket.id, number: ticket.number };
  } catch (err) {
    if (err instanceof PacerError && err.code === 'idempotency_key_reused') throw new SmtpRefusal(550, '5.7.0 this Message-ID already belongs to another message');
    throw err;
  }
}

/** Attachments and the Message-ID, in one transaction, with ids derived from the Message-ID (a retry lands once). */
async function record(db: Kysely<Database>, messageId: string, ticketId: string, kind: string, attachments: Attachment[], commentId: string | null): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const [i, a] of attachments.entries()) {
      await tx
        .insertInto('attachments')
        .values({
          id: derivedUuid(`${messageId}#attachment-${i}`),
          ticket_id: ticketId,
          comment_id: commentId,
          filename: a.filename || `attachment-${i + 1}`,
          content_type: a.contentType || 'application/octet-stream',
          size: a.content.length,
          content: a.content,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    await tx
      .insertInto('email_messages')
      .values({ message_id: messageId, ticket_id: ticketId, direction: 'in', kind })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
  });
}

function derivedUuid(seed: string): string {
  const h = crypto.createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
