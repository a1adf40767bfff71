/**
 * Sign-in sessions. The cookie carries a random token; PostgreSQL keeps only its SHA-256
 * (a stolen table is no session), the user, an expiry, and the session's CSRF token, which
 * every cookie-authenticated write must echo (a hidden form field or the X-CSRF-Token header).
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../../db/schema';

export const SESSION_COOKIE = 'pacer_session';
export const SESSION_HOURS = 12;

export interface Session {
  user: UserRow;
  csrfToken: string;
  tokenHash: string;
}

const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export async function createSession(db: Kysely<Database>, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3_600_000);
  await db.insertInto('sessions').values({ token_hash: hashToken(token), user_id: userId, csrf_token: crypto.randomBytes(24).toString('base64url'), expires_at: expiresAt }).execute();
  // Expired sessions are refused anyway; clear them now and then rather than keep a janitor.
  if (Math.random() < 0.05) await db.deleteFrom('sessions').where('expires_at', '<', new Date()).execute();
  return { token, expiresAt };
}

export async function findSession(db: Kysely<Database>, token: string): Promise<Session | null> {
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.csrf_token', 'sessions.expires_at'])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || new Date(row.expires_at).getTime() <= Date.now() || row.disabled_at !== null) return null;
  const { csrf_token, expires_at: _expires, ...user } = row;
  return { user, csrfToken: csrf_token, tokenHash };
}

export async function endSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

export function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** The value of one cookie from a Cookie header (no dependency needed for this much). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
