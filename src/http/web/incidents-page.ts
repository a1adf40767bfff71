/**
 * The incidents board: active incidents with severity, commander, acknowledgement state and
 * linked tickets; declare one, post an update (optionally moving its status), acknowledge.
 * Every action goes through IncidentService, so it is an update to the incident's workflow.
 * The ticket page's "link to an incident" uses linkTicketToIncident below.
 */
import { Router, type Request } from 'express';
import type { Db, TicketRow } from '../../db/schema';
import { isRefusal, InvalidInput, NotFound } from '../../core/errors';
import { formText } from '../kit/form';
import { listIncidents } from '../../domain/incidents/incident-reads';
import type { IncidentService } from '../../domain/incidents/incident-service';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES, type IncidentSeverity, type IncidentStatus } from '../../../workflows/contract/incident';
import { csrfField } from './csrf';
import { formatInstant } from './format';
import { html, queryString, type SafeHtml } from './html';
import { page } from './layout';
import { countdown } from './queue-page';
import { sessionOf } from './session';
import { activeIncidentChoices, findIncidentRow, incidentsOfTicket, linkedTicketsOf } from '../../db/repositories/incidents';
import { UUID } from '../../core/uuid';
import { logSubject } from '../kit/request-observer';

const field = formText;

async function findIncident(db: Db, id: unknown) {
  const incident = typeof id === 'string' && UUID.test(id) ? await findIncidentRow(db, id) : undefined;
  if (!incident) throw new NotFound('incident');
  return incident;
}

/** Active incidents for the ticket page's "link to an incident" and the incidents a ticket is linked to. */
export async function ticketIncidents(db: Db, ticketId: string) {
  const [active, linked] = await Promise.all([
    activeIncidentChoices(db),
    incidentsOfTicket(db, ticketId),
  ]);
  return { active, linked };
}

export type TicketIncidents = Awaited<ReturnType<typeof ticketIncidents>>;

export function incidentLinkForm(t: TicketRow, csrf: string, data: TicketIncidents): SafeHtml {
  const linkable = data.active.filter((i) => !data.linked.some((l) => l.id === i.id));
  if (!linkable.length) return html`<p class="row muted">No active incident to link to.</p>`;
  return html`<form method="post" action="/console/tickets/${t.id}/incident" class="row">${csrfField(csrf)}
<label for="incident">Incident</label>
<select id="incident" name="incidentId">${linkable.map((i) => html`<option value="${i.id}">${i.number} ${i.title} (${i.severity})</option>`)}</select>
<button type="submit">Link to incident</button>
</form>`;
}

export function linkedIncidentsPanel(data: TicketIncidents): SafeHtml {
  if (!data.linked.length) return html``;
  return html`<section aria-labelledby="inc-h"><h2 id="inc-h">Incidents</h2><ul id="linked-incidents">${data.linked.map(
    (i) => html`<li><a href="/console/incidents#incident-${i.id}">${i.number}</a> ${i.title} <span class="sev sev-${i.severity}">${i.severity}</span> <span class="muted">${i.status}</span></li>`,
  )}</ul></section>`;
}

export async function linkTicketToIncident(db: Db, incidents: IncidentService, req: Request, t: TicketRow): Promise<string> {
  const incident = await findIncident(db, field(req, 'incidentId'));
  await incidents.link(req.principal!, incident, t.id);
  return `Linked to ${incident.number}.`;
}

