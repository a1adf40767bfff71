/**
 * Which activity failures are permanent. A retry of the same input can never make PostgreSQL
 * accept a NUL byte or an out-of-range integer, nor an outside API accept a request it judged
 * malformed; retrying those forever wedges the workflow behind them. They fail non-retryably
 * (ApplicationFailure with a type naming the class) so the workflow records them and goes on.
 * Everything else is presumed transient and keeps retrying: that is the safe side, since a
 * wrong "transient" costs retries while a wrong "permanent" loses a change.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DatabaseError } from 'pg';
import { storableText } from '../../workflows/contract/storable-text';

export { storableText };

export interface PermanentFailure {
  /** The ApplicationFailure type: names the class, stable for the workflow and the API. */
  type: string;
  /** Safe to store and show: never the offending value itself, only what PostgreSQL or the API said. */
  message: string;
  details: { sqlState?: string; status?: number };
}

/**
 * SQLSTATE classes that describe the data or the request, not the moment:
 * 22 data exception (22021 NUL/invalid byte sequence, 22003 numeric out of range, 22001 too long, 22P02 bad text representation, 22P05 untranslatable character),
 * 23 integrity constraint violation (23502 not null, 23503 foreign key, 23505 unique, 23514 check),
 * 54 program limit exceeded (54000 index row too large, 54001 statement too complex).
 * Deliberately retried: 08 connection, 40 (40001 serialization, 40P01 deadlock), 53 resources, 55 lock not available,
 * 57 operator intervention (57014 statement timeout, 57P01 shutdown), 25 transaction state, XX internal,
 * and 42 (syntax, undefined table or column): the statements are Pacer's own with bound parameters, so
 * a 42 is code and schema out of step (a deploy before its migration); the next deploy heals it and the
 * retry then lands, where refusing would lose a good change.
 */
const PERMANENT_SQL_CLASSES: Record<string, string> = {
  '22': 'DatabaseDataException',
  '23': 'DatabaseIntegrityViolation',
  '54': 'DatabaseLimitExceeded',
};

/**
 * HTTP answers that will not change on retry. 408 (timeout), 409 (conflict), 425 (too early) and
 * 429 (rate limit) are about the moment and retry; so do 5xx.
 */
const PERMANENT_HTTP_STATUSES = new Set([400, 401, 403, 404, 405, 410, 413, 414, 415, 422]);

export function sqlStateOf(err: unknown): string | undefined {
  if (err instanceof DatabaseError) return err.code;
  // The same shape from another copy of pg-protocol (PGlite's socket speaks the same protocol).
  if (err instanceof Error && typeof (err as { severity?: unknown }).severity === 'string') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** An HTTP status an outside client attached to its error (fetch wrappers, axios-style `response.status`). */
export function httpStatusOf(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  for (const v of [e.status, e.statusCode, e.response?.status]) if (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v < 600) return v;
  return undefined;
}

/** The permanent class of a failure, or null when it may heal (and should retry). */
export function classifyFailure(err: unknown): PermanentFailure | null {
  if (err instanceof ApplicationFailure) return null;
  const sqlState = sqlStateOf(err);
  if (sqlState !== undefined) {
    const type = PERMANENT_SQL_CLASSES[sqlState.slice(0, 2)];
    if (!type) return null;
    return { type, message: storableText(`the database refused the write: ${(err as Error).message} (SQLSTATE ${sqlState})`), details: { sqlState } };
  }
  const status = httpStatusOf(err);
  if (status !== undefined && PERMANENT_HTTP_STATUSES.has(status)) {
    return { type: 'OutsideApiRefused', message: storableText(`an outside service refused the request with HTTP ${status}: ${(err as Error).message}`), details: { status } };
  }
  return null;
}

/** The failure to throw from an activity: permanent ones become non-retryable, the rest go unchanged. */
export function toActivityFailure(err: unknown): unknown {
  const permanent = classifyFailure(err);
  if (!permanent) return err;
  return ApplicationFailure.create({ message: permanent.message, type: permanent.type, nonRetryable: true, details: [permanent.details], cause: err instanceof Error ? err : undefined });
}

/** The non-retryable failure an error amounts to (one already thrown as such, or a permanent class), or null. */
export function permanentFailureOf(err: unknown): ApplicationFailure | null {
  if (err instanceof ApplicationFailure) return err.nonRetryable ? err : null;
  const failure = toActivityFailure(err);
  return failure instanceof ApplicationFailure ? failure : null;
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

/** Every activity of a set, classifying its failures; applied once where the worker registers them. */
export function classifyingFailures<T extends Record<string, AnyActivity>>(activities: T): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toActivityFailure(err);
      }
    };
  }
  return wrapped as T;
}
