/** zod at the edge: a failed parse becomes a 400 that names every offending field. */
import type { z } from 'zod';
import { ApiError } from './errors';

export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.flatMap((i) => {
    const at = i.path.map(String);
    // zod reports all unknown keys of an object as one issue at the object's path; name each field.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: [...at, k].join('.'), message: 'unknown field' }));
    return [{ path: at.join('.') || where, message: i.message }];
  });
  throw new ApiError(400, 'validation_failed', `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}
