/**
 * PagerDuty webhook v3 signatures: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, each a
 * lowercase-hex HMAC-SHA256 of the raw body. While a secret is rotated PagerDuty sends one
 * entry per secret; the delivery is genuine if any entry matches ours. Compared in constant
 * time so a forger learns nothing from response times.
 */
import crypto from 'node:crypto';

const ENTRY = /^v1=([0-9a-f]{64})$/;

export function verifyPagerDutySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = crypto.createHmac('sha256', secret).update(rawBody).digest();
  let valid = false;
  for (const part of header.split(',')) {
    const m = ENTRY.exec(part.trim());
    // Every entry is checked (no early exit), so timing does not reveal which one matched.
    if (m && crypto.timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected)) valid = true;
  }
  return valid;
}
