/**
 * The admin pages for incident policies: one per severity, listed with their clocks and
 * ladders, and a form that edits every field the API's PUT /incident-policies/:severity takes
 * (acknowledgement and resolution targets and ladders, calendar, post-mortem rule and
 * reminders, solving linked tickets, the update cadence and its ladder). The form goes through
 * the API's schema and the same save (settings/incident-policy-settings), which starts the
 * rollout to incidents not yet closed; bad input re-renders the form with each problem at its
 * field and changes nothing. Admins only; managers see the list read-only.
 */
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/schema';
import { statusOf } from '../kit/errors';
import { PacerError, InvalidInput, NotFound } from '../../core/errors';
import { parse } from '../kit/validation';
import { incidentPolicySchema } from '../kit/settings-schemas';
import { INCIDENT_SEVERITIES, type IncidentSeverity } from '../../../workflows/contract/incident';
import { z } from 'zod';
import type { TicketService } from '../../domain/tickets/ticket-service';
import { saveIncidentPolicy } from '../../domain/settings/incident-policy-settings';
import { listIncidentPolicies, type IncidentPolicyFields } from '../../db/repositories/incident-policies';
import { findCalendar, listCalendarChoices } from '../../db/repositories/calendars';
import { adminPage } from './admin-pages';
import { csrfField } from './csrf';
import { html, queryString, type SafeHtml } from './html';
import { sessionOf } from './session';
import { attempt, fieldError, formErrors, invalid, ladderText, laddersOf, parseWithLadders, problemsOf, requireAdmin, str, type Body, type Problems } from './sla-settings-pages';

const FIELDS = ['acknowledgeMinutes', 'resolveMinutes', 'calendarId', 'acknowledgementEscalations', 'resolutionEscalations', 'postmortemRequired', 'postmortemReminderHours', 'solveLinkedTickets', 'updateEveryMinutes', 'updateEscalations'];
const LADDERS = ['acknowledgementEscalations', 'resolutionEscalations', 'updateEscalations'] as const;

interface FormValues {
  acknowledgeMinutes: string; resolveMinutes: string; calendarId: string; acknowledgementEscalations: string; resolutionEscalations: string;
  postmortemRequired: boolean; postmortemReminderHours: string; solveLinkedTickets: boolean; updateEveryMinutes: string; updateEscalations: string;
}

type PolicyRow = Awaited<ReturnType<typeof listIncidentPolicies>>[number];

const valuesOfRow = (p: PolicyRow): FormValues => ({
  acknowledgeMinutes: String(p.acknowledge_minutes), resolveMinutes: String(p.resolve_minutes), calendarId: p.calendar_id ?? '',
  acknowledgementEscalations: ladderText(p.acknowledgement_escalations), resolutionEscalations: ladderText(p.resolution_escalations),
  postmortemRequired: p.postmortem_required, postmortemReminderHours: p.postmortem_reminder_hours.join(', '), solveLinkedTickets: p.solve_linked_tickets,
  updateEveryMinutes: p.update_every_minutes === null ? '' : String(p.update_every_minutes), updateEscalations: ladderText(p.update_escalations),
});

const valuesOfBody = (b: Body): FormValues => ({
  acknowledgeMinutes: str(b, 'acknowledgeMinutes'), resolveMinutes: str(b, 'resolveMinutes'), calendarId: str(b, 'calendarId'),
  acknowledgementEscalations: str(b, 'acknowledgementEscalations'), resolutionEscalations: str(b, 'resolutionEscalations'),
  postmortemRequired: str(b, 'postmortemRequired') === 'on', postmortemReminderHours: str(b, 'postmortemReminderHours'), solveLinkedTickets: str(b, 'solveLinkedTickets') === 'on',
  updateEveryMinutes: str(b, 'updateEveryMinutes'), updateEscalations: str(b, 'updateEscalations'),
});

