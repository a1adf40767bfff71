/**
 * PagerDuty's side of webhooks v3, for tests: builds an incident event as PagerDuty would
 * send it (one event per delivery) and delivers it the way PagerDuty does — the headers
 * User-Agent PagerDuty-Webhook/V3.0, X-Webhook-Id (the same on every retry of a delivery),
 * X-Webhook-Subscription and X-PagerDuty-Signature with one `v1=` lowercase-hex
 * HMAC-SHA256 of the raw body per subscription secret (several while a secret rotates).
 */
import crypto from 'node:crypto';
import type { FakeAlert } from './pagerduty-events-server';

export interface WebhookAgent {
  id?: string;
  name: string;
}

export interface IncidentEventOptions {
  agent?: WebhookAgent | null;
  /** Override the incident's fields (incident_key, title…). */
  data?: Record<string, unknown>;
  eventId?: string;
}

const API = 'https://api.pagerduty.com';
const WEB = 'https://acme.pagerduty.com';

/** A v3 incident event for an alert the events fake holds. */
export function incidentEvent(eventType: string, alert: Pick<FakeAlert, 'id' | 'number' | 'dedupKey' | 'status' | 'triggers'>, opts: IncidentEventOptions = {}) {
  const agentId = opts.agent?.id ?? 'PUSER01';
  const agent = opts.agent === null ? null : { html_url: `${WEB}/users/${agentId}`, id: agentId, self: `${API}/users/${agentId}`, summary: opts.agent?.name ?? 'Dana On-Call', type: 'user_reference' };
  return {
    event: {
      id: opts.eventId ?? crypto.randomUUID(),
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: new Date().toISOString(),
      agent,
      client: null,
      data: {
        id: alert.id,
        type: 'incident',
        self: `${API}/incidents/${alert.id}`,
        html_url: `${WEB}/incidents/${alert.id}`,
        number: alert.number,
        status: alert.status,
        incident_key: alert.dedupKey,
        created_at: new Date().toISOString(),
        title: alert.triggers[0]?.payload?.summary ?? 'Alert',
        service: { html_url: `${WEB}/services/PSVC001`, id: 'PSVC001', self: `${API}/services/PSVC001`, summary: 'Support SLA', type: 'service_reference' },
        assignees: agent ? [{ ...agent }] : [],
        escalation_policy: { html_url: `${WEB}/escalation_policies/PEP0001`, id: 'PEP0001', self: `${API}/escalation_policies/PEP0001`, summary: 'Support on-call', type: 'escalation_policy_reference' },
        teams: [],
        priority: null,
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
        ...opts.data,
      },
    },
  };
}

export function pagerDutySignature(secrets: string[], rawBody: string): string {
  return secrets.map((s) => `v1=${crypto.createHmac('sha256', s).update(rawBody, 'utf8').digest('hex')}`).join(',');
}

export interface Delivery {
  /** A JSON value is serialized; a string is sent as is. */
  body: unknown;
  secrets: string[];
  webhookId?: string;
  subscriptionId?: string;
  /** Replaces the computed signature header (forgeries, missing headers). */
  signature?: string | null;
}

/** The `status` Pacer answered a delivery with (`acknowledged`, `noted`, `ignored` …), if its body had one. */
export function answerStatus(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'status' in body ? body.status : undefined;
}

export async function deliverPagerDutyWebhook(url: string, d: Delivery): Promise<{ status: number; body: unknown; webhookId: string; elapsedMs: number }> {
  const raw = typeof d.body === 'string' ? d.body : JSON.stringify(d.body);
  const webhookId = d.webhookId ?? crypto.randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'PagerDuty-Webhook/V3.0',
    'x-webhook-id': webhookId,
    'x-webhook-subscription': d.subscriptionId ?? 'PSUB001',
  };
  const signature = d.signature === undefined ? pagerDutySignature(d.secrets, raw) : d.signature;
  if (signature !== null) headers['x-pagerduty-signature'] = signature;
  const started = Date.now();
  const res = await fetch(url, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body, webhookId, elapsedMs: Date.now() - started };
}
