/**
 * The storable-text rule (PostgreSQL text and jsonb cannot hold NUL, and a lone UTF-16
 * surrogate cannot be encoded as UTF-8): the API's zod schemas build on it at the edge, and
 * callers that do not go through a schema (console and portal forms, inbound mail reaching the
 * services directly) refuse with `refuseUnstorable`.
 */
import { InvalidInput } from './errors';

/**
 * With the `u` flag a surrogate range only matches surrogates that are not part of a pair, so
 * this allows every character PostgreSQL stores (emoji included) and nothing else.
 */
export const STORABLE_TEXT = /^[^\u0000\uD800-\uDFFF]*$/u;
export const UNSTORABLE_MESSAGE = 'must not contain NUL (\\u0000) or unpaired UTF-16 surrogate characters';
export const isStorableText = (s: string) => STORABLE_TEXT.test(s);
/** For text Pacer cannot send back to be fixed (another service's webhook, a mail): the unstorable characters become U+FFFD. */
export const replaceUnstorable = (s: string) => s.replace(/[\u0000\uD800-\uDFFF]/gu, '\uFFFD');

/** A `validation_failed` refusal naming each string field that cannot be stored. */
export function refuseUnstorable(fields: Record<string, unknown>): void {
  const bad = Object.entries(fields).filter(([, v]) => typeof v === 'string' && !isStorableText(v));
  if (bad.length) throw new InvalidInput(`${bad.map(([k]) => k).join(', ')}: ${UNSTORABLE_MESSAGE}`, bad.map(([path]) => ({ path, message: UNSTORABLE_MESSAGE })));
}
