/**
 * How intake categorises tickets (src/domain/classify): the confidence above which a
 * category is set automatically (below it, only suggested), how many agent-categorised
 * examples a category needs before the model may predict it, and how many of the newest
 * examples the model trains on.
 */
import { z } from 'zod';

export interface ClassifySettings {
  /** At or above: set and marked automatic; below: suggested. 0.9 by bench:classify (README). */
  autoThreshold: number;
  minExamplesPerCategory: number;
  trainingWindow: number;
  /** How often a process looks for examples another process recorded (seconds). */
  refreshSeconds: number;
}

export const DEFAULT_CLASSIFY_SETTINGS: Readonly<ClassifySettings> = Object.freeze({ autoThreshold: 0.9, minExamplesPerCategory: 5, trainingWindow: 20_000, refreshSeconds: 30 });

const schema = z.object({
  PACER_CATEGORY_AUTO_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  PACER_CATEGORY_MIN_EXAMPLES: z.coerce.number().int().min(1).max(10_000).optional(),
  PACER_CATEGORY_TRAINING_WINDOW: z.coerce.number().int().min(10).max(1_000_000).optional(),
});

export function loadClassifySettings(env: NodeJS.ProcessEnv): ClassifySettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid classification configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  return {
    ...DEFAULT_CLASSIFY_SETTINGS,
    ...(e.PACER_CATEGORY_AUTO_THRESHOLD !== undefined && { autoThreshold: e.PACER_CATEGORY_AUTO_THRESHOLD }),
    ...(e.PACER_CATEGORY_MIN_EXAMPLES !== undefined && { minExamplesPerCategory: e.PACER_CATEGORY_MIN_EXAMPLES }),
    ...(e.PACER_CATEGORY_TRAINING_WINDOW !== undefined && { trainingWindow: e.PACER_CATEGORY_TRAINING_WINDOW }),
  };
}
