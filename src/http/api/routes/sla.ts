/** /api/v1/sla: the preview contract, and the breached and at-risk lists. */
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../../db/schema';
import { listTickets } from '../../../db/repositories/tickets';
import { BusinessCalendar, CalendarError } from '../../../../workflows/sla/business-calendar';
import { previewSla, type PreviewEvent } from '../../../../workflows/sla/sla-preview';
import { customerTicketView, ticketView } from '../../../domain/tickets/ticket-view';
import { principalOf, requireRole } from '../../kit/auth';
import { calendarSpecSchema, isoInstant, MAX_LADDER_STEPS, MAX_PREVIEW_SPAN_DAYS, MAX_TARGET_MINUTES, status, uuid } from '../../kit/schemas';
import { parse } from '../../kit/validation';
import { InvalidInput } from '../../../core/errors';

const instant = isoInstant().transform((s) => Date.parse(s));
const DAY_MS = 86_400_000;
/**
 * Each customer reply may start a next-reply cycle, and each cycle walks the calendar once per
 * ladder step: 200 cycles with 10 steps at a year's target measured near 0.4 s, like the other bounds.
 */
export const MAX_PREVIEW_CUSTOMER_REPLIES = 200;

export const previewSchema = z.strictObject({
  policy: z.strictObject({
    calendar: calendarSpecSchema,
    firstResponseMinutes: z.number().positive().max(MAX_TARGET_MINUTES),
    resolutionMinutes: z.number().positive().max(MAX_TARGET_MINUTES),
    pauseOn: z.array(status).max(20).default(['pending']),
    escalations: z.array(z.strictObject({ percent: z.number().positive().max(1000) })).max(MAX_LADDER_STEPS).default([{ percent: 80 }, { percent: 100 }, { percent: 120 }]),
    /** Null or absent: no next-reply clock (the answer's nextReply is empty). */
    nextReplyMinutes: z.number().positive().max(MAX_TARGET_MINUTES).nullable().optional(),
    /** The next-reply clock's own ladder; absent = escalations. */
    nextReplyEscalations: z.array(z.strictObject({ percent: z.number().positive().max(1000) })).max(MAX_LADDER_STEPS).optional(),
  }),
  createdAt: instant,
  events: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({ at: instant, type: z.literal('agent_reply') }),
        z.strictObject({ at: instant, type: z.literal('customer_reply') }),
        z.strictObject({ at: instant, type: z.literal('internal_note') }),
        z.strictObject({ at: instant, type: z.literal('status'), status }),
      ]),
    )
    .max(10_000)
    .default([]),
})
  // Open time between instants is summed day by day: the span bounds the work (a wider one blocked the process for seconds).
  .superRefine((body, ctx) => {
    const limit = body.createdAt + MAX_PREVIEW_SPAN_DAYS * DAY_MS;
    const far = body.events.findIndex((e) => e.at > limit);
    if (far >= 0) ctx.addIssue({ code: 'custom', path: ['events', far, 'at'], message: `more than ${MAX_PREVIEW_SPAN_DAYS} days after createdAt` });
    let replies = 0;
    const over = body.events.findIndex((e) => e.type === 'customer_reply' && ++replies > MAX_PREVIEW_CUSTOMER_REPLIES);
    if (over >= 0) ctx.addIssue({ code: 'custom', path: ['events', over], message: `at most ${MAX_PREVIEW_CUSTOMER_REPLIES} customer_reply events` });
  });

export const listQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(100), organizationId: uuid.optional() });

export function slaRoutes(db: Db): Router {
  const r = Router();

  r.post('/preview', requireRole('admin', 'agent'), (req, res) => {
    const body = parse(previewSchema, req.body);
    const late = body.events.findIndex((e) => e.at < body.createdAt);
    if (late >= 0) throw new InvalidInput('an event happens before createdAt', [{ path: `events.${late}.at`, message: 'before createdAt' }]);
    try {
      BusinessCalendar.from(body.policy.calendar);
    } catch (err) {
      if (err instanceof CalendarError) throw new InvalidInput(err.message, [{ path: `policy.calendar.${err.field}`, message: err.message }]);
      throw err;
    }
    res.json(previewSla(body.policy, body.createdAt, body.events as PreviewEvent[]));
  });

  const list = (which: 'breached' | 'atRisk') => async (req: import('express').Request, res: import('express').Response) => {
    const q = parse(listQuery, req.query, 'query');
    const p = principalOf(req);
    const rows = await listTickets(db, {
      [which]: true,
      status: ['new', 'open', 'pending', 'on_hold', 'solved'],
      organizationId: p.role === 'customer' ? p.organizationId! : q.organizationId,
      limit: q.limit,
    });
    const now = Date.now();
    const view = p.role === 'customer' ? customerTicketView : ticketView;
    res.json({ data: rows.map((t) => view(t, now)) });
  };
  r.get('/breaches', list('breached'));
  r.get('/at-risk', list('atRisk'));
  return r;
}
