/**
 * POST /api/v1/integrations/pagerduty/webhook: PagerDuty webhook v3 deliveries. The
 * signature is checked over the raw bytes before anything is read or written (401 and
 * nothing changed otherwise); a delivery is handled once per X-Webhook-Id (PagerDuty
 * delivers at least once); the answer comes as soon as the workflow has been signalled.
 * Mounted only when a webhook secret is configured.
 */
import express, { Router } from 'express';
import type { Kysely } from 'kysely';
import { InvalidInput, Unauthenticated } from '../../core/errors';
import { parseInboundJson } from '../../http/kit/validation';
import type { Database } from '../../db/schema';
import { handleIncidentEvent, webhookDeliverySchema } from './incident-events';
import { verifyPagerDutySignature } from './webhook-signature';
import type { IntegrationRouteDeps } from '../integration-deps';

/** Claims a delivery id; false when an earlier delivery with this id was already handled. */
async function claimDelivery(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await db.insertInto('inbound_webhooks').values({ id }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
  return row !== undefined;
}

export function pagerdutyWebhookRoutes(deps: IntegrationRouteDeps): { inbound?: Router } {
  const secret = deps.config.pagerdutyWebhookSecret ?? deps.config.pagerduty?.webhookSecret;
  if (!secret) return {};
  const r = Router();

  r.post('/pagerduty/webhook', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyPagerDutySignature(secret, raw, req.get('x-pagerduty-signature'))) {
      throw new Unauthenticated('X-PagerDuty-Signature does not match the body', 'invalid_signature');
    }
    let json: unknown;
    try {
      json = parseInboundJson(raw.toString('utf8'));
    } catch {
      throw new InvalidInput('request body is not valid JSON', undefined, 'invalid_json');
    }
    const parsed = webhookDeliverySchema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidInput('not a PagerDuty webhook v3 delivery', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    const event = parsed.data.event;
    const deliveryId = `pagerduty:${req.get('x-webhook-id') ?? event.id}`;
    if (!(await claimDelivery(deps.db, deliveryId))) return void res.json({ status: 'duplicate' });
    try {
      const outcome = await handleIncidentEvent({ db: deps.db, lifecycle: deps.lifecycle, incidents: deps.incidents }, event);
      res.json({ status: outcome });
    } catch (err) {
      // Let PagerDuty's retry (it retries 5xx) find the delivery unclaimed.
      await deps.db.deleteFrom('inbound_webhooks').where('id', '=', deliveryId).execute();
      deps.log.error({ err, deliveryId, eventType: event.event_type }, 'PagerDuty webhook failed');
      throw err;
    }
  });
  return { inbound: r };
}
