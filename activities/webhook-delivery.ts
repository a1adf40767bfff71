/**
 * Delivers one event to one subscriber, signed (see src/domain/webhooks/signature.ts).
 * Non-2xx answers and network errors throw, so Temporal retries with backoff;
 * a delivery already acknowledged is never sent again, and receivers can also
 * de-duplicate on the Pacer-Event-Id header (deliveries are at least once).
 * A URL that leads to a loopback, link-local or private address is refused at each delivery
 * (src/domain/webhooks/url-guard.ts), checked in the socket's own DNS lookup so a name cannot resolve
 * to a public address for the check and a private one for the connection; such a refusal does
 * not retry.
 */
import http from 'node:http';
import https from 'node:https';
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from '../src/domain/webhooks/signature';
import { guardedLookup, WebhookAddressRefused, webhookUrlProblem } from '../src/domain/webhooks/url-guard';
import type { PendingDelivery } from '../workflows/contract/records';
import { webhookDeliveries } from '../src/core/metrics';

export interface WebhookDeliveryDeps {
  db: Kysely<Database>;
  /** Replaces the guarded node:http(s) transport (the URL is still checked before the call). */
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** PACER_WEBHOOK_ALLOW_PRIVATE: loopback and private destinations allowed. */
  allowPrivate?: boolean;
  now?: () => number;
}

interface DeliveryRow {
  event_id: string | null; type: string | null; at: Date | string | null; ticket_id: string | null; actor: string | null; data: unknown;
  incident_event_id: string | null; incident_type: string | null; incident_at: Date | string | null; incident_id: string | null; incident_actor: string | null; incident_data: unknown;
}

/** The body subscribers receive: a ticket event names its ticket, an incident event its incident. */
function eventOf(row: DeliveryRow): { id: string; body: Record<string, unknown> } | null {
  if (row.event_id !== null && row.at !== null) {
    return { id: row.event_id, body: { id: row.event_id, type: row.type, at: new Date(row.at).toISOString(), ticketId: row.ticket_id, actor: row.actor, data: row.data } };
  }
  if (row.incident_event_id !== null && row.incident_at !== null) {
    const id = row.incident_event_id;
    return { id, body: { id, type: row.incident_type, at: new Date(row.incident_at).toISOString(), incidentId: row.incident_id, actor: row.incident_actor, data: row.incident_data } };
  }
  return null;
}

export function createWebhookActivities(deps: WebhookDeliveryDeps) {
  const allowPrivate = deps.allowPrivate === true;
  const lookup = guardedLookup(allowPrivate);
  const post = async (url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> => {
    if (deps.fetch) {
      const res = await deps.fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    }
    return new Promise<number>((resolve, reject) => {
      const transport = url.startsWith('https:') ? https : http;
      const req = transport.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, timeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  };
  const now = deps.now ?? Date.now;
  return {
    async deliverWebhook({ deliveryId }: PendingDelivery): Promise<{ status: number | null; skipped: boolean }> {
      // A delivery names a ticket event or an incident event (exactly one, by a check constraint).
      const row = await deps.db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .leftJoin('ticket_events as e', 'e.id', 'd.event_id')
        .leftJoin('incident_events as ie', 'ie.id', 'd.incident_event_id')
        .select(['d.id', 'd.delivered_at', 's.url', 's.secret', 's.active'])
        .select(['e.id as event_id', 'e.type', 'e.at', 'e.ticket_id', 'e.actor', 'e.data'])
        .select(['ie.id as incident_event_id', 'ie.type as incident_type', 'ie.at as incident_at', 'ie.incident_id', 'ie.actor as incident_actor', 'ie.data as incident_data'])
        .where('d.id', '=', deliveryId)
        .executeTakeFirst();
      // A subscription deleted or paused since the event was recorded no longer wants it.
      if (!row || !row.active || row.delivered_at) return { status: null, skipped: true };
      const event = eventOf(row);
      if (!event) return { status: null, skipped: true };
      const body = JSON.stringify(event.body);
      const timestamp = Math.floor(now() / 1000);
      let status: number | null = null;
      let error: string | null = null;
      let refused = false;
      try {
        // IP literals never reach a DNS lookup: they are checked here, names again in the socket's lookup.
        const problem = await webhookUrlProblem(row.url, { allowPrivate });
        if (problem) throw new WebhookAddressRefused(problem);
        const headers = {
          'content-type': 'application/json',
          'user-agent': 'Pacer-Webhook/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signPayload(row.secret, timestamp, body),
          [EVENT_ID_HEADER]: event.id,
          [DELIVERY_ID_HEADER]: row.id,
        };
        status = await post(row.url, headers, body, deps.timeoutMs ?? 10_000);
      } catch (err) {
        refused = err instanceof WebhookAddressRefused || (err as { cause?: unknown })?.cause instanceof WebhookAddressRefused;
        error = err instanceof Error ? err.message : String(err);
        if (refused) error = `refused: ${error}`;
      }
      const ok = status !== null && status >= 200 && status < 300;
      await deps.db
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_status: status,
          last_error: ok ? null : (error ?? `HTTP ${status}`),
          ...(ok && { delivered_at: new Date(now()) }),
        }))
        .where('id', '=', deliveryId)
        .execute();
      webhookDeliveries.inc({ outcome: ok ? 'delivered' : refused ? 'refused' : 'failed' });
      if (refused) throw ApplicationFailure.nonRetryable(`webhook delivery ${deliveryId} ${error}`, 'WebhookAddressRefused');
      if (!ok) throw ApplicationFailure.retryable(`webhook delivery ${deliveryId} failed: ${error ?? `HTTP ${status}`}`, 'WebhookDeliveryFailed');
      return { status, skipped: false };
    },
  };
}