/** The form as the API's JSON body: empty minutes are null (the schema names them), an empty ladder box is the empty ladder, except the cadence's (kept). */
function inputOf(b: Body) {
  const minutes = (name: string) => (str(b, name) === '' ? null : Number(str(b, name)));
  const { ladders, ladderProblems } = laddersOf(b, LADDERS);
  const hours = str(b, 'postmortemReminderHours');
  return {
    input: {
      acknowledgeMinutes: minutes('acknowledgeMinutes'), resolveMinutes: minutes('resolveMinutes'), calendarId: str(b, 'calendarId') || null,
      acknowledgementEscalations: ladders.acknowledgementEscalations ?? (ladderProblems.some((l) => l.path === 'acknowledgementEscalations') ? undefined : []),
      resolutionEscalations: ladders.resolutionEscalations ?? (ladderProblems.some((l) => l.path === 'resolutionEscalations') ? undefined : []),
      postmortemRequired: str(b, 'postmortemRequired') === 'on',
      ...(hours !== '' && { postmortemReminderHours: hours.split(/[\s,]+/).filter(Boolean).map(Number) }),
      solveLinkedTickets: str(b, 'solveLinkedTickets') === 'on',
      ...('updateEveryMinutes' in b && { updateEveryMinutes: minutes('updateEveryMinutes') }),
      ...('updateEscalations' in ladders && { updateEscalations: ladders.updateEscalations }),
    },
    ladderProblems,
  };
}

const severityOf = (req: Request): IncidentSeverity => parse(z.enum(INCIDENT_SEVERITIES), req.params.severity, 'params');
const ladderWords = (steps: unknown) =>
  (steps as Array<{ percent: number; actions?: Array<{ type: string; role?: string }> }>).map((e) => html`${e.percent}%: ${(e.actions ?? []).map((a) => `${a.type}${a.role ? ` ${a.role}` : ''}`).join(', ') || 'record'}<br>`);

