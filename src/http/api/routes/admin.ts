/**
 * CRUD for the settings administrators own: organizations, business calendars, SLA
 * policies, webhook subscriptions and API keys. Agents may read settings; customers may not
 * touch them (a customer may read its own organization).
 */
import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema';
import type { TicketService } from '../../../domain/tickets/ticket-service';
import { generateApiKey, hashApiKey, principalOf, requireRole, type ApiKeyCache } from '../../kit/auth';
import { ApiError } from '../../kit/errors';
import { safeString, text, uuid } from '../../kit/schemas';
import { webhookUrlProblem } from '../../../domain/webhooks/url-guard';
import { calendarSchema, deleteCalendar, insertCalendar, insertPolicy, policySchema, updateCalendar, updatePolicy } from '../../../domain/settings/sla-settings';
import { parse } from '../../kit/validation';
import { ROLES } from '../../../core/principal';
import { isUniqueViolation, isFkViolation } from '../../../db/pg-errors';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
const idOf = (req: Request) => parse(uuid, req.params.id, 'params');

// PATCH schemas are built from the fields without defaults: a default would overwrite what the PATCH does not name.
const orgFields = { name: text(200), tier: safeString().min(1).max(100), emailDomains: z.array(safeString().min(1).max(253)).max(100) };
export const orgSchema = z.strictObject({ ...orgFields, emailDomains: orgFields.emailDomains.default([]) });
export const orgPatchSchema = z.strictObject(orgFields).partial().refine((v) => Object.keys(v).length > 0, 'nothing to change');
const webhookFields = {
  url: z.url({ protocol: /^https?$/ }).max(2_000).regex(/^[\x21-\x7e]+$/, 'printable ASCII only (percent-encode the rest)'),
  eventTypes: z.array(safeString().min(1).max(100)).min(1).max(50),
  secret: safeString().min(16).max(200),
  active: z.boolean(),
};
export const webhookSchema = z.strictObject({
  ...webhookFields,
  eventTypes: webhookFields.eventTypes.default(['*']),
  secret: webhookFields.secret.optional(),
  active: webhookFields.active.default(true),
});
export const webhookPatchSchema = z.strictObject(webhookFields).partial().refine((v) => Object.keys(v).length > 0, 'nothing to change');
export const keySchema = z
  .strictObject({ name: text(200), role: z.enum(ROLES), organizationId: uuid.optional() })
  .refine((k) => (k.role === 'customer') === (k.organizationId !== undefined), { message: 'customer keys need an organizationId; other roles must not have one', path: ['organizationId'] });

