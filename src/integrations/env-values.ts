/**
 * What every integration's config.ts parses its variables with: an optional value that is
 * absent when blank, `key=value` lists, and one wording for a refused variable, so a wrong
 * setting fails start-up the same way whichever integration it belongs to.
 */
import { z } from 'zod';

/** An optional variable, trimmed; blank counts as absent. */
export const optionalValue = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** `key=value` pairs, comma separated (PACER_SLACK_AGENTS, PACER_ROLE_EMAILS). */
export function pairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=').map((s) => s?.trim());
    if (k && v) out[k] = v;
  }
  return out;
}

/** Parses the environment with one integration's schema, or fails start-up naming every refused variable. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid integration configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
