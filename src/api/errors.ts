/**
 * One error class and one JSON shape for every failure:
 *   {"error": {"code": "validation_failed", "message": "…", "details": [{"path": "subject", "message": "…"}]}}
 */
import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger';

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
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res
      .status(unavailable ? 503 : 500)
      .json({ error: { code: unavailable ? 'unavailable' : 'internal', message: unavailable ? 'a backing service is unavailable; retry later' : 'internal error' } });
  };
}

function isUnavailable(err: unknown): boolean {
  const text = String((err as { message?: string })?.message ?? err);
  return /ECONNREFUSED|UNAVAILABLE|14 UNAVAILABLE|timeout|terminating connection|Connection terminated/i.test(text);
}
