/**
 * Who a knowledge-base reader is, for "one vote per reader per article": a signed-in user or
 * an API key by its id, an anonymous reader by the random id in their reader cookie (the
 * help centre sets it on the first article page). Null: nobody we could count once.
 */
import { readCookie } from '../../domain/users/sessions';
import type { Principal } from '../../core/principal';
import { CANONICAL_UUID } from '../../core/uuid';

export const READER_COOKIE = 'pacer_reader';


/** The anonymous reader id from the cookie header, when it is one Pacer could have set. */
export function anonymousReaderId(cookieHeader: string | undefined): string | null {
  const v = readCookie(cookieHeader, READER_COOKIE);
  return v !== undefined && CANONICAL_UUID.test(v) ? v : null;
}

export function readerKeyOf(principal: Principal | undefined, cookieHeader: string | undefined): string | null {
  if (principal) {
    // keyId is `user:<id>` for a signed-in user, an API key's id, null for the bootstrap admin key.
    if (principal.keyId === null) return 'key:admin';
    return principal.keyId.startsWith('user:') ? principal.keyId : `key:${principal.keyId}`;
  }
  const anon = anonymousReaderId(cookieHeader);
  return anon && `anon:${anon}`;
}
