/**
 * Survey links that work without signing in: `<ticket id>.<expiry, epoch seconds>.<HMAC-SHA256>`,
 * signed with the server's CSAT secret (PACER_CSAT_SECRET, or the one Pacer generated and keeps
 * in the database). Whoever holds the link may rate that one ticket until it expires; a link
 * with any character changed, or past its expiry, is refused.
 */
import crypto from 'node:crypto';
import type { Db } from '../../db/schema';
import { serverSecret } from '../../db/repositories/csat-surveys';
import { CANONICAL_UUID } from '../../core/uuid';

const SECRET_NAME = 'csat-link';

/** The link key: the configured one, else the database's (generated once, shared by every process). */
export class SurveyLinks {
  private secret: Promise<string> | null;

  constructor(
    private readonly db: Db,
    configured: string | undefined,
    private readonly publicUrl: string,
  ) {
    this.secret = configured ? Promise.resolve(configured) : null;
  }

  private key(): Promise<string> {
    this.secret ??= serverSecret(this.db, SECRET_NAME).catch((err: unknown) => {
      this.secret = null;
      throw err;
    });
    return this.secret;
  }

  async token(ticketId: string, expiresAt: Date): Promise<string> {
    const exp = Math.floor(expiresAt.getTime() / 1000);
    return `${ticketId}.${exp}.${sign(await this.key(), ticketId, exp)}`;
  }

  async url(ticketId: string, expiresAt: Date): Promise<string> {
    return `${this.publicUrl.replace(/\/+$/, '')}/csat/${await this.token(ticketId, expiresAt)}`;
  }

  /** The ticket a link is for, or why it is refused. */
  async check(token: string, now: number): Promise<{ ticketId: string; expiresAt: Date } | 'invalid' | 'expired'> {
    const [ticketId, expText, mac, ...rest] = token.split('.');
    if (rest.length > 0 || !ticketId || !CANONICAL_UUID.test(ticketId) || !expText || !/^\d{1,12}$/.test(expText) || !mac) return 'invalid';
    const exp = Number(expText);
    const expected = Buffer.from(sign(await this.key(), ticketId, exp));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'invalid';
    if (exp * 1000 <= now) return 'expired';
    return { ticketId, expiresAt: new Date(exp * 1000) };
  }
}

function sign(secret: string, ticketId: string, exp: number): string {
  return crypto.createHmac('sha256', secret).update(`csat-survey:${ticketId}:${exp}`).digest('base64url');
}
