/** SLA policies: agents read, admins write (schemas, inserts and updates are the domain's sla-settings). */
import { Router } from 'express';
import type { Db, SlaPolicyRow } from '../../../db/schema';
import type { TicketService } from '../../../domain/tickets/ticket-service';
import { insertPolicy, updatePolicy } from '../../../domain/settings/sla-settings';
import { policySchema } from '../../kit/settings-schemas';
import { deletePolicy, findPolicy, listPolicies } from '../../../db/repositories/sla-policies';
import { principalOf, requireRole } from '../../kit/auth';
import { parse } from '../../kit/validation';
import { idOf, iso } from './settings-params';
import { NotFound } from '../../../core/errors';

const policyView = (p: SlaPolicyRow) => ({
  id: p.id, name: p.name, tier: p.tier, priority: p.priority, calendarId: p.calendar_id,
  firstResponseMinutes: p.first_response_minutes, resolutionMinutes: p.resolution_minutes,
  pauseOn: p.pause_on, escalations: p.escalations, autoCloseDays: p.auto_close_days, pauseOnIncident: p.pause_on_incident,
  nextReplyMinutes: p.next_reply_minutes, nextReplyEscalations: p.next_reply_escalations,
  updateEveryMinutes: p.update_every_minutes, updateEscalations: p.update_escalations,
  createdAt: iso(p.created_at), updatedAt: iso(p.updated_at),
});

export function slaPolicyRoutes(db: Db, tickets: TicketService): Router {
  const r = Router();
  const readers = requireRole('admin', 'agent');
  const admin = requireRole('admin');
  const cache = tickets.settingsCache;
  r.get('/sla-policies', readers, async (_req, res) => res.json({ data: (await listPolicies(db)).map(policyView) }));
  r.get('/sla-policies/:id', readers, async (req, res) => {
    const p = await findPolicy(db, idOf(req));
    if (!p) throw new NotFound('SLA policy');
    res.json(policyView(p));
  });
  r.post('/sla-policies', admin, async (req, res) => {
    res.status(201).json(policyView(await insertPolicy(db, cache, parse(policySchema, req.body))));
  });
  r.put('/sla-policies/:id', admin, async (req, res) => {
    const body = parse(policySchema, req.body);
    const p = await updatePolicy(db, cache, idOf(req), body, { rollouts: tickets.rollouts, by: principalOf(req).name });
    res.json({ ...policyView(p), rolloutId: p.rolloutId });
  });
  r.delete('/sla-policies/:id', admin, async (req, res) => {
    if (!(await deletePolicy(db, idOf(req)))) throw new NotFound('SLA policy');
    res.status(204).end();
  });
  return r;
}
