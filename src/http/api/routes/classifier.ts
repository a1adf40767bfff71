/** GET /api/v1/classifier: what intake's category classifier knows now (admins). */
import { Router } from 'express';
import { z } from 'zod';
import type { CategoryClassifier } from '../../../domain/classify/category-classifier';
import { requireRole } from '../../kit/auth';
import type { Operation } from '../openapi/operation';

export const classifierStatusResponse = z
  .object({
    mode: z.enum(['classifier', 'keywords']).meta({ description: 'what categorises new tickets now: the trained model, or the keyword lists until enough tickets are categorised by agents' }),
    trainedAt: z.string().nullable().meta({ description: "this API process's last training" }),
    examples: z.int().meta({ description: 'agent-categorised tickets trained on (the newest, up to the training window)' }),
    examplesPerCategory: z.record(z.string(), z.int()).meta({ description: 'per category the model predicts; categories below the minimum are left out' }),
    vocabulary: z.int(),
    autoThreshold: z.number().meta({ description: 'at or above this confidence a category is set automatically; below it is suggested (PACER_CATEGORY_AUTO_THRESHOLD)' }),
    minExamplesPerCategory: z.int(),
    keywordCategories: z.array(z.string()).meta({ description: 'the categories of the keyword fallback' }),
  })
  .meta({ id: 'ClassifierStatus' });

export const CLASSIFIER_OPERATIONS: readonly Operation[] = [
  {
    method: 'get', path: '/classifier', tag: 'settings', roles: ['admin'], summary: "The category classifier's state: examples per category, last training, threshold",
    success: { 200: { description: 'the classifier as this API process has it', schema: classifierStatusResponse } },
  },
];

export function classifierRoutes(classifier: CategoryClassifier): Router {
  const r = Router();
  r.get('/classifier', requireRole('admin'), async (_req, res) => {
    res.json(await classifier.status());
  });
  return r;
}