export function incidentRoutes(db: Db, incidents: IncidentService): Router {
  const r = Router();
  r.param('id', logSubject('incident'));

  r.get('/console/incidents', async (req, res) => {
    const s = sessionOf(req);
    const tz = s.user.time_zone;
    const now = Date.now();
    const active = await listIncidents(db, { active: true, limit: 100 });
    const links = await linkedTicketsOf(db, active.map((i) => i.id));
    const csrf = csrfField(s.csrfToken);
    const cards = active.map((i) => {
      const ack = i.acknowledged_at
        ? html`<span class="badge badge-met ack-state">acknowledged</span> by ${i.acknowledged_by ?? '?'} at ${formatInstant(i.acknowledged_at, tz)}`
        : html`<span class="badge badge-breached ack-state">unacknowledged</span>${i.ack_due_at ? html` — due ${formatInstant(i.ack_due_at, tz)} (${countdown(i.ack_due_at, now)})` : ''}`;
      const tickets = links.filter((l) => l.incident_id === i.id);
      return html`<article class="card incident sev-border-${i.severity}" id="incident-${i.id}" aria-labelledby="inc-${i.id}">
<h2 id="inc-${i.id}"><span class="muted">${i.number}</span> ${i.title} <span class="sev sev-${i.severity}">${i.severity}</span></h2>
<dl class="facts">
<dt>Status</dt><dd class="incident-status">${i.status}</dd>
<dt>Commander</dt><dd>${i.commander ?? html`<span class="muted">none</span>`}</dd>
<dt>Acknowledgement</dt><dd>${ack}</dd>
<dt>Resolution due</dt><dd>${i.res_due_at ? formatInstant(i.res_due_at, tz) : '—'}</dd>
<dt>Linked tickets</dt><dd class="linked-tickets">${tickets.length ? tickets.map((t) => html`<a href="/console/tickets/${t.id}">${t.number}</a> <span class="muted">${t.subject} (${t.status})</span><br>`) : html`<span class="muted">none</span>`}</dd>
</dl>
<div class="row">
${i.acknowledged_at ? '' : html`<form method="post" action="/console/incidents/${i.id}/acknowledge">${csrf}<button type="submit" aria-label="Acknowledge ${i.number}">Acknowledge</button></form>`}
</div>
<form method="post" action="/console/incidents/${i.id}/updates" class="stack">${csrf}
<label for="update-${i.id}">Update for ${i.number}</label>
<textarea id="update-${i.id}" name="body" rows="2"></textarea>
<div class="row">
<label for="status-${i.id}">New status</label>
<select id="status-${i.id}" name="status"><option value="">(unchanged)</option>${INCIDENT_STATUSES.filter((st) => st !== i.status).map((st) => html`<option value="${st}">${st}</option>`)}</select>
<label><input type="checkbox" name="internal" value="1"> internal only</label>
<button type="submit">Post update</button>
</div>
</form>
</article>`;
    });
    const body = html`<h1>Active incidents</h1>
${cards.length ? cards : html`<p class="empty">No active incidents.</p>`}
<h2>Declare an incident</h2>
<form method="post" action="/console/incidents" class="stack card">${csrf}
<label for="inc-title">Title</label><input id="inc-title" name="title" required maxlength="300">
<label for="inc-severity">Severity</label><select id="inc-severity" name="severity">${INCIDENT_SEVERITIES.map((sv) => html`<option value="${sv}"${sv === 'high' ? html` selected` : ''}>${sv}</option>`)}</select>
<label for="inc-description">What is happening?</label><textarea id="inc-description" name="description" rows="3"></textarea>
<button type="submit" class="primary">Declare</button>
</form>`;
    const notice = typeof req.query.notice === 'string' ? req.query.notice : null;
    const error = typeof req.query.error === 'string' ? req.query.error : null;
    res.type('html').send(page({ title: 'Incidents', user: s.user, csrfToken: s.csrfToken, nav: 'incidents', notice, error, body }).value);
  });

  const back = (res: import('express').Response, o: { notice?: string; error?: string }) => res.redirect(303, `/console/incidents${queryString(o)}`);
  const guarded = async (res: import('express').Response, run: () => Promise<string>) => {
    try {
      back(res, { notice: await run() });
    } catch (err) {
      if (!isRefusal(err)) throw err;
      back(res, { error: err.message });
    }
  };

  r.post('/console/incidents', async (req, res) =>
    guarded(res, async () => {
      const title = field(req, 'title');
      const severity = field(req, 'severity') as IncidentSeverity;
      if (!title) throw new InvalidInput('An incident needs a title.');
      if (!INCIDENT_SEVERITIES.includes(severity)) throw new InvalidInput('Unknown severity.');
      const { incident } = await incidents.create(req.principal!, { title: title.slice(0, 300), description: field(req, 'description'), severity, responders: [], affectedComponents: [] });
      return `Declared ${incident.number}.`;
    }),
  );

  r.post('/console/incidents/:id/acknowledge', async (req, res) =>
    guarded(res, async () => {
      const incident = await findIncident(db, req.params.id);
      await incidents.acknowledge(req.principal!, incident, 'console');
      return `Acknowledged ${incident.number}.`;
    }),
  );

  r.post('/console/incidents/:id/updates', async (req, res) =>
    guarded(res, async () => {
      const incident = await findIncident(db, req.params.id);
      const text = field(req, 'body');
      const status = field(req, 'status') as IncidentStatus | '';
      if (status && !INCIDENT_STATUSES.includes(status)) throw new InvalidInput('Unknown status.');
      if (!text && !status) throw new InvalidInput('Write an update or pick a status.');
      await incidents.postUpdate(req.principal!, incident, { ...(text && { body: text.slice(0, 20_000) }), ...(status && { status }), public: field(req, 'internal') !== '1' });
      return `Update posted to ${incident.number}.`;
    }),
  );

  return r;
}
