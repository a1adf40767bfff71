/**
 * One entry of the API's contract: an express route under /api/v1 (method and express path,
 * as the route file registers it) and the zod schemas it parses and answers with. The
 * document is generated from these; test/fuzz holds the list to the routes express really
 * has, so a route without an entry, or an entry without a route, fails.
 */
import type { z } from 'zod';
import type { IntegrationConfig } from '../../../integrations/config';
import type { Role } from '../../../core/principal';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Answer {
  description: string;
  /** The JSON body; none for 204. */
  schema?: z.ZodType;
  /** The body's media type when it is not JSON (a CSV export); its schema is then a string. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Operation {
  method: Method;
  /** The express path under /api/v1, e.g. `/tickets/:id/comments`. */
  path: string;
  summary: string;
  tag: string;
  /** Who may call it; `public` needs no key. */
  roles: readonly Role[] | 'public';
  params?: Record<string, z.ZodType>;
  /** The route's query schema (a z.strictObject): each field becomes a query parameter. */
  query?: z.ZodObject;
  body?: z.ZodType;
  /** false when the route reads `req.body ?? {}`, so a request without a body is fine. */
  bodyRequired?: boolean;
  /** The route honours an Idempotency-Key header. */
  idempotent?: boolean;
  success: Record<number, Answer>;
  /** Error statuses beyond those every operation of its kind can answer (see document.ts). */
  errors?: number[];
  description?: string;
  /** Mounted only with this integration configured; the document then lists it only then. */
  mountedWhen?: (config: IntegrationConfig) => boolean;
}
