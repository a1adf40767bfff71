/**
 * What ties a piece of mail to a ticket, shared by the outbound mailer and the inbound
 * listener: the Message-IDs we mint (deterministic, so a retried send reuses its id), the
 * plus-address replies go to (RFC 5233 subaddressing), the `[TKT-…]` subject token, and the
 * Idempotency-Key scope under which inbound Message-IDs create tickets.
 */
import crypto from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';

/** Idempotency-Key scope of tickets created from inbound mail (the key is the Message-ID). */
export const INBOUND_SCOPE = 'email-inbound';

/** Ticket numbers as TicketNumbers issues them: the serial may grow past four digits. */
const NUMBER = 'TKT-\\d{8}-\\d{4,}';
const SUBJECT_TOKEN = new RegExp(`\\[(${NUMBER})\\]`, 'i');
const PLUS_TAG = new RegExp(`^[^@+]+\\+(${NUMBER})@`, 'i');

export interface Mailbox {
  name: string;
  address: string;
  local: string;
  domain: string;
}

/** Parses "Pacer Support <support@example.com>" or a bare address; null when there is no usable address. */
export function parseMailbox(text: string): Mailbox | null {
  const first = addressparser(text, { flatten: true })[0];
  const address = first?.address?.trim().toLowerCase() ?? '';
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) return null;
  return { name: first?.name ?? '', address, local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** `support+TKT-20261123-0001@example.com`: where replies to a ticket's mail go. */
export function plusAddress(from: Mailbox, ticketNumber: string): string {
  const base = from.local.split('+')[0];
  return `${base}+${ticketNumber}@${from.domain}`;
}

/** The ticket number in a recipient's plus tag, upper-cased as stored; null when there is none. */
export function numberFromPlusAddress(address: string): string | null {
  return PLUS_TAG.exec(address.trim())?.[1]?.toUpperCase() ?? null;
}

/** The ticket number of a `[TKT-…]` token in a subject; null when there is none. */
export function numberFromSubject(subject: string | undefined): string | null {
  return subject ? (SUBJECT_TOKEN.exec(subject)?.[1]?.toUpperCase() ?? null) : null;
}

/** The subject without its `[TKT-…]` tokens (a follow-up ticket gets a number of its own). */
export function withoutTicketTokens(subject: string): string {
  return subject.replace(new RegExp(`\\s*\\[${NUMBER}\\]\\s*`, 'gi'), ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The Message-ID of one outbound message: the ticket, the kind and a hash of the key of the
 * thing it reports (an event id, a ladder action), so every retry of it carries the same id.
 */
export function outboundMessageId(ticketNumber: string, kind: string, key: string, domain: string): string {
  const hash = crypto.createHash('sha256').update(key).digest('hex').slice(0, 20);
  return `<${ticketNumber.toLowerCase()}.${kind}.${hash}@${domain}>`;
}

/** `<id@host>` with its angle brackets, whatever the header held; null for an empty one. */
export function normalizeMessageId(id: string | undefined | null): string | null {
  const bare = (id ?? '').trim().replace(/^<+|>+$/g, '').trim();
  return bare ? `<${bare}>` : null;
}

/** Every Message-ID a reply points at: In-Reply-To first, then References from the newest. */
export function referencedIds(inReplyTo: string | undefined, references: string | string[] | undefined): string[] {
  const refs = (Array.isArray(references) ? references : references ? references.split(/\s+/) : []).reverse();
  const ids = [inReplyTo, ...refs].map(normalizeMessageId).filter((id): id is string => id !== null);
  return [...new Set(ids)];
}
