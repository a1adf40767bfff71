/** zod at the edge: a failed parse becomes a 400 that names every offending field. */
import { z } from 'zod';
import { isoInstant, isStorableText, replaceUnstorable, uuid } from './schemas';
import { InvalidInput } from '../../core/errors';

export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.flatMap((i) => {
    const at = i.path.map(String);
    // zod reports all unknown keys of an object as one issue at the object's path; name each field.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: [...at, k].join('.'), message: 'unknown field' }));
    return [{ path: at.join('.') || where, message: i.message }];
  });
  throw new InvalidInput(`invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}

/** What a cursor holds: the last row's creation instant and id, both checked before they reach a query. */
const cursorContent = z.strictObject({ createdAt: isoInstant(), id: uuid });
export type Cursor = z.infer<typeof cursorContent>;

/**
 * Decodes a cursor the API issued (base64url JSON, see db/repositories/tickets encodeCursor).
 * Anything else, including well-formed JSON with a non-uuid id or an out-of-range date, is a
 * 400 `invalid_cursor`: it must never reach PostgreSQL as a cast that fails.
 */
export function parseCursor(raw: string): Cursor {
  let decoded: unknown;
  try {
    // Node's base64url decoder skips characters outside the alphabet; a cursor has none.
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const result = cursorContent.safeParse(decoded);
  if (!result.success) throw new InvalidInput('invalid cursor: pass nextCursor from a previous page unchanged', [{ path: 'cursor', message: 'not a cursor this API issued' }], 'invalid_cursor');
  return result.data;
}

/**
 * The Idempotency-Key header of any endpoint that takes one: 1–255 characters, storable (it is
 * kept with the request's hash). Node's HTTP parser already refuses NUL in headers; the check
 * still runs so the rule does not depend on the transport.
 */
export function idempotencyKeyOf(req: { get(name: string): string | undefined }): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255 || !isStorableText(key)) {
    throw new InvalidInput('Idempotency-Key must be 1–255 storable characters', [{ path: 'Idempotency-Key', message: 'length 1–255, no NUL or unpaired surrogates' }]);
  }
  return key;
}

/** Fields a caller's role may not set, named one by one (the body is refused before defaults are applied). */
export function refuseFields(body: unknown, fields: readonly string[], why: string): void {
  if (body === null || typeof body !== 'object') return;
  const named = fields.filter((f) => Object.hasOwn(body, f));
  if (named.length) throw new InvalidInput(`${why}: ${named.join(', ')}`, named.map((path) => ({ path, message: why })));
}

/** The storable-text rule for callers that do not go through a schema (core/storable-text). */
export { refuseUnstorable } from '../../core/storable-text';

/**
 * JSON from another service's webhook (PagerDuty, Jira, Slack), after its signature is checked:
 * the sender retries a refusal for days and cannot fix its payload, so every string and key
 * is made storable rather than the delivery refused.
 */
export function parseInboundJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'string') return replaceUnstorable(value);
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => !isStorableText(k))) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [replaceUnstorable(k), v]));
    }
    return value;
  });
}
