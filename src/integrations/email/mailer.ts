/**
 * Sends one ticket email through nodemailer, exactly once in effect. The Message-ID is ours and
 * deterministic (ticket, kind, key); it is recorded in email_messages before the send, so a
 * retried activity reuses it, and `once` keeps a retry after a recorded success from sending at
 * all. A crash between the SMTP 250 and the record re-sends the same Message-ID, which mail
 * stores collapse into one message. Each message threads (In-Reply-To, References) onto the
 * ticket's earlier mail in its own thread: the requester's, or the escalation notices.
 */
import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { INBOUND_SCOPE, outboundMessageId, plusAddress, type Mailbox } from './threading';
import { once } from '../../db/effects';

export type MailKind = 'acknowledgement' | 'reply' | 'solved' | 'escalation' | 'csat';

export interface TicketMail {
  ticketId: string;
  ticketNumber: string;
  kind: MailKind;
  /** What the message reports (an event id, a ladder action): the same key, the same message. */
  key: string;
  to: string[];
  subject: string;
  text: string;
  /** RFC 3834: automatic mail says so, so auto-responders do not answer it (and loop). */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
}

export interface SentMail {
  messageId: string;
  accepted: string[];
}

/** The server refused the message for good (5xx): retrying would only repeat the refusal. */
export class PermanentMailError extends Error {}

/** Headers grow with every message; mail clients thread on the first and the latest few. */
const MAX_REFERENCES = 20;

export class TicketMailer {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(
    private readonly db: Kysely<Database>,
    smtpUrl: string,
    private readonly from: Mailbox,
  ) {
    // Well inside the activity's two-minute limit, so a stalled server fails the attempt and Temporal retries it.
    // Query parameters of the URL (?ignoreTLS=true, ?requireTLS=true…) override these.
    this.transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
  }

  async send(mail: TicketMail): Promise<SentMail> {
    const messageId = outboundMessageId(mail.ticketNumber, mail.kind, mail.key, this.from.domain);
    return once(this.db, `email:${messageId}`, async () => {
      await this.db
        .insertInto('email_messages')
        .values({ message_id: messageId, ticket_id: mail.ticketId, direction: 'out', kind: mail.kind })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .execute();
      const thread = await this.earlierMessages(mail.ticketId, messageId, mail.kind === 'escalation');
      const escalation = mail.kind === 'escalation';
      try {
        const info = await this.transport.sendMail({
          from: { name: this.from.name, address: this.from.address },
          to: mail.to,
          // Replies from the requester come back to the ticket; escalation notices are worked in the console.
          ...(!escalation && { replyTo: { name: this.from.name, address: plusAddress(this.from, mail.ticketNumber) } }),
          subject: mail.subject,
          text: mail.text,
          messageId,
          ...(thread.length > 0 && { inReplyTo: thread[thread.length - 1], references: thread }),
          headers: { 'X-Pacer-Ticket': mail.ticketNumber, ...(mail.autoSubmitted && { 'Auto-Submitted': mail.autoSubmitted }) },
        });
        return { messageId, accepted: (info.accepted ?? []).map(String) };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (typeof code === 'number' && code >= 500) throw new PermanentMailError(`refused by the mail server (${code}): ${(err as Error).message}`);
        throw err;
      }
    });
  }

  /**
   * The thread this message continues, oldest first: the requester's original mail (a ticket
   * made from email, found through its Idempotency-Key, which is written before the ticket
   * starts and so before this hook can run), then every message recorded before this one.
   */
  private async earlierMessages(ticketId: string, messageId: string, escalation: boolean): Promise<string[]> {
    const own = await this.db.selectFrom('email_messages').select('created_at').where('message_id', '=', messageId).executeTakeFirstOrThrow();
    const rows = await this.db
      .selectFrom('email_messages')
      .select('message_id')
      .where('ticket_id', '=', ticketId)
      .where('kind', escalation ? '=' : '<>', 'escalation')
      .where('message_id', '<>', messageId)
      .where('created_at', '<', own.created_at)
      .orderBy('created_at')
      .orderBy('message_id')
      .execute();
    const ids = rows.map((r) => r.message_id);
    if (!escalation) {
      const origin = await this.db.selectFrom('idempotency_keys').select('key').where('scope', '=', INBOUND_SCOPE).where('ticket_id', '=', ticketId).executeTakeFirst();
      if (origin && !ids.includes(origin.key)) ids.unshift(origin.key);
    }
    return ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
  }
}
