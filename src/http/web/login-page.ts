/**
 * Sign-in and sign-out. A wrong password and an unknown account look the same (and take
 * the same scrypt time); 5 failures for one account from one address in 15 minutes lock
 * that pair out (429) for the rest of the window.
 */
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/schema';
import { clearFailures, isLockedOut, recordFailure, WINDOW_MINUTES } from '../../domain/users/login-limiter';
import { decoyHash, verifyPassword } from '../../domain/users/password';
import { createSession, endSession, readCookie, SESSION_COOKIE, SESSION_HOURS } from '../../domain/users/sessions';
import { isStaff } from '../../domain/users/users';
import { csrfField, issueLoginCsrf, loginCsrfMatches, LOGIN_CSRF_COOKIE } from './csrf';
import { html } from './html';
import { page } from './layout';
import { clearCookie, setCookie } from './session';
import { findUserByEmail } from '../../db/repositories/users';
import { afterSignOut, type AgentStatusListener } from '../../domain/routing/agent-status';
import type { Logger } from '../../core/logger';

/** Only same-site paths: an open redirect would make the sign-in page a phishing tool. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/[^/\\]/.test(next) ? next : null);

function loginForm(res: Response, o: { next: string | null; email?: string; error?: string }) {
  return page({
    title: 'Sign in',
    error: o.error,
    body: html`<section class="card narrow">
<h1>Sign in to Pacer</h1>
<form method="post" action="/login" class="stack">
  ${csrfField(String(res.locals.loginCsrf ?? ''))}
  ${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ''}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${o.email ?? ''}" autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" class="primary">Sign in</button>
</form>
</section>`,
  }).value;
}

export function loginRoutes(db: Db, deps: { agentStatus: AgentStatusListener; log: Logger }): Router {
  const r = Router();

  r.get('/login', issueLoginCsrf, (req, res) => {
    if (req.webSession) return res.redirect(303, isStaff(req.webSession.user) ? '/console' : '/portal');
    res.type('html').send(loginForm(res, { next: safeNext(req.query.next) }));
  });

  r.post('/login', async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const again = (status: number, error: string) =>
      issueLoginCsrf(req, res, () => res.status(status).type('html').send(loginForm(res, { next, email, error })));
    if (!loginCsrfMatches(req.get('cookie'), body._csrf)) return again(403, 'This sign-in form has expired. Please try again.');
    if (!email || !password) return again(400, 'Enter your email and password.');
    const ip = req.ip ?? 'unknown';
    if (await isLockedOut(db, email, ip)) {
      res.set('Retry-After', String(WINDOW_MINUTES * 60));
      return again(429, `Too many failed sign-ins. Try again in ${WINDOW_MINUTES} minutes.`);
    }
    const user = await findUserByEmail(db, email);
    const ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
    if (!user || !ok || user.disabled_at !== null) {
      await recordFailure(db, email, ip);
      return again(401, 'Wrong email or password.');
    }
    await clearFailures(db, email, ip);
    const { token } = await createSession(db, user.id);
    setCookie(req, res, SESSION_COOKIE, token, { maxAgeSeconds: SESSION_HOURS * 3600 });
    clearCookie(req, res, LOGIN_CSRF_COOKIE);
    res.redirect(303, next ?? (isStaff(user) ? '/console' : '/portal'));
  });

  // Behind checkCsrf: another site cannot sign people out either.
  r.post('/logout', async (req, res) => {
    const token = readCookie(req.get('cookie'), SESSION_COOKIE);
    if (token) await endSession(db, token);
    clearCookie(req, res, SESSION_COOKIE);
    // Signing out of the last session is leaving: routing stops handing the agent tickets.
    // The sign-out itself stands even if routing cannot be told now (it re-reads on its next plan).
    const userId = req.webSession?.user.id;
    if (userId) await afterSignOut(db, deps.agentStatus, userId).catch((err: unknown) => deps.log.warn({ err, userId }, 'sign-out: could not set the agent offline'));
    res.redirect(303, '/login');
  });

  r.get('/', (req, res) => {
    if (!req.webSession) return res.redirect(303, '/login');
    res.redirect(303, isStaff(req.webSession.user) ? '/console' : '/portal');
  });
  return r;
}
