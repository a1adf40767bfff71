/** Outbound webhook subscriptions (admins only); a subscription's secret is shown once, at creation. */
import crypto from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { Db, WebhookSubscriptionRow } from '../../../db/schema';
import { deleteWebhook, findWebhook, insertWebhook, listWebhooks, updateWebhook } from '../../../db/repositories/webhook-subscriptions';
import { webhookUrlProblem } from '../../../domain/webhooks/url-guard';
import { requireRole } from '../../kit/auth';
import { safeString } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import { idOf, iso } from './settings-params';
import { InvalidInput, NotFound } from '../../../core/errors';

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

const webhookView = (w: WebhookSubscriptionRow) => ({
  id: w.id, url: w.url, eventTypes: w.event_types, active: w.active, createdAt: iso(w.created_at),
});

export function webhookRoutes(db: Db, opts: { allowPrivateWebhooks?: boolean } = {}): Router {
  const r = Router();
  const admin = requireRole('admin');
  /** Loopback, link-local and private destinations are refused here and again at each delivery (DNS can change). */
  const checkWebhookUrl = async (url: string | undefined) => {
    if (url === undefined) return;
    const problem = await webhookUrlProblem(url, { allowPrivate: opts.allowPrivateWebhooks === true });
    if (problem) throw new InvalidInput(`webhook URL refused: ${problem}`, [{ path: 'url', message: `${problem} (PACER_WEBHOOK_ALLOW_PRIVATE=true allows it)` }]);
  };
  r.get('/webhooks', admin, async (_req, res) => res.json({ data: (await listWebhooks(db)).map(webhookView) }));
  r.post('/webhooks', admin, async (req, res) => {
    const body = parse(webhookSchema, req.body);
    await checkWebhookUrl(body.url);
    const secret = body.secret ?? crypto.randomBytes(32).toString('base64url');
    const w = await insertWebhook(db, { ...body, secret });
    // The secret is shown once, here.
    res.status(201).json({ ...webhookView(w), secret });
  });
  r.get('/webhooks/:id', admin, async (req, res) => {
    const w = await findWebhook(db, idOf(req));
    if (!w) throw new NotFound('webhook subscription');
    res.json(webhookView(w));
  });
  r.patch('/webhooks/:id', admin, async (req, res) => {
    const body = parse(webhookPatchSchema, req.body);
    await checkWebhookUrl(body.url);
    const w = await updateWebhook(db, idOf(req), body);
    if (!w) throw new NotFound('webhook subscription');
    res.json(webhookView(w));
  });
  r.delete('/webhooks/:id', admin, async (req, res) => {
    if (!(await deleteWebhook(db, idOf(req)))) throw new NotFound('webhook subscription');
    res.status(204).end();
  });
  return r;
}
