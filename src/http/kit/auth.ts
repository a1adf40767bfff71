/**
 * Bearer API keys. Keys are stored as SHA-256 hashes (they are random, so a plain hash is
 * enough) and shown once at creation. Roles: admin, agent, customer; a customer key is
 * bound to one organization and the routes scope everything it sees to that organization.
 * A request without an Authorization header may instead carry a console sign-in cookie.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../../db/schema';
import { TtlCache } from '../../core/ttl-cache';
import { findSession, readCookie, sameToken, SESSION_COOKIE } from '../../domain/users/sessions';
import { principalOfUser } from '../../domain/users/users';
import type { Role, Principal } from '../../core/principal';
import { findLiveKeyByHash } from '../../db/repositories/api-keys';
import { Forbidden, Unauthenticated } from '../../core/errors';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(role: Role): string {
  return `pacer_${role}_${crypto.randomBytes(24).toString('base64url')}`;
}

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/**
 * Known keys, remembered briefly so a busy client costs no query per request. A revocation
 * through this process clears it at once; other API processes notice within the TTL (5 s).
 */
export class ApiKeyCache extends TtlCache<Principal> {}

export function authenticate(db: Db, adminApiKey: string | undefined, cache = new ApiKeyCache()): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const header = req.get('authorization') ?? '';
      const sessionToken = header === '' ? readCookie(req.get('cookie'), SESSION_COOKIE) : undefined;
      if (sessionToken !== undefined) {
        // The console's own script calls the API with the sign-in cookie; a write must carry
        // the session's CSRF token in X-CSRF-Token, which another site cannot read or set.
        const session = await findSession(db, sessionToken);
        if (!session) throw new Unauthenticated('the session has ended; sign in again');
        if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !sameToken(req.get('x-csrf-token'), session.csrfToken)) {
          throw new Forbidden('a cookie-authenticated write needs the X-CSRF-Token header', 'csrf_failed');
        }
        req.principal = principalOfUser(session.user);
        return next();
      }
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new Unauthenticated('send "Authorization: Bearer <api key>"');
      const key = match[1]!;
      if (adminApiKey && sameSecret(key, adminApiKey)) {
        req.principal = { role: 'admin', keyId: null, name: 'admin (PACER_ADMIN_API_KEY)', organizationId: null };
        return next();
      }
      const hash = hashApiKey(key);
      const cached = cache.get(hash);
      if (cached) {
        req.principal = cached;
        return next();
      }
      const row = await findLiveKeyByHash(db, hash);
      if (!row) throw new Unauthenticated('unknown or revoked API key');
      req.principal = { role: row.role as Role, keyId: row.id, name: row.name, organizationId: row.organization_id };
      cache.set(hash, req.principal);
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Unauthenticated('not signed in');
  return req.principal;
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const p = principalOf(req);
    if (!roles.includes(p.role)) return next(new Forbidden(`this needs one of the roles: ${roles.join(', ')}`));
    next();
  };
}
