/**
 * The one mapping from an error to an HTTP answer, used by the API's error middleware and by the
 * console and portal pages, so both answer a failure with the same status and code. One JSON shape:
 *   {"error": {"code": "validation_failed", "message": "…", "details": [{"path": "subject", "message": "…"}]}}
 * Domain errors (src/core/errors.ts) carry a kind and a stable code, never a status; the kind
 * decides the status here and only here.
 */
import type { ErrorRequestHandler } from 'express';
import { PacerError, type ErrorKind, type FieldProblem } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { requestLogFields } from './request-observer';

export type { FieldProblem };

/** The status of each kind of domain error. */
export const STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  upstream_failed: 502,
  unavailable: 503,
};


export function statusOf(err: PacerError): number {
  return STATUS_OF_KIND[err.kind];
}

export interface ErrorBody {
  error: { code: string; message: string; details?: FieldProblem[] };
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  /** Set when a backing service (PostgreSQL, Temporal) is down: the client is told when to come back. */
  retryAfterSeconds?: number;
  /** The request's own fault or a domain refusal/failure Pacer knows by name (not a bug, not an outage). */
  known: boolean;
}

const body = (code: string, message: string, details?: FieldProblem[]): ErrorBody => ({ error: { code, message, ...(details && { details }) } });

/**
 * What any failure answers: a PacerError by its kind and code; body-parser's own errors
 * (malformed JSON, too large, wrong charset) by their 4xx status; a backing service that cannot
 * be reached 503 `unavailable`; anything else 500 `internal`.
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof PacerError) return { status: statusOf(err), body: body(err.code, err.message, err.details), known: true };
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; message?: unknown } | null | undefined;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = e?.type === 'entity.parse.failed' ? 'invalid_json' : e?.type === 'entity.too.large' ? 'payload_too_large' : 'bad_request';
    return { status, body: body(code, code === 'invalid_json' ? 'request body is not valid JSON' : String(e?.message)), known: true };
  }
  if (isUnavailable(err)) return { status: 503, body: body('unavailable', 'a backing service is unavailable; retry later'), retryAfterSeconds: RETRY_AFTER_SECONDS, known: false };
  return { status: 500, body: body('internal', 'internal error'), known: false };
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const answer = errorAnswer(err);
    if (answer.retryAfterSeconds !== undefined) {
      // An outage is not a bug: one line without the stack, and the client is told when to come back.
      log.warn({ ...requestLogFields(req), path: req.path, reason: describe(err) }, 'request failed: a backing service is unavailable');
      res.set('Retry-After', String(answer.retryAfterSeconds));
    } else if (!answer.known) {
      log.error({ err, ...requestLogFields(req), path: req.path }, 'request failed');
    }
    res.status(answer.status).json(answer.body);
  };
}

/** Seconds a client is asked to wait while PostgreSQL or Temporal is down. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Whether a failure means a backing service (PostgreSQL, Temporal) cannot be reached right now,
 * so the request may succeed if retried: 503, not 500. Looks through `cause` chains and
 * aggregate errors, since kysely, pg-pool and the Temporal client each wrap differently.
 */
export function isUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || err === null || err === undefined) return false;
  if (typeof err !== 'object') return UNAVAILABLE_TEXT.test(String(err));
  const e = err as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined) {
    // PostgreSQL classes 08 (connection exception), 53 (insufficient resources), 57P01–57P05
    // (admin shutdown, crash shutdown, cannot connect now, database dropped, idle timeout).
    if (/^08[0-9A-Z]{3}$/.test(code) || /^53[0-9A-Z]{3}$/.test(code) || /^57P0[1-5]$/.test(code)) return true;
    if (NETWORK_CODES.has(code)) return true;
  }
  // gRPC status 14 UNAVAILABLE / 4 DEADLINE_EXCEEDED from the Temporal client.
  if (typeof e.code === 'number' && (e.code === 14 || e.code === 4) && /ServiceError|grpc|UNAVAILABLE|DEADLINE/i.test(`${String(e.name)} ${String(e.message)}`)) return true;
  // gRPC 9 FAILED_PRECONDITION on a query when no worker polls the queue: the worker is down, not the request wrong.
  if (typeof e.code === 'number' && e.code === 9 && typeof e.message === 'string' && /no poller seen for task queue/i.test(e.message)) return true;
  if (typeof e.name === 'string' && /^(ConnectionError|TransportError)$/.test(e.name)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_TEXT.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isUnavailable(x, depth + 1))) return true;
  return isUnavailable(e.cause, depth + 1);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTCONN', 'ECONNABORTED']);

// pg's own wordings (no code): a dropped socket, a pool that waited out connectionTimeoutMillis,
// a query on a client the server just killed; gRPC's when Temporal is away.
const UNAVAILABLE_TEXT =
  /ECONNREFUSED|ECONNRESET|\b14 UNAVAILABLE\b|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Connection ended unexpectedly|Client was closed and is not queryable|failed to connect to|DEADLINE_EXCEEDED/i;

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return `${typeof e?.code === 'string' || typeof e?.code === 'number' ? `${String(e.code)} ` : ''}${typeof e?.message === 'string' ? e.message : String(err)}`.slice(0, 300);
}
