/**
 * PagerDuty Events API v2 through @pagerduty/pdjs. pdjs resolves every HTTP answer (a 400
 * arrives as `ok: false`), so this module sorts them: accepted, rejected for good (the event
 * itself is wrong), or unavailable for now (429, 5xx, network) — the caller's retry policy
 * decides what happens next. pdjs always speaks https; a test trusts its self-signed fake
 * through `ca`, which only code can set.
 */
import https from 'node:https';
import { event } from '@pagerduty/pdjs';
// The package root re-exports functions only; its types live here.
import type { EventParameters, EventPayloadV2, Severity } from '@pagerduty/pdjs/build/src/events';

export type { Severity };

export interface PagerDutyEventsOptions {
  /** pdjs `server`: host[:port] of the Events API. */
  server: string;
  /** Extra CA (PEM) to trust for `server`; absent in production. */
  ca?: string;
  /** pdjs waits this long between its own 429 retries (three of them); Temporal backs off after. */
  retryTimeoutMs?: number;
  /** Per request, enforced by node-fetch under pdjs. */
  requestTimeoutMs?: number;
}

/** PagerDuty refused the event itself: sending it again cannot help. */
export class PagerDutyRejected extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: string[],
  ) {
    super(message);
    this.name = 'PagerDutyRejected';
  }
}

/** PagerDuty could not take the event now (rate limit, server error): try again later. */
export class PagerDutyUnavailable extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PagerDutyUnavailable';
  }
}

export interface AlertPayload {
  summary: string;
  source: string;
  severity: Severity;
  timestamp?: string;
  component?: string;
  group?: string;
  class?: string;
  custom_details?: Record<string, unknown>;
}

export interface PagerDutyEvents {
  trigger(dedupKey: string, payload: AlertPayload, links?: Array<{ href: string; text?: string }>): Promise<{ dedupKey: string }>;
  resolve(dedupKey: string): Promise<{ dedupKey: string }>;
  acknowledge(dedupKey: string): Promise<{ dedupKey: string }>;
}

export function createPagerDutyEvents(routingKey: string, opts: PagerDutyEventsOptions): PagerDutyEvents {
  const agent = opts.ca ? new https.Agent({ ca: opts.ca }) : undefined;

  const send = async (data: EventPayloadV2): Promise<{ dedupKey: string }> => {
    const params: EventParameters & { agent?: https.Agent } = {
      data,
      server: opts.server,
      retryTimeout: opts.retryTimeoutMs ?? 1_000,
      // pdjs's own requestTimeout only starts an idle timer; node-fetch's `timeout` really aborts.
      requestTimeout: 0,
      timeout: opts.requestTimeoutMs ?? 15_000,
      ...(agent && { agent }),
    };
    let res: Awaited<ReturnType<typeof event>>;
    try {
      res = await event(params);
    } catch (err) {
      // Network trouble, a timeout or a body that is not JSON: nothing says the event is wrong.
      throw new PagerDutyUnavailable(0, `PagerDuty events request failed: ${(err as Error).message}`);
    }
    const body = (res.data ?? {}) as { status?: string; message?: string; dedup_key?: string; errors?: unknown };
    if (res.status >= 200 && res.status < 300) return { dedupKey: typeof body.dedup_key === 'string' ? body.dedup_key : (data.dedup_key ?? '') };
    const message = `PagerDuty answered ${res.status}: ${body.message ?? body.status ?? 'no message'}`;
    if (res.status === 429 || res.status === 408 || res.status >= 500) throw new PagerDutyUnavailable(res.status, message);
    throw new PagerDutyRejected(res.status, message, Array.isArray(body.errors) ? body.errors.map(String) : []);
  };

  return {
    trigger: (dedupKey, payload, links) => send({ routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload, ...(links && { links }) }),
    // A resolve carries no payload; pdjs's type insists on one for every action.
    resolve: (dedupKey) => send({ routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey } as EventPayloadV2),
    acknowledge: (dedupKey) => send({ routing_key: routingKey, event_action: 'acknowledge', dedup_key: dedupKey } as EventPayloadV2),
  };
}
