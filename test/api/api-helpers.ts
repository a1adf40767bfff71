/** Small helpers shared by the API tests (not a test file itself). */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { PacerHarness } from '../support/api-harness';

/** Asserts the one JSON error shape: {"error": {"code", "message", "details"?}} and nothing else. */
export function assertError(res: { status: number; body: any }, status: number, code?: string): { code: string; message: string; details?: Array<{ path: string; message: string }> } {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body, 'object', `error body is not JSON: ${String(res.body)}`);
  assert.deepEqual(Object.keys(res.body), ['error'], `error body has extra keys: ${JSON.stringify(res.body)}`);
  const e = res.body.error;
  assert.equal(typeof e.code, 'string');
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  for (const k of Object.keys(e)) assert.ok(['code', 'message', 'details'].includes(k), `unexpected error key ${k}`);
  if (e.details !== undefined) {
    assert.ok(Array.isArray(e.details));
    for (const d of e.details) {
      assert.equal(typeof d.path, 'string');
      assert.equal(typeof d.message, 'string');
    }
  }
  if (code) assert.equal(e.code, code, `expected error code ${code}: ${JSON.stringify(res.body)}`);
  return e;
}

/** The detail paths of a 400. */
export function detailPaths(res: { body: any }): string[] {
  return (res.body?.error?.details ?? []).map((d: { path: string }) => d.path);
}

export async function createOrg(h: PacerHarness, tier: string, name = `${tier} org ${crypto.randomBytes(3).toString('hex')}`): Promise<{ id: string; name: string; tier: string }> {
  const res = await h.api('/api/v1/organizations', { body: { name, tier } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

export async function createKey(h: PacerHarness, role: 'admin' | 'agent' | 'customer', organizationId?: string): Promise<{ id: string; key: string }> {
  const res = await h.api('/api/v1/api-keys', { body: { name: `${role} key ${crypto.randomBytes(3).toString('hex')}`, role, ...(organizationId && { organizationId }) } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

export interface NewTicket {
  subject?: string;
  description?: string;
  priority?: string;
  organizationId?: string;
  assignee?: string | null;
  requester?: { email: string; name?: string };
}

export async function createTicket(h: PacerHarness, t: NewTicket, key?: string): Promise<any> {
  const res = await h.api('/api/v1/tickets', {
    key,
    body: { subject: 'Question about invoices', description: 'Where do I find them?', requester: { email: 'ann@example.com', name: 'Ann' }, ...t },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

export async function ticketCount(h: PacerHarness): Promise<number> {
  const row = await h.database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
