/** zod at the edge: a failed parse becomes a 400 that names every offending field. */
import type { z } from 'zod';
import { ApiError } from './errors';

export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || where, message: i.message }));
  throw new ApiError(400, 'validation_failed', `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}
