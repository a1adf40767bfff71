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
import { isUnavailable } from '../../db/unavailable';
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

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return `${typeof e?.code === 'string' || typeof e?.code === 'number' ? `${String(e.code)} ` : ''}${typeof e?.message === 'string' ? e.message : String(err)}`.slice(0, 300);
}
