/**
 * The knowledge base's domain errors: plain classes with stable codes. The HTTP layer maps
 * them to statuses (src/http/api/routes/kb.ts); nothing here knows about HTTP.
 */
export class KbError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid_state' | 'invalid_reference',
    message: string,
  ) {
    super(message);
  }
}

export class KbNotFound extends KbError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

/** A name or a translation's locale that is taken. */
export class KbConflict extends KbError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** A move the article's state does not allow (publishing an archived article without a new draft, …). */
export class KbInvalidState extends KbError {
  constructor(message: string) {
    super('invalid_state', message);
  }
}

/** A category, section, organization or translation named in a write that does not exist or does not fit. */
export class KbInvalidReference extends KbError {
  constructor(message: string) {
    super('invalid_reference', message);
  }
}
