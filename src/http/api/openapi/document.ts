/**
 * The OpenAPI 3.1 document, generated from OPERATIONS with zod's own JSON Schema output
 * (draft 2020-12, which is OpenAPI 3.1's schema dialect). Requests are rendered as what the
 * route accepts (`io: "input"`: before defaults and transforms), responses as what it
 * answers. Schemas with a `meta({ id })` become components, referenced by `$ref`.
 */
import { z } from 'zod';
import type { IntegrationConfig } from '../../../integrations/config';
import type { Answer, Operation } from './operation';
import { OPERATIONS } from './operations';
import { errorResponse } from './responses';

type Json = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: 'invalid input: `details` names each offending field (validation_failed, invalid_json, invalid_cursor, …)',
  401: 'no API key, or an unknown or revoked one (unauthenticated)',
  403: "the key's role may not do this (forbidden), or a cookie-authenticated write without its CSRF token",
  404: 'no such resource, or one the caller may not see (not_found)',
  409: 'conflicts with the current state: a duplicate, a resource in use, a state change that does not apply, or an Idempotency-Key reused with another body',
  413: 'the body is larger than the limit (payload_too_large)',
  415: 'the body has a charset or content encoding the API does not read (bad_request)',
  429: 'too many requests; Retry-After says when to try again (rate_limited)',
  502: 'the outside service refused or did not answer',
  503: 'a backing service (the database, Temporal) is unavailable, or the feature is not configured; Retry-After when it is expected back',
};

/** The error statuses an operation can answer: what every operation of its kind can, and its own. */
export function errorStatuses(op: Operation): number[] {
  const s = new Set<number>([503, ...(op.errors ?? [])]);
  if (op.params || op.query || op.body || op.idempotent) s.add(400);
  if (op.body) [413, 415].forEach((c) => s.add(c));
  if (op.roles !== 'public') [401, 403].forEach((c) => s.add(c));
  if (op.params) s.add(404);
  return [...s].sort((a, b) => a - b);
}

/** `/tickets/:id/comments` → `/tickets/{id}/comments`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

class SchemaSet {
  readonly components: Record<string, Json> = {};

  /** The JSON Schema of a zod schema; definitions with an id move to components. */
  render(schema: z.ZodType, io: 'input' | 'output'): Json {
    const out = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      // Transforms and refinements have no JSON Schema; the document shows their input side.
      unrepresentable: 'any',
      reused: 'inline',
    }) as Json;
    delete out.$schema;
    const defs = (out.$defs ?? {}) as Record<string, Json>;
    delete out.$defs;
    for (const [name, def] of Object.entries(defs)) this.add(name, def);
    // The root itself may carry an id: then it is a component and the use site a reference.
    const rootId = typeof out.id === 'string' ? out.id : undefined;
    delete out.id;
    const fixed = rewriteRefs(out) as Json;
    if (rootId) {
      this.add(rootId, fixed);
      return { $ref: `#/components/schemas/${rootId}` };
    }
    return fixed;
  }

  private add(name: string, def: Json): void {
    const fixed = rewriteRefs(def) as Json;
    delete fixed.id;
    const known = this.components[name];
    if (known && JSON.stringify(known) !== JSON.stringify(fixed)) throw new Error(`two different schemas are both called ${name}`);
    this.components[name] = fixed;
  }
}

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const o: Json = {};
    for (const [k, x] of Object.entries(v)) o[k] = k === '$ref' && typeof x === 'string' ? x.replace(/^#\/\$defs\//, '#/components/schemas/') : rewriteRefs(x);
    return o;
  }
  return v;
}

function queryParameters(schemas: SchemaSet, query: z.ZodObject): Json[] {
  const rendered = schemas.render(query, 'input');
  const props = (rendered.properties ?? {}) as Record<string, Json>;
  const required = new Set((rendered.required ?? []) as string[]);
  return Object.entries(props).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema,
    // Lists go comma-separated in one parameter (`status=open,pending`), as the route splits them.
    ...(schema.type === 'array' && { style: 'form', explode: false }),
  }));
}