export function incidentPolicyPageRoutes(db: Db, tickets: TicketService): Router {
  const r = Router();

  r.get('/console/admin/incident-policies', async (req, res) => {
    const admin = sessionOf(req).user.role === 'admin';
    const [policies, calendars] = await Promise.all([listIncidentPolicies(db), listCalendarChoices(db)]);
    const calendarName = (id: string | null) => (id === null ? 'around the clock' : (calendars.find((c) => c.id === id)?.name ?? id));
    const body = html`<table>
<thead><tr><th scope="col">Severity</th><th scope="col">Acknowledge</th><th scope="col">Resolve</th><th scope="col">Calendar</th><th scope="col">Public update every</th><th scope="col">Acknowledgement ladder</th><th scope="col">Resolution ladder</th><th scope="col">Update ladder</th>${admin ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
<tbody>${policies.map((p) => html`<tr data-severity="${p.severity}"><td>${p.severity}</td><td>${p.acknowledge_minutes} min</td><td>${p.resolve_minutes} min</td><td>${calendarName(p.calendar_id)}</td><td class="update-every">${p.update_every_minutes === null ? '—' : `${p.update_every_minutes} min`}</td>
<td>${ladderWords(p.acknowledgement_escalations)}</td><td>${ladderWords(p.resolution_escalations)}</td><td>${ladderWords(p.update_escalations)}</td>${admin ? html`<td><a href="/console/admin/incident-policies/${p.severity}/edit">Edit<span class="visually-hidden"> ${p.severity}</span></a></td>` : ''}</tr>`)}</tbody>
</table>
<p class="muted">The API has the same: <code>/api/v1/incident-policies</code>.</p>`;
    res.type('html').send(adminPage(req, 'Incident policies', body));
  });

  const sendForm = async (req: Request, res: Response, severity: IncidentSeverity, v: FormValues, err?: PacerError) => {
    const s = sessionOf(req);
    const calendars = await listCalendarChoices(db);
    const { problems: p, general }: { problems: Problems; general: string[] } = err ? problemsOf(err, FIELDS) : { problems: new Map(), general: [] };
    const number = (id: string, name: keyof FormValues, label: string) =>
      html`<label for="${id}">${label}</label><input id="${id}" name="${name}" inputmode="numeric" value="${String(v[name])}"${invalid(p, name, id)}>${fieldError(p, name, id)}`;
    const ladder = (id: string, name: keyof FormValues, label: string) =>
      html`<label for="${id}">${label}</label><textarea id="${id}" name="${name}" rows="5" spellcheck="false"${invalid(p, name, id)}>${String(v[name])}</textarea>${fieldError(p, name, id)}`;
    const action = `/console/admin/incident-policies/${severity}`;
    const body: SafeHtml = html`${formErrors(general, p)}
<form method="post" action="${action}" class="stack card" id="incident-policy-form">${csrfField(s.csrfToken)}
${number('ip-ack', 'acknowledgeMinutes', 'Acknowledge within (minutes)')}
${number('ip-resolve', 'resolveMinutes', 'Resolve within (minutes)')}
<label for="ip-calendar">Calendar the clocks run on</label><select id="ip-calendar" name="calendarId"${invalid(p, 'calendarId', 'ip-calendar')}><option value="">Around the clock</option>${calendars.map((c) => html`<option value="${c.id}"${c.id === v.calendarId ? html` selected` : ''}>${c.name} (${c.timezone})</option>`)}</select>${fieldError(p, 'calendarId', 'ip-calendar')}
${ladder('ip-ack-ladder', 'acknowledgementEscalations', 'Acknowledgement ladder (JSON: a list of {"percent": 0, "actions": [{"type": "page"}]})')}
${ladder('ip-resolve-ladder', 'resolutionEscalations', 'Resolution ladder (JSON, as above)')}
<label class="check"><input type="checkbox" id="ip-postmortem" name="postmortemRequired"${v.postmortemRequired ? html` checked` : ''}> A post-mortem is required before closing</label>
${number('ip-reminders', 'postmortemReminderHours', 'Post-mortem reminders (hours after resolution, comma separated)')}
<label class="check"><input type="checkbox" id="ip-solve" name="solveLinkedTickets"${v.solveLinkedTickets ? html` checked` : ''}> Solve linked tickets when the incident resolves</label>
<fieldset><legend>Update cadence: while the incident is active, a public update is owed every</legend>
${number('ip-update-every', 'updateEveryMinutes', 'Public update every (minutes; empty = none)')}
${ladder('ip-update-ladder', 'updateEscalations', 'Update-cadence ladder (JSON, as above; empty = keep it)')}
</fieldset>
<button type="submit" class="primary">Save incident policy</button></form>
<p><a href="/console/admin/incident-policies">Back to incident policies</a></p>`;
    res.status(err ? statusOf(err) : 200).type('html').send(adminPage(req, `Edit the ${severity} incident policy`, body));
  };

  r.get('/console/admin/incident-policies/:severity/edit', async (req, res) => {
    requireAdmin(req);
    const severity = severityOf(req);
    const p = (await listIncidentPolicies(db)).find((x) => x.severity === severity);
    if (!p) throw new NotFound('incident policy');
    await sendForm(req, res, severity, valuesOfRow(p));
  });

  r.post('/console/admin/incident-policies/:severity', async (req, res) => {
    requireAdmin(req);
    const severity = severityOf(req);
    const b = (req.body ?? {}) as Body;
    await attempt(
      res,
      async () => {
        const { input, ladderProblems } = inputOf(b);
        const body = parseWithLadders<IncidentPolicyFields>(incidentPolicySchema, input, ladderProblems);
        if (body.calendarId && !(await findCalendar(db, body.calendarId))) throw new InvalidInput('unknown calendar', [{ path: 'calendarId', message: 'no such calendar' }]);
        const p = await saveIncidentPolicy(db, severity, body, { rollouts: tickets.rollouts, by: sessionOf(req).user.email });
        return `/console/admin/incident-policies${queryString({ notice: `Saved the ${severity} incident policy; rolling out to incidents not yet closed.`, rollout: p.rolloutId })}`;
      },
      (err) => sendForm(req, res, severity, valuesOfBody(b), err),
    );
  });

  return r;
}
