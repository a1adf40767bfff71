/**
 * Rollouts and impact previews: how far a saved edit has reached the open tickets
 * (`GET /rollouts/:id`), and what a proposed edit would do to them before it is saved
 * (`POST /sla-policies/:id/impact`, `POST /calendars/:id/impact`), changing nothing.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { TicketLifecycle } from '../../tickets/ticket-lifecycle';
import type { RolloutService } from '../../settings/rollouts';
import { previewImpact } from '../../settings/rollout-impact';
import { calendarSchema, checkCalendar, policySchema } from '../../settings/sla-settings';
import type { SlaPolicySnapshot, TicketStatus, LadderStep } from '../../../workflows/ticket/contract';
import type { CalendarSpec } from '../../../workflows/sla/business-calendar';
import { requireRole } from '../auth';
import { ApiError } from '../errors';
import { uuid } from '../schemas';
import { parse } from '../validation';

export const impactQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: uuid.optional(),
});

export function rolloutRoutes(db: Kysely<Database>, rollouts: RolloutService, lifecycle: TicketLifecycle): Router {
  const r = Router();
  const readers = requireRole('admin', 'agent');
  const admin = requireRole('admin');

  r.get('/rollouts/:id', readers, async (req, res) => {
    res.json(await rollouts.view(parse(uuid, req.params.id, 'params')));
  });

  r.post('/sla-policies/:id/impact', admin, async (req, res) => {
    const id = parse(uuid, req.params.id, 'params');
    const q = parse(impactQuery, req.query, 'query');
    const body = parse(policySchema, req.body);
    if (!(await db.selectFrom('sla_policies').select('id').where('id', '=', id).executeTakeFirst())) throw ApiError.notFound('SLA policy');
    const cal = await db.selectFrom('calendars').selectAll().where('id', '=', body.calendarId).executeTakeFirst();
    if (!cal) throw new ApiError(400, 'validation_failed', 'unknown calendar', [{ path: 'calendarId', message: 'must exist' }]);
    const calendar: CalendarSpec = { timezone: cal.timezone, weekly: cal.weekly as CalendarSpec['weekly'], holidays: cal.holidays };
    const propose = (current: SlaPolicySnapshot): SlaPolicySnapshot | null =>
      current.policyId !== id
        ? null
        : {
            ...current,
            name: body.name,
            calendar,
            firstResponseMinutes: body.firstResponseMinutes,
            resolutionMinutes: body.resolutionMinutes,
            pauseOn: body.pauseOn as TicketStatus[],
            escalations: body.escalations as LadderStep[],
            autoCloseDays: body.autoCloseDays,
            pauseOnIncident: body.pauseOnIncident,
          };
    res.json(await previewImpact(db, lifecycle, { kind: 'sla_policy', targetId: id, propose, limit: q.limit, cursor: q.cursor ?? null, now: Date.now() }));
  });

  r.post('/calendars/:id/impact', admin, async (req, res) => {
    const id = parse(uuid, req.params.id, 'params');
    const q = parse(impactQuery, req.query, 'query');
    const body = parse(calendarSchema, req.body);
    checkCalendar(body);
    if (!(await db.selectFrom('calendars').select('id').where('id', '=', id).executeTakeFirst())) throw ApiError.notFound('calendar');
    const using = new Set((await db.selectFrom('sla_policies').select('id').where('calendar_id', '=', id).execute()).map((p) => p.id));
    const calendar: CalendarSpec = { timezone: body.timezone, weekly: body.weekly, holidays: body.holidays };
    const propose = (current: SlaPolicySnapshot): SlaPolicySnapshot | null => (current.policyId !== null && using.has(current.policyId) ? { ...current, calendar } : null);
    res.json(await previewImpact(db, lifecycle, { kind: 'calendar', targetId: id, propose, limit: q.limit, cursor: q.cursor ?? null, now: Date.now() }));
  });

  return r;
}
