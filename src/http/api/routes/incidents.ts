/**
 * /api/v1/incidents: declare, list, read, patch; timeline updates; acknowledge; linked
 * tickets; the post-mortem; MTTA/MTTR. Agents and admins only (customers read the public
 * status page). Every change is an update to the incident's workflow.
 */
import { Router, type Request } from 'express';
import type { Db } from '../../../db/schema';
import { encodeCursor } from '../../../db/repositories/tickets';
import { incidentMetrics, incidentView, listIncidents } from '../../../domain/incidents/incident-reads';
import type { IncidentService } from '../../../domain/incidents/incident-service';
import { principalOf, requireRole } from '../../kit/auth';
import { createIncidentSchema, incidentUpdateSchema, linkTicketSchema, listIncidentsQuery, metricsQuery, patchIncidentSchema, postmortemSchema, severity } from '../incident-schemas';
import { MAX_REPORT_SPAN_DAYS, uuid } from '../../kit/schemas';
import { idempotencyKeyOf, parse, parseCursor } from '../../kit/validation';
import { findIncidentRow, findIncidentUpdate, findPostmortem, linkedTickets, listIncidentEvents, listIncidentUpdates } from '../../../db/repositories/incidents';
import { findCalendar } from '../../../db/repositories/calendars';
import { listIncidentPolicies } from '../../../db/repositories/incident-policies';
import { saveIncidentPolicy } from '../../../domain/settings/incident-policy-settings';
import { incidentPolicySchema } from '../../kit/settings-schemas';
import type { RolloutStarter } from '../../../domain/settings/rollouts';
import { logSubject } from '../../kit/request-observer';
import { InvalidInput, NotFound } from '../../../core/errors';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
const DAY_MS = 86_400_000;

