/**
 * Outbound webhook signatures. Each delivery carries:
 *   Pacer-Timestamp: <unix seconds>
 *   Pacer-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * Receivers recompute the HMAC over the exact bytes received, compare in constant time,
 * and reject timestamps older than their tolerance (we suggest 5 minutes) to stop replays.
 */
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'pacer-signature';
export const TIMESTAMP_HEADER = 'pacer-timestamp';
export const EVENT_ID_HEADER = 'pacer-event-id';
export const DELIVERY_ID_HEADER = 'pacer-delivery-id';

export function signPayload(secret: string, timestamp: number, body: string): string {
  return 'v1=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function verifySignature(secret: string, timestamp: number, body: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  return header.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}
