/** The one spelling of "a UUID" (a row's id), for every layer that checks one before a lookup. */
const UUID_TEXT = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A path parameter, query value or outside reference that names a row, in either case: anything else is answered without a lookup. */
export const UUID = new RegExp(`^${UUID_TEXT}$`, 'i');

/** Lowercase only: an id Pacer wrote itself (a signed link, a cookie), which nobody else may respell. */
export const CANONICAL_UUID = new RegExp(`^${UUID_TEXT}$`);

/** A pattern with one UUID in it: `uuidPattern((uuid) => \`^pacer:incident:(${uuid}):(\\d+)$\`)`. */
export function uuidPattern(build: (uuid: string) => string): RegExp {
  return new RegExp(build(UUID_TEXT));
}