export function incidentRoutes(db: Db, incidents: IncidentService): Router {
  const r = Router();
  r.param('id', logSubject('incident'));
  r.use(requireRole('admin', 'agent'));

  const findIncident = async (req: Request) => {
    const id = parse(uuid, req.params.id, 'params');
    const incident = await findIncidentRow(db, id);
    if (!incident) throw new NotFound('incident');
    return incident;
  };
  const reread = async (id: string) => incidentView((await findIncidentRow(db, id))!);

  r.post('/', async (req, res) => {
    const body = parse(createIncidentSchema, req.body);
    const { incident, replayed } = await incidents.create(principalOf(req), body, idempotencyKeyOf(req));
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.status(replayed ? 200 : 201).location(`/api/v1/incidents/${incident.id}`).json(incidentView(incident));
  });

  r.get('/', async (req, res) => {
    const q = parse(listIncidentsQuery, req.query, 'query');
    const cursor = q.cursor === undefined ? undefined : parseCursor(q.cursor);
    const rows = await listIncidents(db, { ...q, cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    res.json({ data: page.map(incidentView), nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null });
  });

  // Before /:id so "metrics" is not read as an id.
  r.get('/metrics', async (req, res) => {
    const q = parse(metricsQuery, req.query, 'query');
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw new InvalidInput('from must be before to', [{ path: 'from', message: 'must be before to' }]);
    if (to.getTime() - from.getTime() > MAX_REPORT_SPAN_DAYS * DAY_MS) {
      throw new InvalidInput(`the period may cover at most ${MAX_REPORT_SPAN_DAYS} days`, [{ path: 'from', message: `at most ${MAX_REPORT_SPAN_DAYS} days before to` }]);
    }
    res.json({ from: from.toISOString(), to: to.toISOString(), bySeverity: await incidentMetrics(db, from, to) });
  });

  r.get('/:id', async (req, res) => {
    const incident = await findIncident(req);
    const [tickets, postmortem, sla] = await Promise.all([
      linkedTickets(db, incident.id),
      findPostmortem(db, incident.id),
      // The record stands on its own; the live clocks are a bonus a busy or stopped worker may not give.
      incidents.lifecycle.state(incident.id).catch(() => null),
    ]);
    res.json({
      ...incidentView(incident),
      linkedTickets: tickets.map((t) => ({ id: t.id, number: t.number, subject: t.subject, status: t.status, linkedAt: iso(t.linked_at), linkedBy: t.linked_by })),
      postmortem: postmortem ? { summary: postmortem.summary, rootCause: postmortem.root_cause, actionItems: postmortem.action_items, recordedBy: postmortem.recorded_by, recordedAt: iso(postmortem.recorded_at) } : null,
      sla,
    });
  });

  r.patch('/:id', async (req, res) => {
    const incident = await findIncident(req);
    await incidents.patch(principalOf(req), incident, parse(patchIncidentSchema, req.body), idempotencyKeyOf(req));
    res.json(await reread(incident.id));
  });

  r.post('/:id/updates', async (req, res) => {
    const incident = await findIncident(req);
    const id = await incidents.postUpdate(principalOf(req), incident, parse(incidentUpdateSchema, req.body), idempotencyKeyOf(req));
    const u = (await findIncidentUpdate(db, id))!;
    res.status(201).json(updateView(u));
  });

  r.get('/:id/updates', async (req, res) => {
    const incident = await findIncident(req);
    const rows = await listIncidentUpdates(db, incident.id);
    res.json({ data: rows.map(updateView) });
  });

  r.get('/:id/events', async (req, res) => {
    const incident = await findIncident(req);
    const rows = await listIncidentEvents(db, incident.id);
    res.json({ data: rows.map((e) => ({ id: e.id, seq: Number(e.seq), type: e.type, at: iso(e.at), actor: e.actor, visibility: e.visibility, data: e.data })) });
  });

  r.post('/:id/acknowledge', async (req, res) => {
    const incident = await findIncident(req);
    await incidents.acknowledge(principalOf(req), incident, 'api');
    res.json(await reread(incident.id));
  });

  r.post('/:id/tickets', async (req, res) => {
    const incident = await findIncident(req);
    const { ticketId } = parse(linkTicketSchema, req.body);
    await incidents.link(principalOf(req), incident, ticketId);
    res.status(201).json({ incidentId: incident.id, ticketId });
  });

  r.delete('/:id/tickets/:ticketId', async (req, res) => {
    const incident = await findIncident(req);
    const ticketId = parse(uuid, req.params.ticketId, 'params');
    await incidents.unlink(principalOf(req), incident, ticketId);
    res.status(204).end();
  });

  r.put('/:id/postmortem', async (req, res) => {
    const incident = await findIncident(req);
    await incidents.recordPostmortem(principalOf(req), incident, parse(postmortemSchema, req.body), idempotencyKeyOf(req));
    const p = (await findPostmortem(db, incident.id))!;
    res.json({ summary: p.summary, rootCause: p.root_cause, actionItems: p.action_items, recordedBy: p.recorded_by, recordedAt: iso(p.recorded_at) });
  });

  return r;
}

function updateView(u: { id: string; incident_id: string; status: string; body: string; public: boolean; author: string; created_at: Date }) {
  return { id: u.id, incidentId: u.incident_id, status: u.status, body: u.body, public: u.public, author: u.author, createdAt: iso(u.created_at) };
}

/** /api/v1/incident-policies: each severity's targets, ladders and post-mortem rule (admin writes, each carried to the incidents not yet closed by a rollout). */
export function incidentPolicyRoutes(db: Db, rollouts: RolloutStarter): Router {
  const r = Router();
  const view = (p: Awaited<ReturnType<typeof all>>[number]) => ({
    severity: p.severity,
    acknowledgeMinutes: p.acknowledge_minutes,
    resolveMinutes: p.resolve_minutes,
    calendarId: p.calendar_id,
    acknowledgementEscalations: p.acknowledgement_escalations,
    resolutionEscalations: p.resolution_escalations,
    postmortemRequired: p.postmortem_required,
    postmortemReminderHours: p.postmortem_reminder_hours,
    solveLinkedTickets: p.solve_linked_tickets,
    updateEveryMinutes: p.update_every_minutes,
    updateEscalations: p.update_escalations,
    updatedAt: iso(p.updated_at),
  });
  const all = () => listIncidentPolicies(db);
  r.get('/', requireRole('admin', 'agent'), async (_req, res) => res.json({ data: (await all()).map(view) }));
  r.put('/:severity', requireRole('admin'), async (req, res) => {
    const sev = parse(severity, req.params.severity, 'params');
    const b = parse(incidentPolicySchema, req.body);
    if (b.calendarId && !(await findCalendar(db, b.calendarId))) {
      throw new InvalidInput('unknown calendar', [{ path: 'calendarId', message: 'no such calendar' }]);
    }
    const p = await saveIncidentPolicy(db, sev, b, { rollouts, by: principalOf(req).name });
    res.json({ ...view(p), rolloutId: p.rolloutId });
  });
  return r;
}
