/** Business calendars: agents read, admins write (schemas and writes are the domain's sla-settings, shared with the console's forms). */
import { Router } from 'express';
import type { CalendarRow, Db } from '../../../db/schema';
import type { TicketService } from '../../../domain/tickets/ticket-service';
import { deleteCalendar, insertCalendar, updateCalendar } from '../../../domain/settings/sla-settings';
import { calendarSchema } from '../../kit/settings-schemas';
import { findCalendar, listCalendars } from '../../../db/repositories/calendars';
import { principalOf, requireRole } from '../../kit/auth';
import { parse } from '../../kit/validation';
import { idOf, iso } from './settings-params';
import { NotFound } from '../../../core/errors';

const calendarView = (c: Pick<CalendarRow, 'id' | 'name' | 'timezone' | 'weekly' | 'holidays' | 'created_at' | 'updated_at'>) => ({
  id: c.id, name: c.name, timezone: c.timezone, weekly: c.weekly, holidays: c.holidays, createdAt: iso(c.created_at), updatedAt: iso(c.updated_at),
});

export function calendarRoutes(db: Db, tickets: TicketService): Router {
  const r = Router();
  const readers = requireRole('admin', 'agent');
  const admin = requireRole('admin');
  const cache = tickets.settingsCache;
  r.get('/calendars', readers, async (_req, res) => res.json({ data: (await listCalendars(db)).map(calendarView) }));
  r.get('/calendars/:id', readers, async (req, res) => {
    const c = await findCalendar(db, idOf(req));
    if (!c) throw new NotFound('calendar');
    res.json(calendarView(c));
  });
  r.post('/calendars', admin, async (req, res) => {
    res.status(201).json(calendarView(await insertCalendar(db, cache, parse(calendarSchema, req.body))));
  });
  r.put('/calendars/:id', admin, async (req, res) => {
    const body = parse(calendarSchema, req.body);
    const c = await updateCalendar(db, cache, idOf(req), body, { rollouts: tickets.rollouts, by: principalOf(req).name });
    res.json({ ...calendarView(c), rolloutId: c.rolloutId });
  });
  r.delete('/calendars/:id', admin, async (req, res) => {
    await deleteCalendar(db, cache, idOf(req));
    res.status(204).end();
  });
  return r;
}
