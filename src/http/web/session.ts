/**
 * Sign-in state for the pages: the session cookie (HttpOnly, SameSite=Lax, Secure when the
 * request came over TLS — directly or, with `trust proxy`, through a proxy), the signed-in
 * user as the request's Principal, and the guards that keep staff pages from customers and
 * the portal from staff.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../../db/schema';
import { findSession, readCookie, SESSION_COOKIE, type Session } from '../../domain/users/sessions';
import { isStaff, principalOfUser } from '../../domain/users/users';
import { NotFound, Unauthenticated } from '../../core/errors';

declare module 'express-serve-static-core' {
  interface Request {
    webSession?: Session;
  }
}

interface CookieOptions {
  maxAgeSeconds?: number;
  httpOnly?: boolean;
}

export function setCookie(req: Request, res: Response, name: string, value: string, o: CookieOptions = {}): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax'];
  if (o.httpOnly !== false) parts.push('HttpOnly');
  if (req.secure) parts.push('Secure');
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  res.append('Set-Cookie', parts.join('; '));
}

export const clearCookie = (req: Request, res: Response, name: string) => setCookie(req, res, name, '', { maxAgeSeconds: 0 });

export function loadSession(db: Db): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = readCookie(req.get('cookie'), SESSION_COOKIE);
    if (token) {
      const session = await findSession(db, token);
      if (session) {
        req.webSession = session;
        req.principal = principalOfUser(session.user);
      }
    }
    next();
  };
}

export function sessionOf(req: Request): Session {
  if (!req.webSession) throw new Unauthenticated('sign in first');
  return req.webSession;
}

const toLogin = (req: Request, res: Response) => res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);

/** Console pages: agents, managers, admins. A customer is sent to the portal. */
export const requireStaff: RequestHandler = (req, res, next) => {
  if (!req.webSession) return toLogin(req, res);
  if (!isStaff(req.webSession.user)) {
    if (req.method === 'GET') return res.redirect(303, '/portal');
    return next(new NotFound('page', 'no such page'));
  }
  next();
};

/** Admin pages: admins (and managers, read-only where they may not write). */
export const requireManager: RequestHandler = (req, _res, next) => {
  const role = req.webSession?.user.role;
  if (role !== 'admin' && role !== 'manager') return next(new NotFound('page', 'no such page'));
  next();
};

/** Portal pages: customers. Staff have the console. */
export const requireCustomer: RequestHandler = (req, res, next) => {
  if (!req.webSession) return toLogin(req, res);
  if (isStaff(req.webSession.user)) return res.redirect(303, '/console');
  next();
};
