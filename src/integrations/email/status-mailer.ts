/**
 * Mail to status-page subscribers through nodemailer: the confirmation of a new subscription
 * and the notice of each public incident update. Each message has a deterministic Message-ID
 * and runs under `once`, so a retried send reports the first result instead of mailing again
 * (a crash between the SMTP 250 and the record re-sends the same Message-ID, which mail
 * stores collapse). Every message carries the subscriber's unsubscribe link, in the body and
 * as List-Unsubscribe with RFC 8058 one-click. Ticket mail (TicketMailer) is separate.
 */
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { once } from '../../db/effects';
import { parseMailbox, type Mailbox } from './threading';
import type { IncidentNotice, StatusMail, StatusMailOutcome, StatusRecipient } from '../integration-deps';

const hash = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 24);

export class StatusMailer implements StatusMail {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;
  private readonly from: Mailbox;

  constructor(
    private readonly db: Kysely<Database>,
    config: { smtpUrl: string; from: string },
    private readonly publicUrl: string,
  ) {
    const from = parseMailbox(config.from);
    if (!from) throw new Error(`PACER_MAIL_FROM is not an email address: "${config.from}"`);
    this.from = from;
    this.transport = nodemailer.createTransport({ url: config.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
  }

  link(path: 'confirm' | 'unsubscribe', token: string): string {
    return `${this.publicUrl.replace(/\/+$/, '')}/status/subscriptions/${path}?token=${encodeURIComponent(token)}`;
  }

  private statusUrl(): string {
    return `${this.publicUrl.replace(/\/+$/, '')}/status`;
  }

  /** Once per subscriber and token: a re-subscription gets a new token, and so a new confirmation. */
  sendConfirmation(to: StatusRecipient): Promise<StatusMailOutcome> {
    const key = `status-confirm:${to.id}:${hash(to.token)}`;
    return this.sendOnce(key, to, {
      messageId: `<status.confirm.${hash(key)}@${this.from.domain}>`,
      subject: 'Confirm your status updates subscription',
      text: [
        'Someone (hopefully you) asked to receive incident updates from our status page at this address.',
        '',
        `Confirm the subscription: ${this.link('confirm', to.token)}`,
        '',
        'If this was not you, ignore this message: nothing will be sent until the address is confirmed.',
        `Status page: ${this.statusUrl()}`,
      ].join('\n'),
    });
  }

  /** Once per (update, subscriber). */
  sendIncidentUpdate(to: StatusRecipient, notice: IncidentNotice): Promise<StatusMailOutcome> {
    const key = `status-mail:${notice.updateId}:${to.id}`;
    return this.sendOnce(key, to, {
      messageId: `<status.${notice.number.toLowerCase()}.${hash(key)}@${this.from.domain}>`,
      // One thread per incident in mail clients that thread by reference.
      references: `<status.${notice.number.toLowerCase()}@${this.from.domain}>`,
      subject: `[${notice.number}] ${notice.title} — ${capitalize(notice.updateStatus)}`,
      text: [`${notice.title} (${notice.number})`, `Status: ${capitalize(notice.updateStatus)}`, '', notice.body, '', `Status page: ${this.statusUrl()}`].join('\n'),
    });
  }

  private sendOnce(key: string, to: StatusRecipient, mail: { messageId: string; subject: string; text: string; references?: string }): Promise<StatusMailOutcome> {
    let ran = false;
    return once<StatusMailOutcome>(this.db, key, async () => {
      ran = true;
      const unsubscribe = this.link('unsubscribe', to.token);
      try {
        await this.transport.sendMail({
          from: { name: this.from.name, address: this.from.address },
          to: to.email,
          subject: mail.subject,
          text: `${mail.text}\n\nUnsubscribe: ${unsubscribe}\n`,
          messageId: mail.messageId,
          ...(mail.references && { references: mail.references, inReplyTo: mail.references }),
          list: { unsubscribe },
          headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'Auto-Submitted': 'auto-generated' },
        });
        return { outcome: 'sent' };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // A 5xx is final: record it so a retry never tries again. 4xx and network errors throw, to be retried.
        if (typeof code === 'number' && code >= 500) return { outcome: 'refused', code, message: (err as Error).message };
        throw err;
      }
    }).then((result) => (ran || result.outcome !== 'sent' ? result : { outcome: 'already_sent' }));
  }
}

const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
