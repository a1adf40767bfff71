/**
 * CSRF protection for form posts. Every page form carries the session's token in a hidden
 * `_csrf` field; every cookie-authenticated non-GET is refused (403) unless it matches. The
 * sign-in form has no session yet, so it uses a double-submit cookie instead.
 */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { readCookie, sameToken } from '../../domain/users/sessions';
import { html, type SafeHtml } from './html';
import { setCookie } from './session';
import { Forbidden } from '../../core/errors';

export const LOGIN_CSRF_COOKIE = 'pacer_login_csrf';

export const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}">`;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Checks the hidden field (or the X-CSRF-Token header) against the session's token. */
export const checkCsrf: RequestHandler = (req, _res, next) => {
  if (SAFE.has(req.method) || !req.webSession) return next();
  const given = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
  if (!sameToken(typeof given === 'string' ? given : undefined, req.webSession.csrfToken)) {
    return next(new Forbidden('This form has expired or did not come from Pacer. Reload the page and try again.', 'csrf_failed'));
  }
  next();
};

/** A fresh double-submit token for the sign-in form. */
export const issueLoginCsrf: RequestHandler = (req, res, next) => {
  const token = crypto.randomBytes(24).toString('base64url');
  setCookie(req, res, LOGIN_CSRF_COOKIE, token, { maxAgeSeconds: 3600 });
  res.locals.loginCsrf = token;
  next();
};

export function loginCsrfMatches(cookieHeader: string | undefined, field: unknown): boolean {
  const cookie = readCookie(cookieHeader, LOGIN_CSRF_COOKIE);
  return cookie !== undefined && cookie.length > 0 && sameToken(typeof field === 'string' ? field : undefined, cookie);
}