export function adminRoutes(db: Kysely<Database>, tickets: TicketService, keyCache: ApiKeyCache, opts: { allowPrivateWebhooks?: boolean } = {}): Router {
  const r = Router();
  const readers = requireRole('admin', 'agent');
  // Intake caches organization and policy lookups; any settings write here invalidates them.
  r.use((req, res, next) => {
    if (req.method !== 'GET') res.on('finish', () => tickets.settingsCache.clear());
    next();
  });
  const admin = requireRole('admin');
  /** Loopback, link-local and private destinations are refused here and again at each delivery (DNS can change). */
  const checkWebhookUrl = async (url: string | undefined) => {
    if (url === undefined) return;
    const problem = await webhookUrlProblem(url, { allowPrivate: opts.allowPrivateWebhooks === true });
    if (problem) throw new ApiError(400, 'validation_failed', `webhook URL refused: ${problem}`, [{ path: 'url', message: `${problem} (PACER_WEBHOOK_ALLOW_PRIVATE=true allows it)` }]);
  };

  // ── organizations ────────────────────────────────────────────────
  const orgView = (o: { id: string; name: string; tier: string; email_domains: string[]; created_at: Date; updated_at: Date }) => ({
    id: o.id, name: o.name, tier: o.tier, emailDomains: o.email_domains, createdAt: iso(o.created_at), updatedAt: iso(o.updated_at),
  });
  const countOpenTickets = async (organizationId: string) =>
    Number((await db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', organizationId).where('status', 'not in', ['closed', 'cancelled']).executeTakeFirstOrThrow()).n);
  const requireTier = async (tier: string) => {
    if (!(await db.selectFrom('tiers').select('name').where('name', '=', tier).executeTakeFirst())) {
      throw new ApiError(400, 'validation_failed', `unknown tier "${tier}"`, [{ path: 'tier', message: 'unknown tier' }]);
    }
  };
  r.get('/tiers', async (_req, res) => res.json({ data: await db.selectFrom('tiers').selectAll().orderBy('rank').execute() }));
  r.get('/priorities', async (_req, res) => res.json({ data: await db.selectFrom('priorities').selectAll().orderBy('rank').execute() }));
  r.get('/organizations', async (req, res) => {
    const p = principalOf(req);
    let q = db.selectFrom('organizations').selectAll().orderBy('name');
    if (p.role === 'customer') q = q.where('id', '=', p.organizationId!);
    res.json({ data: (await q.execute()).map(orgView) });
  });
  r.get('/organizations/:id', async (req, res) => {
    const p = principalOf(req);
    const id = idOf(req);
    if (p.role === 'customer' && id !== p.organizationId) throw ApiError.notFound('organization');
    const o = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!o) throw ApiError.notFound('organization');
    res.json(orgView(o));
  });
  r.post('/organizations', admin, async (req, res) => {
    const body = parse(orgSchema, req.body);
    await requireTier(body.tier);
    try {
      const o = await db
        .insertInto('organizations')
        .values({ id: crypto.randomUUID(), name: body.name, tier: body.tier, email_domains: JSON.stringify(body.emailDomains) })
        .returningAll()
        .executeTakeFirstOrThrow();
      res.status(201).json(orgView(o));
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError(409, 'conflict', `an organization named "${body.name}" exists`);
      throw err;
    }
  });
  r.patch('/organizations/:id', admin, async (req, res) => {
    const id = idOf(req);
    const body = parse(orgPatchSchema, req.body);
    if (body.tier) await requireTier(body.tier);
    const before = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!before) throw ApiError.notFound('organization');
    const o = await db
      .updateTable('organizations')
      .set({ ...(body.name && { name: body.name }), ...(body.tier && { tier: body.tier }), ...(body.emailDomains && { email_domains: JSON.stringify(body.emailDomains) }), updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((err) => {
        if (isUniqueViolation(err)) throw new ApiError(409, 'conflict', 'an organization with that name exists');
        throw err;
      });
    // A tier change re-targets the clocks of every open ticket of the organization, through a rollout.
    const tierChanged = body.tier !== undefined && body.tier !== before.tier;
    const open = tierChanged ? await countOpenTickets(id) : 0;
    const rolloutId = tierChanged ? await tickets.rollouts.start('organization_tier', id, 0, principalOf(req).name) : null;
    res.json({ ...orgView(o), retargetedTickets: open, ...(rolloutId && { rolloutId }) });
  });
  r.delete('/organizations/:id', admin, async (req, res) => {
    const id = idOf(req);
    try {
      const d = await db.deleteFrom('organizations').where('id', '=', id).executeTakeFirst();
      if (d.numDeletedRows === 0n) throw ApiError.notFound('organization');
    } catch (err) {
      if (isFkViolation(err)) throw new ApiError(409, 'in_use', 'the organization still has tickets or keys');
      throw err;
    }
    res.status(204).end();
  });

  // ── calendars ────────────────────────────────────────────────────
  // Schemas and writes live in settings/sla-settings, shared with the console's admin forms.
  const cache = tickets.settingsCache;
  const calendarView = (c: { id: string; name: string; timezone: string; weekly: unknown; holidays: string[]; created_at: Date; updated_at: Date }) => ({
    id: c.id, name: c.name, timezone: c.timezone, weekly: c.weekly, holidays: c.holidays, createdAt: iso(c.created_at), updatedAt: iso(c.updated_at),
  });
  r.get('/calendars', readers, async (_req, res) => res.json({ data: (await db.selectFrom('calendars').selectAll().orderBy('name').execute()).map(calendarView) }));
  r.get('/calendars/:id', readers, async (req, res) => {
    const c = await db.selectFrom('calendars').selectAll().where('id', '=', idOf(req)).executeTakeFirst();
    if (!c) throw ApiError.notFound('calendar');
    res.json(calendarView(c));
  });
  r.post('/calendars', admin, async (req, res) => {
    res.status(201).json(calendarView(await insertCalendar(db, cache, parse(calendarSchema, req.body))));
  });
  r.put('/calendars/:id', admin, async (req, res) => {
    const body = parse(calendarSchema, req.body);
    const c = await updateCalendar(db, cache, idOf(req), body, { rollouts: tickets.rollouts, by: principalOf(req).name });
    res.json({ ...calendarView(c), rolloutId: c.rolloutId });
  });
  r.delete('/calendars/:id', admin, async (req, res) => {
    await deleteCalendar(db, cache, idOf(req));
    res.status(204).end();
  });

  // ── SLA policies ─────────────────────────────────────────────────
  type PolicyRow = Awaited<ReturnType<typeof findPolicy>>;
  const findPolicy = (id: string) => db.selectFrom('sla_policies').selectAll().where('id', '=', id).executeTakeFirst();
  const policyView = (p: NonNullable<PolicyRow>) => ({
    id: p.id, name: p.name, tier: p.tier, priority: p.priority, calendarId: p.calendar_id,
    firstResponseMinutes: p.first_response_minutes, resolutionMinutes: p.resolution_minutes,
    pauseOn: p.pause_on, escalations: p.escalations, autoCloseDays: p.auto_close_days, pauseOnIncident: p.pause_on_incident,
    nextReplyMinutes: p.next_reply_minutes, nextReplyEscalations: p.next_reply_escalations,
    updateEveryMinutes: p.update_every_minutes, updateEscalations: p.update_escalations,
    createdAt: iso(p.created_at), updatedAt: iso(p.updated_at),
  });
  r.get('/sla-policies', readers, async (_req, res) =>
    res.json({ data: (await db.selectFrom('sla_policies').selectAll().orderBy('tier').orderBy('priority').execute()).map(policyView) }),
  );
  r.get('/sla-policies/:id', readers, async (req, res) => {
    const p = await findPolicy(idOf(req));
    if (!p) throw ApiError.notFound('SLA policy');
    res.json(policyView(p));
  });
  r.post('/sla-policies', admin, async (req, res) => {
    res.status(201).json(policyView(await insertPolicy(db, cache, parse(policySchema, req.body))));
  });
  r.put('/sla-policies/:id', admin, async (req, res) => {
    const body = parse(policySchema, req.body);
    const p = await updatePolicy(db, cache, idOf(req), body, { rollouts: tickets.rollouts, by: principalOf(req).name });
    res.json({ ...policyView(p), rolloutId: p.rolloutId });
  });
  r.delete('/sla-policies/:id', admin, async (req, res) => {
    const d = await db.deleteFrom('sla_policies').where('id', '=', idOf(req)).executeTakeFirst();
    if (d.numDeletedRows === 0n) throw ApiError.notFound('SLA policy');
    res.status(204).end();
  });

  // ── webhook subscriptions ────────────────────────────────────────
  const webhookView = (w: { id: string; url: string; event_types: string[]; active: boolean; created_at: Date }) => ({
    id: w.id, url: w.url, eventTypes: w.event_types, active: w.active, createdAt: iso(w.created_at),
  });
  r.get('/webhooks', admin, async (_req, res) => res.json({ data: (await db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').execute()).map(webhookView) }));
  r.post('/webhooks', admin, async (req, res) => {
    const body = parse(webhookSchema, req.body);
    await checkWebhookUrl(body.url);
    const secret = body.secret ?? crypto.randomBytes(32).toString('base64url');
    const w = await db
      .insertInto('webhook_subscriptions')
      .values({ id: crypto.randomUUID(), url: body.url, secret, event_types: JSON.stringify(body.eventTypes), active: body.active })
      .returningAll()
      .executeTakeFirstOrThrow();
    // The secret is shown once, here.
    res.status(201).json({ ...webhookView(w), secret });
  });
  r.get('/webhooks/:id', admin, async (req, res) => {
    const w = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', idOf(req)).executeTakeFirst();
    if (!w) throw ApiError.notFound('webhook subscription');
    res.json(webhookView(w));
  });
  r.patch('/webhooks/:id', admin, async (req, res) => {
    const body = parse(webhookPatchSchema, req.body);
    await checkWebhookUrl(body.url);
    const w = await db
      .updateTable('webhook_subscriptions')
      .set({ ...(body.url && { url: body.url }), ...(body.eventTypes && { event_types: JSON.stringify(body.eventTypes) }), ...(body.secret && { secret: body.secret }), ...(body.active !== undefined && { active: body.active }) })
      .where('id', '=', idOf(req))
      .returningAll()
      .executeTakeFirst();
    if (!w) throw ApiError.notFound('webhook subscription');
    res.json(webhookView(w));
  });
  r.delete('/webhooks/:id', admin, async (req, res) => {
    const d = await db.deleteFrom('webhook_subscriptions').where('id', '=', idOf(req)).executeTakeFirst();
    if (d.numDeletedRows === 0n) throw ApiError.notFound('webhook subscription');
    res.status(204).end();
  });

  // ── API keys ─────────────────────────────────────────────────────
  const keyView = (k: { id: string; name: string; role: string; organization_id: string | null; key_prefix: string; created_at: Date; revoked_at: Date | null }) => ({
    id: k.id, name: k.name, role: k.role, organizationId: k.organization_id, prefix: k.key_prefix, createdAt: iso(k.created_at), revokedAt: iso(k.revoked_at),
  });
  r.get('/api-keys', admin, async (_req, res) => res.json({ data: (await db.selectFrom('api_keys').selectAll().orderBy('created_at').execute()).map(keyView) }));
  r.post('/api-keys', admin, async (req, res) => {
    const body = parse(keySchema, req.body);
    if (body.organizationId && !(await db.selectFrom('organizations').select('id').where('id', '=', body.organizationId).executeTakeFirst())) {
      throw new ApiError(400, 'validation_failed', 'unknown organization', [{ path: 'organizationId', message: 'no such organization' }]);
    }
    const key = generateApiKey(body.role);
    const k = await db
      .insertInto('api_keys')
      .values({ id: crypto.randomUUID(), name: body.name, role: body.role, organization_id: body.organizationId ?? null, key_hash: hashApiKey(key), key_prefix: key.slice(0, 16) })
      .returningAll()
      .executeTakeFirstOrThrow();
    // The key itself is shown once, here; only its hash is stored.
    res.status(201).json({ ...keyView(k), key });
  });
  r.delete('/api-keys/:id', admin, async (req, res) => {
    const k = await db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', idOf(req)).where('revoked_at', 'is', null).returningAll().executeTakeFirst();
    if (!k) throw ApiError.notFound('API key');
    keyCache.clear();
    res.json(keyView(k));
  });

  return r;
}
