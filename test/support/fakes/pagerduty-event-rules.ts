/**
 * The Events API v2 rules the fake enforces, from the public document: a 32-character
 * routing key, an action of trigger/acknowledge/resolve, a dedup key of at most 255
 * characters (required to acknowledge or resolve), and for a trigger a payload with a
 * summary (at most 1024), a source and a known severity. Answers the error strings a 400 lists.
 */
export interface EnqueueEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key?: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: unknown;
  };
  client?: string;
  client_url?: string;
  links?: Array<{ href: string; text?: string }>;
  images?: Array<{ src: string; href?: string; alt?: string }>;
}

const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

export function validateEvent(body: unknown, knownRoutingKeys?: string[]): string[] {
  if (!isObject(body)) return ['Event object must be a JSON object'];
  const errors: string[] = [];
  const key = body.routing_key;
  if (typeof key !== 'string' || key.length !== 32) errors.push("'routing_key' must be a 32 character string");
  else if (knownRoutingKeys && !knownRoutingKeys.includes(key)) errors.push("'routing_key' does not match an integration");
  if (typeof body.event_action !== 'string' || !ACTIONS.includes(body.event_action)) errors.push("'event_action' must be one of trigger, acknowledge, resolve");
  const dedup = body.dedup_key;
  if (dedup !== undefined && (typeof dedup !== 'string' || dedup.length === 0 || dedup.length > 255)) errors.push("'dedup_key' must be a string of 1 to 255 characters");
  if ((body.event_action === 'acknowledge' || body.event_action === 'resolve') && dedup === undefined) errors.push(`'dedup_key' is required to ${body.event_action}`);
  if (body.event_action === 'trigger') errors.push(...validatePayload(body.payload));
  for (const field of ['client', 'client_url'] as const) if (!optionalString(body[field])) errors.push(`'${field}' must be a string`);
  if (body.links !== undefined && (!Array.isArray(body.links) || body.links.some((l) => !isObject(l) || typeof l.href !== 'string'))) errors.push("'links' must be a list of {href, text}");
  if (body.images !== undefined && (!Array.isArray(body.images) || body.images.some((i) => !isObject(i) || typeof i.src !== 'string'))) errors.push("'images' must be a list of {src, href, alt}");
  return errors;
}

function validatePayload(p: unknown): string[] {
  if (!isObject(p)) return ["'payload' is required to trigger"];
  const errors: string[] = [];
  if (typeof p.summary !== 'string' || p.summary.trim() === '') errors.push("'payload.summary' is required");
  else if (p.summary.length > 1024) errors.push("'payload.summary' must be at most 1024 characters");
  if (typeof p.source !== 'string' || p.source.trim() === '') errors.push("'payload.source' is required");
  if (typeof p.severity !== 'string' || !SEVERITIES.includes(p.severity)) errors.push("'payload.severity' must be one of critical, error, warning, info");
  if (p.timestamp !== undefined && (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp)))) errors.push("'payload.timestamp' must be an ISO 8601 timestamp");
  for (const field of ['component', 'group', 'class'] as const) if (!optionalString(p[field])) errors.push(`'payload.${field}' must be a string`);
  return errors;
}
