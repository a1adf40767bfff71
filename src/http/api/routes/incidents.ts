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
import { ApiError } from '../../kit/errors';
import { createIncidentSchema, incidentPolicySchema, incidentUpdateSchema, linkTicketSchema, listIncidentsQuery, metricsQuery, patchIncidentSchema, postmortemSchema, severity } from '../incident-schemas';
import { MAX_REPORT_SPAN_DAYS, uuid } from '../../kit/schemas';
import { idempotencyKeyOf, parse, parseCursor } from '../../kit/validation';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
const DAY_MS = 86_400_000;

export function incidentRoutes(db: Db, incidents: IncidentService): Router {
  const r = Router();
  r.use(requireRole('admin', 'agent'));

  const findIncident = async (req: Request) => {
    const id = parse(uuid, req.params.id, 'params');
    const incident = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!incident) throw ApiError.notFound('incident');
    return incident;
  };
  const reread = async (id: string) => incidentView(await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow());

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
    if (from >= to) throw new ApiError(400, 'validation_failed', 'from must be before to', [{ path: 'from', message: 'must be before to' }]);
    if (to.getTime() - from.getTime() > MAX_REPORT_SPAN_DAYS * DAY_MS) {
      throw new ApiError(400, 'validation_failed', `the period may cover at most ${MAX_REPORT_SPAN_DAYS} days`, [{ path: 'from', message: `at most ${MAX_REPORT_SPAN_DAYS} days before to` }]);
    }
    res.json({ from: from.toISOString(), to: to.toISOString(), bySeverity: await incidentMetrics(db, from, to) });
  });

  r.get('/:id', async (req, res) => {
    const incident = await findIncident(req);
    const [tickets, postmortem, sla] = await Promise.all([
      db
        .selectFrom('incident_tickets as l')
        .innerJoin('tickets as t', 't.id', 'l.ticket_id')
        .select(['t.id', 't.number', 't.subject', 't.status', 'l.linked_at', 'l.linked_by'])
        .where('l.incident_id', '=', incident.id)
        .orderBy('l.linked_at')
        .execute(),
      db.selectFrom('incident_postmortems').selectAll().where('incident_id', '=', incident.id).executeTakeFirst(),
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
    const u = await db.selectFrom('incident_updates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    res.status(201).json(updateView(u));
  });

  r.get('/:id/updates', async (req, res) => {
    const incident = await findIncident(req);
    const rows = await db.selectFrom('incident_updates').selectAll().where('incident_id', '=', incident.id).orderBy('created_at').orderBy('id').execute();
    res.json({ data: rows.map(updateView) });
  });

  r.get('/:id/events', async (req, res) => {
    const incident = await findIncident(req);
    const rows = await db.selectFrom('incident_events').selectAll().where('incident_id', '=', incident.id).orderBy('seq').execute();
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
    const p = await db.selectFrom('incident_postmortems').selectAll().where('incident_id', '=', incident.id).executeTakeFirstOrThrow();
    res.json({ summary: p.summary, rootCause: p.root_cause, actionItems: p.action_items, recordedBy: p.recorded_by, recordedAt: iso(p.recorded_at) });
  });

  return r;
}

function updateView(u: { id: string; incident_id: string; status: string; body: string; public: boolean; author: string; created_at: Date }) {
  return { id: u.id, incidentId: u.incident_id, status: u.status, body: u.body, public: u.public, author: u.author, createdAt: iso(u.created_at) };
}

/** /api/v1/incident-policies: each severity's targets, ladders and post-mortem rule (admin writes). */
export function incidentPolicyRoutes(db: Db): Router {
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
  const all = () => db.selectFrom('incident_policies').selectAll().orderBy('rank').execute();
  r.get('/', requireRole('admin', 'agent'), async (_req, res) => res.json({ data: (await all()).map(view) }));
  r.put('/:severity', requireRole('admin'), async (req, res) => {
    const sev = parse(severity, req.params.severity, 'params');
    const b = parse(incidentPolicySchema, req.body);
    if (b.calendarId && !(await db.selectFrom('calendars').select('id').where('id', '=', b.calendarId).executeTakeFirst())) {
      throw new ApiError(400, 'validation_failed', 'unknown calendar', [{ path: 'calendarId', message: 'no such calendar' }]);
    }
    const p = await db
      .updateTable('incident_policies')
      .set({
        acknowledge_minutes: b.acknowledgeMinutes,
        resolve_minutes: b.resolveMinutes,
        calendar_id: b.calendarId,
        acknowledgement_escalations: JSON.stringify(b.acknowledgementEscalations),
        resolution_escalations: JSON.stringify(b.resolutionEscalations),
        postmortem_required: b.postmortemRequired,
        postmortem_reminder_hours: JSON.stringify(b.postmortemReminderHours),
        solve_linked_tickets: b.solveLinkedTickets,
        ...(b.updateEveryMinutes !== undefined && { update_every_minutes: b.updateEveryMinutes }),
        ...(b.updateEscalations !== undefined && { update_escalations: JSON.stringify(b.updateEscalations) }),
        updated_at: new Date(),
      })
      .where('severity', '=', sev)
      .returningAll()
      .executeTakeFirstOrThrow();
    res.json(view(p));
  });
  return r;
}
