/**
 * The errors the domain, the database layer, the integrations and the activities throw: plain
 * classes with a kind (what went wrong, in domain words) and a stable code (what clients match
 * on, e.g. `invalid_transition`), optionally naming the offending fields. There is no HTTP
 * status here: src/http/kit/errors.ts maps a kind to a status in one table, used by the API's
 * error middleware and by the console and portal pages alike.
 */

/** One offending field of a refused input: `path` as the client wrote it (`affectedComponents.2`). */
export interface FieldProblem {
  path: string;
  message: string;
}

export type ErrorKind =
  /** The input is wrong; sending it again will not help (400). */
  | 'invalid_input'
  /** Nobody is signed in, or the credentials are wrong (401). */
  | 'unauthenticated'
  /** The caller is known but may not do this (403). */
  | 'forbidden'
  /** No such thing, or not the caller's to see (404). */
  | 'not_found'
  /** The thing's state refuses the change (closed, in use, taken, reused key) (409). */
  | 'conflict'
  /** The caller asked too often; retry later (429). */
  | 'too_many_requests'
  /** An outside service (Jira, …) refused the call or did not answer (502). */
  | 'upstream_failed'
  /** Not now: a service is down, busy or not configured; retry later (503). */
  | 'unavailable';

export class PacerError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A refusal of the input itself, by default `validation_failed`, naming the fields when it can. */
export class InvalidInput extends PacerError {
  constructor(message: string, details?: FieldProblem[], code = 'validation_failed') {
    super('invalid_input', code, message, details);
  }
}

export class Unauthenticated extends PacerError {
  constructor(message: string, code = 'unauthenticated') {
    super('unauthenticated', code, message);
  }
}

export class Forbidden extends PacerError {
  constructor(message: string, code = 'forbidden') {
    super('forbidden', code, message);
  }
}

/** `new NotFound('ticket')`: "ticket not found", code `not_found`. */
export class NotFound extends PacerError {
  constructor(what: string, message = `${what} not found`) {
    super('not_found', 'not_found', message);
  }
}

export class Conflict extends PacerError {
  constructor(code: string, message: string, details?: FieldProblem[]) {
    super('conflict', code, message, details);
  }
}

export class TooManyRequests extends PacerError {
  constructor(message: string, code = 'rate_limited') {
    super('too_many_requests', code, message);
  }
}

/** An outside service refused the call or did not answer (`jira_rejected`, `jira_unavailable`). */
export class UpstreamFailed extends PacerError {
  constructor(code: string, message: string) {
    super('upstream_failed', code, message);
  }
}

/** Not now (`jira_busy`, `email_not_configured`, `unavailable`): the same request may succeed later. */
export class Unavailable extends PacerError {
  constructor(code: string, message: string) {
    super('unavailable', code, message);
  }
}

const REFUSALS: ReadonlySet<ErrorKind> = new Set(['invalid_input', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'too_many_requests']);

/**
 * Whether the request was refused (the caller's input, rights or the thing's state decided, and
 * nothing changed), as opposed to failed (an outside service or a backing store did not do its
 * part). An idempotency key is released after a refusal; a console form shows a refusal beside
 * the form and a failure as an error page.
 */
export function isRefusal(err: unknown): err is PacerError {
  return err instanceof PacerError && REFUSALS.has(err.kind);
}
