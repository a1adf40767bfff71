/**
 * The knowledge base's domain errors: PacerErrors with stable codes. The HTTP layer maps their
 * kinds to statuses (src/http/kit/errors.ts); nothing here knows about HTTP.
 */
import { PacerError, type ErrorKind } from '../../core/errors';

export class KbError extends PacerError {
  constructor(
    kind: ErrorKind,
    override readonly code: 'not_found' | 'conflict' | 'invalid_state' | 'invalid_reference',
    message: string,
  ) {
    super(kind, code, message);
  }
}

export class KbNotFound extends KbError {
  constructor(what: string) {
    super('not_found', 'not_found', `${what} not found`);
  }
}

/** A name or a translation's locale that is taken. */
export class KbConflict extends KbError {
  constructor(message: string) {
    super('conflict', 'conflict', message);
  }
}

/** A move the article's state does not allow (publishing an archived article without a new draft, …). */
export class KbInvalidState extends KbError {
  constructor(message: string) {
    super('conflict', 'invalid_state', message);
  }
}

/** A category, section, organization or translation named in a write that does not exist or does not fit. */
export class KbInvalidReference extends KbError {
  constructor(message: string) {
    super('invalid_input', 'invalid_reference', message);
  }
}
