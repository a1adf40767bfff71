/**
 * The text a ticket keeps from an inbound mail: the body within the API's limits and, for a
 * reply, only what the customer wrote above the quoted history their client appended (the
 * ticket already holds that history as comments).
 */

export const MAX_SUBJECT = 500;
export const MAX_BODY = 100_000;

/** Lines where mail clients start quoting the message being answered. */
const QUOTE_STARTS = [
  /^On .{1,200}wrote:\s*$/,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^_{5,}\s*$/,
  /^From:\s.+$/,
  /^>/,
];

/**
 * Mail can carry a NUL (=00 in quoted-printable) or a broken surrogate that PostgreSQL cannot
 * store; the sender cannot be asked to fix a mail, so those become U+FFFD instead of a refusal.
 */
const storable = (s: string) => s.replace(/[\u0000\uD800-\uDFFF]/gu, '\uFFFD');

export function bodyOf(text: string | undefined): string {
  const body = storable(text ?? '').replace(/\r\n/g, '\n').trim();
  return body.length > MAX_BODY ? `${body.slice(0, MAX_BODY - 1)}…` : body;
}

export function subjectOf(subject: string | undefined): string {
  const s = storable(subject ?? '').replace(/\s+/g, ' ').trim() || '(no subject)';
  return s.length > MAX_SUBJECT ? `${s.slice(0, MAX_SUBJECT - 1)}…` : s;
}

/** The new part of a reply; the whole text when nothing precedes the quote. */
export function replyBodyOf(text: string | undefined): string {
  const lines = bodyOf(text).split('\n');
  const cut = lines.findIndex((line) => QUOTE_STARTS.some((re) => re.test(line.trim())));
  const fresh = (cut === -1 ? lines : lines.slice(0, cut)).join('\n').trim();
  return fresh || bodyOf(text);
}
