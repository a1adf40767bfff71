/**
 * A loopback PagerDuty Events API v2 (POST /v2/enqueue) for tests and benchmarks, over TLS
 * with a self-signed certificate because pdjs only speaks https. It follows the public
 * document: validation with 400 {status:'invalid event', message, errors}, 202 {status:
 * 'success', message:'Event processed', dedup_key}, a per-routing-key rate limit (429),
 * and dedup semantics — a trigger with the key of an open alert joins it, acknowledge and
 * resolve apply to the open alert (dropped without one), a trigger after resolve opens a
 * new alert. Faults on demand: the next N answers as 429/500, or the connection dropped
 * after the event took effect (a lost response). Every request is recorded.
 */
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { validateEvent, type EnqueueEvent } from './pagerduty-event-rules';

export type AlertStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface FakeAlert {
  id: string;
  number: number;
  routingKey: string;
  dedupKey: string;
  status: AlertStatus;
  /** The trigger that opened it, then each later trigger that joined it. */
  triggers: EnqueueEvent[];
  openedAt: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
}

export interface ReceivedEvent {
  at: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** What the event did: opened, joined, acknowledged, resolved, dropped; or why it did nothing. */
  outcome: string;
}

/** What a page carries in custom_details (activities/integrations/pagerduty/page-action.ts, incident-paging.ts). */
export interface PageDetails {
  ticket_id?: string;
  ticket_number?: string;
  ticket_url?: string;
  subject?: string;
  priority?: string;
  status?: string;
  sla?: { clock: string; cycle: number; percent: number; state: string; due_at: string | null; at_risk_at: string | null; step: string };
  [other: string]: unknown;
}

/** A received body read as the event Pacer sends; every field is absent when the body was something else. */
export type SentEvent = Partial<Omit<EnqueueEvent, 'payload'>> & { payload?: Omit<NonNullable<EnqueueEvent['payload']>, 'custom_details'> & { custom_details?: PageDetails } };

export function sentEvent(r: Pick<ReceivedEvent, 'body'>): SentEvent {
  return typeof r.body === 'object' && r.body !== null ? (r.body as SentEvent) : {};
}

export type Fault = 429 | 500 | 502 | 503 | 'drop';

export interface PagerDutyEventsFake {
  /** pdjs `server`: 127.0.0.1:<port>. */
  host: string;
  /** The certificate to trust (PEM). */
  ca: string;
  requests: ReceivedEvent[];
  alerts: FakeAlert[];
  /** The next requests fail this way, one fault each, in order. */
  failNext(...faults: Fault[]): void;
  /** Accepted events (202) of one action, optionally for one dedup key. */
  accepted(action?: string, dedupKey?: string): ReceivedEvent[];
  alertsFor(dedupKey: string): FakeAlert[];
  /** A person acknowledges or resolves in the PagerDuty UI (what a webhook then reports). */
  act(dedupKey: string, status: 'acknowledged' | 'resolved', by: string): FakeAlert;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: string): Promise<T>;
  close(): Promise<void>;
}

export interface FakeOptions {
  /** Keys this fake knows (any 32-character key when absent). */
  routingKeys?: string[];
  /** Events per minute per routing key before 429 (about 120 on the real service). */
  ratePerMinute?: number;
}

const MAX_BYTES = 512 * 1024;
const THROTTLED = { status: 'throttle exceeded', message: 'Requests for this service are arriving too quickly. Please retry later.' };

export async function startPagerDutyEventsFake(opts: FakeOptions = {}): Promise<PagerDutyEventsFake> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const requests: ReceivedEvent[] = [];
  const alerts: FakeAlert[] = [];
  const faults: Fault[] = [];
  const recent = new Map<string, number[]>();
  const rate = opts.ratePerMinute ?? 120;

  const openAlert = (routingKey: string, dedupKey: string) => alerts.find((a) => a.routingKey === routingKey && a.dedupKey === dedupKey && a.status !== 'resolved');

  /** Applies a valid event; answers its outcome. */
  const apply = (e: EnqueueEvent, dedupKey: string): string => {
    const open = openAlert(e.routing_key, dedupKey);
    if (e.event_action === 'trigger') {
      if (open) {
        open.triggers.push(e);
        return 'joined';
      }
      alerts.push({ id: `Q${crypto.randomBytes(6).toString('hex').toUpperCase()}`, number: alerts.length + 1, routingKey: e.routing_key, dedupKey, status: 'triggered', triggers: [e], openedAt: new Date().toISOString() });
      return 'opened';
    }
    if (!open) return 'dropped';
    if (e.event_action === 'acknowledge') open.status = 'acknowledged';
    else {
      open.status = 'resolved';
      open.resolvedAt = new Date().toISOString();
    }
    return open.status;
  };

  const throttled = (routingKey: string): boolean => {
    const now = Date.now();
    const times = (recent.get(routingKey) ?? []).filter((t) => now - t < 60_000);
    times.push(now);
    recent.set(routingKey, times);
    return times.length > rate;
  };

  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      let parsed: unknown = null;
      const record = (status: number, body: unknown, outcome: string) => {
        requests.push({ at: new Date().toISOString(), path: req.url ?? '', status, headers: req.headers, body: parsed, outcome });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || (req.url !== '/v2/enqueue' && req.url !== '/v2/change/enqueue')) return record(404, { status: 'not found', message: 'Not Found' }, 'not found');
      if (size > MAX_BYTES) return record(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Event exceeds the 512 KB size limit'] }, 'too large');
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return record(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON'] }, 'invalid');
      }
      const fault = faults.shift();
      if (fault === 429) return record(429, THROTTLED, 'fault 429');
      if (typeof fault === 'number') return record(fault, { status: 'error', message: 'Internal Server Error' }, `fault ${fault}`);

      if (req.url === '/v2/change/enqueue') return record(202, { status: 'success', message: 'Change event processed' }, 'change');
      const errors = validateEvent(parsed, opts.routingKeys);
      if (errors.length) return record(400, { status: 'invalid event', message: 'Event object is invalid', errors }, 'invalid');
      const e = parsed as EnqueueEvent;
      if (throttled(e.routing_key)) return record(429, THROTTLED, 'rate limited');
      const dedupKey = e.dedup_key ?? crypto.randomBytes(16).toString('hex');
      const outcome = apply(e, dedupKey);
      if (fault === 'drop') {
        // The event took effect, but its answer never arrives: the client cannot tell.
        requests.push({ at: new Date().toISOString(), path: req.url, status: 0, headers: req.headers, body: parsed, outcome: `${outcome}, connection dropped` });
        req.socket.destroy();
        return;
      }
      record(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey }, outcome);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    host: `127.0.0.1:${port}`,
    ca: pems.cert,
    requests,
    alerts,
    failNext: (...f) => void faults.push(...f),
    accepted: (action, dedupKey) =>
      requests.filter((r) => {
        const b = r.body as Partial<EnqueueEvent> | null;
        return r.status === 202 && (!action || b?.event_action === action) && (!dedupKey || b?.dedup_key === dedupKey);
      }),
    alertsFor: (dedupKey) => alerts.filter((a) => a.dedupKey === dedupKey),
    act(dedupKey, status, by) {
      const alert = alerts.find((a) => a.dedupKey === dedupKey && a.status !== 'resolved');
      if (!alert) throw new Error(`no open alert with dedup key ${dedupKey}`);
      alert.status = status;
      if (status === 'acknowledged') alert.acknowledgedBy = by;
      else alert.resolvedAt = new Date().toISOString();
      return alert;
    },
    async waitFor(probe, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = probe();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(requests.map((r) => [r.status, r.outcome]))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
