/** PostgreSQL constraint failures a caller answers as a conflict rather than a crash. */

const sqlState = (err: unknown): string | undefined => (err as { code?: string } | null | undefined)?.code;

/** 23505: a unique constraint refused the row (a name, an email, a locale taken). */
export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === '23505';

/** 23503: a foreign key refused the change (the row is still referenced, or references nothing). */
export const isFkViolation = (err: unknown): boolean => sqlState(err) === '23503';
