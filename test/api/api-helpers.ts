/**
 * The API's fixtures, shared by the API, integration and browser tests (not a test file itself):
 * the one error shape, organizations, keys, tickets and their timelines, typed as the API answers.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { z } from 'zod';
import { apiKeyCreatedResponse, calendarResponse, commentResponse, errorResponse, incidentResponse, listOf, organizationResponse, slaPolicyResponse, ticketResponse } from '../../src/http/api/openapi/responses';
import { AROUND_THE_CLOCK } from '../support/ticket-fixtures';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import type { PacerHarness } from '../support/api-harness';

/** Anything `h.api` answers. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The error object of an answer, or undefined when its body is not `{"error": {...}}`. */
export function errorOf(body: unknown): { code?: unknown; message?: unknown; details?: unknown } | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const e = body.error;
  return typeof e === 'object' && e !== null ? e : undefined;
}

/**
 * The body of a successful answer, checked against the response schema the API documents and
 * typed by it. The body itself is returned (not zod's copy), so a test still sees every field.
 */
export function bodyOf<S extends z.ZodType>(res: ApiAnswer, schema: S, status = 200): z.output<S> {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  const checked = schema.safeParse(res.body);
  assert.ok(checked.success, `the answer is not the documented shape: ${checked.error?.message} in ${JSON.stringify(res.body)}`);
  return res.body as z.output<S>;
}

/** Asserts the one JSON error shape: {"error": {"code", "message", "details"?}} and nothing else. */
export function assertError(res: ApiAnswer, status: number, code?: string): ApiError {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body, 'object', `error body is not JSON: ${String(res.body)}`);
  assert.ok(typeof res.body === 'object' && res.body !== null, 'error body is null');
  assert.deepEqual(Object.keys(res.body), ['error'], `error body has extra keys: ${JSON.stringify(res.body)}`);
  const e = errorOf(res.body);
  assert.ok(e, `error body has no error object: ${JSON.stringify(res.body)}`);
  assert.equal(typeof e.code, 'string');
  assert.equal(typeof e.message, 'string');
  assert.ok(String(e.message).length > 0);
  for (const k of Object.keys(e)) assert.ok(['code', 'message', 'details'].includes(k), `unexpected error key ${k}`);
  if (e.details !== undefined) {
    assert.ok(Array.isArray(e.details));
    for (const d of e.details as unknown[]) {
      assert.ok(typeof d === 'object' && d !== null && 'path' in d && 'message' in d, `a detail lacks path or message: ${JSON.stringify(d)}`);
      assert.equal(typeof d.path, 'string');
      assert.equal(typeof d.message, 'string');
    }
  }
  if (code) assert.equal(e.code, code, `expected error code ${code}: ${JSON.stringify(res.body)}`);
  return e as ApiError;
}

/** The one error shape's inner object. */
export type ApiError = z.output<typeof errorResponse>['error'];

/** The detail paths of a 400. */
export function detailPaths(res: { body: unknown }): string[] {
  const details = errorOf(res.body)?.details;
  return Array.isArray(details) ? details.map((d: { path: string }) => d.path) : [];
}

export type Organization = z.output<typeof organizationResponse>;
export type Incident = z.output<typeof incidentResponse>;
export type Comment = z.output<typeof commentResponse>;
export type Calendar = z.output<typeof calendarResponse>;
export type SlaPolicy = z.output<typeof slaPolicyResponse>;
export type CreatedApiKey = z.output<typeof apiKeyCreatedResponse>;

export async function createOrg(h: PacerHarness, tier: string, name = `${tier} org ${crypto.randomBytes(3).toString('hex')}`): Promise<Organization> {
  return bodyOf(await h.api('/api/v1/organizations', { body: { name, tier } }), organizationResponse, 201);
}

export async function createKey(h: PacerHarness, role: 'admin' | 'agent' | 'customer', organizationId?: string): Promise<CreatedApiKey> {
  return bodyOf(await h.api('/api/v1/api-keys', { body: { name: `${role} key ${crypto.randomBytes(3).toString('hex')}`, role, ...(organizationId && { organizationId }) } }), apiKeyCreatedResponse, 201);
}

export interface NewTicket {
  subject?: string;
  description?: string;
  priority?: string;
  organizationId?: string;
  assignee?: string | null;
  requester?: { email: string; name?: string };
}

/** Opens a ticket through the API (as the admin unless a key is given) and answers its view. */
export async function createTicket(h: PacerHarness, t: NewTicket, key?: string): Promise<TicketView> {
  const res = await h.api('/api/v1/tickets', {
    key,
    body: { subject: 'Question about invoices', description: 'Where do I find them?', requester: { email: 'ann@example.com', name: 'Ann' }, ...t },
  });
  return bodyOf(res, ticketResponse, 201);
}

/** An instant's milliseconds since the epoch; NaN for null or absent (no such instant), so arithmetic on it fails its assertion. */
export const instantMs = (iso: string | null | undefined): number => (iso == null ? NaN : Date.parse(iso));

/** A ticket's comments as the API lists them (to the admin unless another key is given). */
export async function listComments(h: PacerHarness, ticketId: string, key?: string): Promise<Comment[]> {
  return bodyOf(await h.api(`/api/v1/tickets/${ticketId}/comments`, { key }), listOf(commentResponse)).data;
}

export async function listCalendars(h: PacerHarness): Promise<Calendar[]> {
  return bodyOf(await h.api('/api/v1/calendars'), listOf(calendarResponse)).data;
}

export async function listPolicies(h: PacerHarness): Promise<SlaPolicy[]> {
  return bodyOf(await h.api('/api/v1/sla-policies'), listOf(slaPolicyResponse)).data;
}

/** A UTC calendar open around the clock (unless other weekly hours are given), so SLA arithmetic in a test is plain minutes. */
export async function createCalendar(h: PacerHarness, name: string, weekly: Calendar['weekly'] = AROUND_THE_CLOCK): Promise<Calendar> {
  return bodyOf(await h.api('/api/v1/calendars', { body: { name, timezone: 'UTC', weekly, holidays: [] } }), calendarResponse, 201);
}

/** Adds an SLA policy (the fields a test does not name take the API's defaults). */
export async function createPolicy(h: PacerHarness, body: Record<string, unknown>): Promise<SlaPolicy> {
  return bodyOf(await h.api('/api/v1/sla-policies', { body }), slaPolicyResponse, 201);
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

/** Waits until each ticket's workflow has run its first task (its state answers a query). */
export async function ticketWorkflowsRunning(h: PacerHarness, ids: string[], timeoutMs = 30_000): Promise<void> {
  await eventually(async () => (await Promise.all(ids.map((id) => h.lifecycle.slaInputs(id)))).every((s) => s !== null), timeoutMs, 'every ticket workflow running');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
