/**
 * Rollouts and impact previews: how far a saved edit has reached the open tickets
 * (`GET /rollouts/:id`), and what a proposed edit would do to them before it is saved
 * (`POST /sla-policies/:id/impact`, `POST /calendars/:id/impact`), changing nothing.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../../db/schema';
import type { RolloutService } from '../../../domain/settings/rollouts';
import { calendarImpact, policyImpact, type LiveInputs } from '../../../domain/settings/rollout-impact';
import { checkCalendar } from '../../../domain/settings/sla-settings';
import { calendarSchema, policySchema } from '../../kit/settings-schemas';
import { requireRole } from '../../kit/auth';
import { uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';

export const impactQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: uuid.optional(),
});

export function rolloutRoutes(db: Db, rollouts: RolloutService, lifecycle: LiveInputs): Router {
  const r = Router();
  const readers = requireRole('admin', 'agent');
  const admin = requireRole('admin');

  r.get('/rollouts/:id', readers, async (req, res) => {
    res.json(await rollouts.view(parse(uuid, req.params.id, 'params')));
  });

  r.post('/sla-policies/:id/impact', admin, async (req, res) => {
    const id = parse(uuid, req.params.id, 'params');
    const q = parse(impactQuery, req.query, 'query');
    res.json(await policyImpact(db, lifecycle, id, parse(policySchema, req.body), { limit: q.limit, cursor: q.cursor ?? null }));
  });

  r.post('/calendars/:id/impact', admin, async (req, res) => {
    const id = parse(uuid, req.params.id, 'params');
    const q = parse(impactQuery, req.query, 'query');
    const body = parse(calendarSchema, req.body);
    checkCalendar(body);
    res.json(await calendarImpact(db, lifecycle, id, body, { limit: q.limit, cursor: q.cursor ?? null }));
  });

  return r;
}
