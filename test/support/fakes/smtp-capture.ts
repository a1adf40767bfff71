/**
 * A loopback SMTP server that captures every message Pacer sends: the envelope as the client
 * gave it, and the message parsed by mailparser (headers, threading ids, text). It speaks real
 * SMTP through smtp-server, without authentication or STARTTLS (its bundled certificate has
 * expired, as a plain local relay would run), and can answer the next N messages with a 4xx
 * at the end of DATA so tests can watch the sender retry. Point PACER_SMTP_URL at `url`.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  envelope: { mailFrom: string | null; rcptTo: string[] };
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: string | null;
  replyTo: string | null;
  to: string[];
  subject: string;
  text: string;
  headers: ParsedMail['headers'];
  raw: string;
  /** The reply this server gave: 250, or the induced refusal. */
  status: number;
  receivedAt: number;
}

export interface SmtpCapture {
  port: number;
  url: string;
  /** Every message answered 250, in arrival order. */
  readonly messages: CapturedMail[];
  /** Every message that reached the end of DATA, including the refused ones. */
  readonly attempts: CapturedMail[];
  /** Refuse the next `n` messages with `code` (451 by default: try again later). */
  rejectNext(n: number, code?: number): void;
  waitFor(predicate: (messages: CapturedMail[]) => boolean, timeoutMs: number, what?: string): Promise<CapturedMail[]>;
  close(): Promise<void>;
}

const addresses = (v: ParsedMail['to']): string[] =>
  (Array.isArray(v) ? v : v ? [v] : []).flatMap((a) => a.value.map((x) => x.address ?? '')).filter(Boolean);

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const attempts: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  let refuse = { left: 0, code: 451 };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (p) => {
            const status = refuse.left > 0 ? refuse.code : 250;
            if (status !== 250) refuse = { ...refuse, left: refuse.left - 1 };
            const refs = Array.isArray(p.references) ? p.references : p.references ? p.references.split(/\s+/) : [];
            const mail: CapturedMail = {
              envelope: { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, rcptTo: session.envelope.rcptTo.map((r) => r.address) },
              messageId: p.messageId ?? null,
              inReplyTo: p.inReplyTo ?? null,
              references: refs,
              from: p.from?.value[0]?.address ?? null,
              replyTo: p.replyTo?.value[0]?.address ?? null,
              to: addresses(p.to),
              subject: p.subject ?? '',
              text: p.text ?? '',
              headers: p.headers,
              raw: raw.toString('utf8'),
              status,
              receivedAt: Date.now(),
            };
            attempts.push(mail);
            if (status === 250) messages.push(mail);
            for (const wake of waiters) wake();
            if (status === 250) return callback();
            callback(Object.assign(new Error(`${status === 451 ? '4.3.0 induced temporary failure' : '5.0.0 induced refusal'}`), { responseCode: status }));
          },
          (err: Error) => callback(Object.assign(err, { responseCode: 554 })),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    attempts,
    rejectNext(n, code = 451) {
      refuse = { left: n, code };
    },
    waitFor(predicate, timeoutMs, what = 'captured mail') {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(messages)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = messages.map((m) => `${m.envelope.rcptTo.join(',')}: ${m.subject}`).join('; ') || 'none';
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; captured: ${seen}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
