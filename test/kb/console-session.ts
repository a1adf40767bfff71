/**
 * A signed-in person for the console and help-centre page tests: a real user and session,
 * the CSRF token read from the page as a browser would, and url-encoded form posts.
 */
import assert from 'node:assert/strict';
import { createSession, SESSION_COOKIE } from '../../src/domain/users/sessions';
import { createUser } from '../../src/domain/users/users';
import type { KbHarness } from './kb-harness';

export interface PageAnswer {
  status: number;
  text: string;
  location: string | null;
}

export interface Browsing {
  cookie: string;
  get(path: string): Promise<PageAnswer>;
  /** Posts the fields (repeated names as arrays) with the page's CSRF token unless `_csrf` is given. */
  post(path: string, fields: Record<string, string | string[]>): Promise<PageAnswer>;
}

async function fetchPage(url: string, init: RequestInit): Promise<PageAnswer> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, text: await res.text(), location: res.headers.get('location') };
}

export function formBody(fields: Record<string, string | string[]>): string {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return body.toString();
}

export function browsing(h: Pick<KbHarness, 'baseUrl'>, cookie: string, csrf: string | null): Browsing {
  return {
    cookie,
    get: (path) => fetchPage(h.baseUrl + path, { headers: { cookie } }),
    post: (path, fields) =>
      fetchPage(h.baseUrl + path, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(csrf === null || '_csrf' in fields ? fields : { _csrf: csrf, ...fields }) }),
  };
}

export async function signedIn(h: Pick<KbHarness, 'baseUrl' | 'database'>, role: 'admin' | 'agent' | 'manager' | 'customer', email: string, organizationId: string | null = null): Promise<Browsing & { userId: string }> {
  const user = await createUser(h.database.db, { email, name: `${role} ${email}`, role, organizationId, password: 'correct horse battery staple' });
  const cookie = `${SESSION_COOKIE}=${(await createSession(h.database.db, user.id)).token}`;
  const landing = await fetchPage(`${h.baseUrl}/help`, { headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(landing.text)?.[1];
  assert.ok(csrf, 'the page carries the session CSRF token');
  return { ...browsing(h, cookie, csrf), userId: user.id };
}