function answer(schemas: SchemaSet, a: Answer): Json {
  return {
    description: a.description,
    ...(a.headers && { headers: Object.fromEntries(Object.entries(a.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) }),
    ...(a.schema && { content: { [a.contentType ?? 'application/json']: { schema: schemas.render(a.schema, 'output') } } }),
  };
}

/**
 * OpenAPI links from a creation to the operations on what it created: `POST /tickets` → every
 * `/tickets/{id}…` operation, with `id` from the answer. They let the fuzzer's stateful phase
 * work on real resources rather than random ids that are all 404s.
 */
function linksOf(op: Operation, all: readonly Operation[]): Json | undefined {
  if (op.method !== 'post' || op.path.includes(':')) return undefined;
  const links: Json = {};
  for (const next of all) {
    const m = new RegExp(`^${op.path}/:(\\w+)(/|$)`).exec(next.path);
    if (!m || next.path.slice(m[0].length).includes(':')) continue;
    links[operationId(next)] = { operationId: operationId(next), parameters: { [m[1]!]: '$response.body#/id' } };
  }
  return Object.keys(links).length ? links : undefined;
}

function operationObject(schemas: SchemaSet, op: Operation, all: readonly Operation[]): Json {
  const parameters: Json[] = [];
  for (const [name, schema] of Object.entries(op.params ?? {})) parameters.push({ name, in: 'path', required: true, schema: schemas.render(schema, 'input') });
  if (op.query) parameters.push(...queryParameters(schemas, op.query));
  if (op.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Retrying with the same key and body returns the first result; the same key with another body is a 409 idempotency_key_reused.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  const responses: Json = {};
  for (const [status, a] of Object.entries(op.success)) {
    responses[status] = answer(schemas, a);
    const links = status === '201' ? linksOf(op, all) : undefined;
    if (links) (responses[status] as Json).links = links;
  }
  for (const status of errorStatuses(op)) responses[String(status)] = { $ref: `#/components/responses/E${status}` };
  const who = op.roles === 'public' ? 'No API key needed.' : `Roles: ${op.roles.join(', ')}.`;
  return {
    operationId: operationId(op),
    summary: op.summary,
    description: [op.description, who].filter(Boolean).join(' '),
    tags: [op.tag],
    ...(op.roles === 'public' && { security: [] }),
    ...(parameters.length && { parameters }),
    ...(op.body && { requestBody: { required: op.bodyRequired ?? true, content: { 'application/json': { schema: schemas.render(op.body, 'input') } } } }),
    responses,
  };
}

/** `post /tickets/:id/comments` → `postTicketsIdComments`: stable, unique, readable. */
export function operationId(op: Pick<Operation, 'method' | 'path'>): string {
  const words = op.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return op.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** The operations this deployment mounts (integration routes only when configured). */
export function mountedOperations(config: IntegrationConfig | undefined): Operation[] {
  return OPERATIONS.filter((op) => !op.mountedWhen || (config !== undefined && op.mountedWhen(config)));
}

const documentOperation: Operation = {
  method: 'get',
  path: '/openapi.json',
  tag: 'meta',
  roles: 'public',
  summary: 'This document',
  success: { 200: { description: 'the OpenAPI 3.1 document of this deployment', schema: z.record(z.string(), z.unknown()) } },
};

export function buildOpenApiDocument(config?: IntegrationConfig): Json {
  const schemas = new SchemaSet();
  const paths: Record<string, Json> = {};
  const all = [...mountedOperations(config), documentOperation];
  for (const op of all) {
    const p = (paths[openApiPath(op.path)] ??= {});
    if (p[op.method]) throw new Error(`two operations for ${op.method} ${op.path}`);
    p[op.method] = operationObject(schemas, op, all);
  }
  const errorSchema = schemas.render(errorResponse, 'output');
  const responses = Object.fromEntries(
    Object.entries(ERROR_TEXT).map(([status, text]) => [`E${status}`, { description: text, content: { 'application/json': { schema: errorSchema } } }]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pacer API',
      version: '1',
      description: 'Support tickets and incidents on pace with their SLAs. Send `Authorization: Bearer <api key>`; every failure answers `{"error": {"code", "message", "details"?}}`.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    tags: ['tickets', 'sla', 'csat', 'incidents', 'status', 'integrations', 'settings', 'webhooks', 'api-keys', 'users', 'reports', 'routing', 'meta'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key (POST /api-keys), or PACER_ADMIN_API_KEY' } },
      schemas: schemas.components,
      responses,
    },
  };
}

export { documentOperation };
