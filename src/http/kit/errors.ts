/**
 * One error class and one JSON shape for every failure:
 *   {"error": {"code": "validation_failed", "message": "…", "details": [{"path": "subject", "message": "…"}]}}
 */
import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../../core/logger';

export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
  }

  static notFound(what: string): ApiError {
    return new ApiError(404, 'not_found', `${what} not found`);
  }
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof ApiError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details && { details: err.details }) } });
      return;
    }
    // body-parser's own errors: malformed JSON, too large, wrong charset.
    const status = typeof err?.status === 'number' ? err.status : typeof err?.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = err?.type === 'entity.parse.failed' ? 'invalid_json' : err?.type === 'entity.too.large' ? 'payload_too_large' : 'bad_request';
      res.status(status).json({ error: { code, message: code === 'invalid_json' ? 'request body is not valid JSON' : String(err.message) } });
      return;
    }
    const unavailable = isUnavailable(err);
    if (unavailable) {
      // An outage is not a bug: one line without the stack, and the client is told when to come back.
      log.warn({ method: req.method, path: req.path, reason: describe(err) }, 'request failed: a backing service is unavailable');
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(503).json({ error: { code: 'unavailable', message: 'a backing service is unavailable; retry later' } });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
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
