/**
 * Jira Cloud's admin webhooks cannot sign their deliveries, so Pacer's webhook URL carries a
 * shared secret (`?secret=`, or the X-Pacer-Webhook-Secret header from a proxy or Jira
 * Automation). Compared in constant time: both sides are hashed first, so neither the
 * secret's content nor its length leaks through timing.
 */
import crypto from 'node:crypto';

export const SECRET_HEADER = 'x-pacer-webhook-secret';

export function secretMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = crypto.createHash('sha256').update(expected, 'utf8').digest();
  const b = crypto.createHash('sha256').update(given, 'utf8').digest();
  return crypto.timingSafeEqual(a, b);
}
