/**
 * Delivers one event to one subscriber, signed (see src/webhooks/signature.ts).
 * Non-2xx answers and network errors throw, so Temporal retries with backoff;
 * a delivery already acknowledged is never sent again, and receivers can also
 * de-duplicate on the Pacer-Event-Id header (deliveries are at least once).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from '../src/webhooks/signature';
import type { PendingDelivery } from './types';

export interface WebhookDeliveryDeps {
  db: Kysely<Database>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
}

export function createWebhookActivities(deps: WebhookDeliveryDeps) {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  return {
    async deliverWebhook({ deliveryId }: PendingDelivery): Promise<{ status: number | null; skipped: boolean }> {
      const row = await deps.db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .innerJoin('ticket_events as e', 'e.id', 'd.event_id')
        .select(['d.id', 'd.delivered_at', 's.url', 's.secret', 's.active', 'e.id as event_id', 'e.type', 'e.at', 'e.ticket_id', 'e.actor', 'e.data'])
        .where('d.id', '=', deliveryId)
        .executeTakeFirst();
      // A subscription deleted or paused since the event was recorded no longer wants it.
      if (!row || !row.active || row.delivered_at) return { status: null, skipped: true };

      const body = JSON.stringify({
        id: row.event_id,
        type: row.type,
        at: new Date(row.at).toISOString(),
        ticketId: row.ticket_id,
        actor: row.actor,
        data: row.data,
      });
      const timestamp = Math.floor(now() / 1000);
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await doFetch(row.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Pacer-Webhook/1',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signPayload(row.secret, timestamp, body),
            [EVENT_ID_HEADER]: row.event_id,
            [DELIVERY_ID_HEADER]: row.id,
          },
          body,
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
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
      if (!ok) throw ApplicationFailure.retryable(`webhook delivery ${deliveryId} failed: ${error ?? `HTTP ${status}`}`, 'WebhookDeliveryFailed');
      return { status, skipped: false };
    },
  };
}
