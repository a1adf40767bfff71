/**
 * Admin pages: organizations (admins add them and change tiers — a tier change re-targets
 * the open tickets through TicketService), business calendars, SLA policies with the SLA
 * preview (pick a policy and a start time, see the due times and the ladder, computed by the
 * same evaluator as the workflows), and users. Managers may look; admins may change. The
 * calendar and policy forms themselves are in sla-settings-pages.ts.
 */
import { Router, type Request } from 'express';
import type { Db } from '../../db/schema';
import { formText } from '../kit/form';
import { previewSla } from '../../../workflows/sla/sla-preview';
import { offsetAt } from '../../../workflows/sla/zone-offsets';
import type { TicketService } from '../../domain/tickets/ticket-service';
import { createUser, USER_ROLES, type UserRole } from '../../domain/users/users';
import { csrfField } from './csrf';
import { formatInstant, targetInWords } from './format';
import { html, queryString, type SafeHtml } from './html';
import { sessionOf } from './session';
import { sectionPage, type Section } from './section-page';
import { UUID } from '../../core/uuid';
import type { RolloutView } from '../../domain/settings/rollouts';
import { isUniqueViolation } from '../../db/pg-errors';
import { findOrganization, insertOrganization, listOrganizationNames, listOrganizations, listTiers, tierExists, updateOrganization } from '../../db/repositories/organizations';
import { listCalendars } from '../../db/repositories/calendars';
import { listPoliciesWithCalendars } from '../../db/repositories/sla-policies';
import { listUsersWithOrganization } from '../../db/repositories/users';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../../core/errors';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** One line of a rollout's progress; data-state tells console.js whether to ask again. */
export function rolloutLine(r: RolloutView): SafeHtml {
  const reasons = r.failures.slice(0, 3).map((f) => f.reason).join('; ');
  const state = r.status === 'finished' ? 'finished' : r.status === 'pending' ? 'waiting for the worker' : 'under way';
  const what = r.kind === 'incident_policy' ? 'incidents' : 'open tickets';
  return html`<p class="rollout" data-rollout="${r.id}" data-state="${r.status}">Rollout ${state}: ${String(r.done)} of ${String(r.affected)} ${what} re-targeted, ${String(r.unchanged)} already current, ${String(r.failed)} failed${reasons ? html` (${reasons})` : ''}.</p>`;
}

const ADMIN: Section = {
  nav: 'admin',
  label: 'Admin',
  tabs: [
    ['/console/admin/organizations', 'Organizations'],
    ['/console/admin/calendars', 'Calendars'],
    ['/console/admin/policies', 'SLA policies'],
    ['/console/admin/incident-policies', 'Incident policies'],
    ['/console/admin/users', 'Users'],
    ['/console/admin/routing/groups', 'Routing groups'],
    ['/console/admin/routing/rules', 'Routing rules'],
  ],
};

export function adminPage(req: Request, title: string, body: SafeHtml): string {
  // A save that started a rollout: a line console.js keeps current from /console/admin/rollouts/:id until it finishes.
  const rollout = typeof req.query.rollout === 'string' && UUID.test(req.query.rollout)
    ? html`<p class="rollout" data-rollout="${req.query.rollout}" data-state="running">Rolling the edit out to open tickets…</p>`
    : '';
  return sectionPage(req, ADMIN, title, body, { above: rollout });
}

const requireAdmin = (req: Request) => {
  if (sessionOf(req).user.role !== 'admin') throw new Forbidden('Only admins change settings.');
};
const field = formText;

/** The instant a wall time (YYYY-MM-DDTHH:MM) names in a zone. */
export function wallTimeToInstant(local: string, zone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  const first = wall - offsetAt(zone, wall);
  return wall - offsetAt(zone, first);
}

function wallTimeNow(zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date());
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '00';
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}`;
}

export function adminPageRoutes(db: Db, tickets: TicketService): Router {
  const r = Router();

  r.get('/console/admin', (_req, res) => res.redirect(303, '/console/admin/organizations'));

  r.get('/console/admin/rollouts/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new NotFound('rollout');
    res.type('html').send(rolloutLine(await tickets.rollouts.view(id)).value);
  });

  r.get('/console/admin/organizations', async (req, res) => {
    const s = sessionOf(req);
    const [orgs, tiers] = await Promise.all([
      listOrganizations(db),
      listTiers(db),
    ]);
    const admin = s.user.role === 'admin';
    const tierSelect = (id: string, current: string) =>
      html`<select id="${id}" name="tier">${tiers.map((t) => html`<option value="${t.name}"${t.name === current ? html` selected` : ''}>${t.label}</option>`)}</select>`;
    const body = html`<table>
<thead><tr><th scope="col">Name</th><th scope="col">Tier</th><th scope="col">Email domains</th></tr></thead>
<tbody>${orgs.map((o) => html`<tr><td>${o.name}</td><td>${admin ? html`<form method="post" action="/console/admin/organizations/${o.id}/tier" class="row">${csrfField(s.csrfToken)}<label class="visually-hidden" for="tier-${o.id}">Tier of ${o.name}</label>${tierSelect(`tier-${o.id}`, o.tier)}<button type="submit">Change tier</button></form>` : o.tier}</td><td>${o.email_domains.join(', ')}</td></tr>`)}</tbody>
</table>
${admin ? html`<h2>Add an organization</h2>
<form method="post" action="/console/admin/organizations" class="stack card">${csrfField(s.csrfToken)}
<label for="org-name">Name</label><input id="org-name" name="name" required>
<label for="org-tier">Tier</label>${tierSelect('org-tier', 'professional')}
<label for="org-domains">Email domains (comma separated)</label><input id="org-domains" name="domains">
<button type="submit" class="primary">Add</button></form>` : ''}`;
    res.type('html').send(adminPage(req, 'Organizations', body));
  });

  r.post('/console/admin/organizations', async (req, res) => {
    requireAdmin(req);
    const name = field(req, 'name');
    const tier = field(req, 'tier');
    if (!name) throw new InvalidInput('An organization needs a name.');
    if (!(await tierExists(db, tier))) throw new InvalidInput('Unknown tier.');
    const domains = field(req, 'domains').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
    await insertOrganization(db, { name, tier, emailDomains: domains }).catch((err) => {
      if (isUniqueViolation(err)) throw new Conflict('conflict', `An organization named "${name}" exists.`);
      throw err;
    });
    tickets.settingsCache.clear();
    res.redirect(303, `/console/admin/organizations${queryString({ notice: `Added ${name}.` })}`);
  });

  r.post('/console/admin/organizations/:id/tier', async (req, res) => {
    requireAdmin(req);
    const tier = field(req, 'tier');
    const id = String(req.params.id);
    if (!(await tierExists(db, tier))) throw new InvalidInput('Unknown tier.');
    const before = await findOrganization(db, id);
    if (!before) throw new NotFound('organization');
    await updateOrganization(db, id, { tier });
    tickets.settingsCache.clear();
    const rollout = tier !== before.tier ? await tickets.rollouts.start('organization_tier', id, 0, sessionOf(req).user.email) : null;
    res.redirect(303, `/console/admin/organizations${queryString({ notice: `${before.name} is now ${tier}${rollout ? '; its open tickets are being re-targeted' : ''}.`, rollout: rollout ?? undefined })}`);
  });

  r.get('/console/admin/calendars', async (req, res) => {
    const s = sessionOf(req);
    const admin = s.user.role === 'admin';
    const calendars = await listCalendars(db);
    const body = html`${admin ? html`<p><a class="button primary" href="/console/admin/calendars/new">New calendar</a></p>` : ''}
${calendars.map((c) => html`<section class="card" data-calendar="${c.id}"><h2>${c.name}</h2><p>Time zone <strong class="timezone">${c.timezone}</strong></p>
<table class="compact"><thead><tr>${DAYS.map((d) => html`<th scope="col">${d}</th>`)}</tr></thead>
<tbody><tr>${DAYS.map((d) => html`<td>${(c.weekly[d] ?? []).map(([a, b]) => html`${a}–${b}<br>`) || html`<span class="muted">closed</span>`}</td>`)}</tr></tbody></table>
<p>Holidays: ${c.holidays.length ? c.holidays.join(', ') : html`<span class="muted">none</span>`}</p>
${admin ? html`<div class="row"><a class="button" href="/console/admin/calendars/${c.id}/edit">Edit<span class="visually-hidden"> ${c.name}</span></a>
<form method="post" action="/console/admin/calendars/${c.id}/delete">${csrfField(s.csrfToken)}<button type="submit">Delete<span class="visually-hidden"> ${c.name}</span></button></form></div>` : ''}</section>`)}
<p class="muted">The API has the same: <code>/api/v1/calendars</code>.</p>`;
    res.type('html').send(adminPage(req, 'Calendars', body));
  });

  r.get('/console/admin/policies', async (req, res) => {
    const s = sessionOf(req);
    const tz = s.user.time_zone;
    const policies = await listPoliciesWithCalendars(db);
    const chosen = policies.find((p) => p.id === req.query.policy) ?? null;
    const start = typeof req.query.start === 'string' ? req.query.start : wallTimeNow(tz);
    let preview: SafeHtml | string = '';
    if (chosen) {
      const at = wallTimeToInstant(start, tz);
      if (at === null) preview = html`<p class="error" role="alert">Pick a start time.</p>`;
      else if (chosen.first_response_minutes === null || chosen.resolution_minutes === null) preview = html`<p>This policy has no targets.</p>`;
      else {
        const result = previewSla(
          { calendar: { timezone: chosen.timezone, weekly: chosen.weekly as never, holidays: chosen.holidays }, firstResponseMinutes: chosen.first_response_minutes, resolutionMinutes: chosen.resolution_minutes, pauseOn: chosen.pause_on, escalations: chosen.escalations as Array<{ percent: number }> },
          at,
          [],
        );
        const clock = (title: string, c: (typeof result)['firstResponse'], minutes: number) => html`<section class="clock" aria-label="${title} preview"><h3>${title}</h3>
<p>Target ${targetInWords(minutes, true, title === 'Resolution')}; due <strong class="preview-due">${c.dueAt ? formatInstant(c.dueAt, tz) : '—'}</strong></p>
<ol class="ladder">${c.escalations.map((e) => html`<li><span class="pct">${e.percent}%</span> ${e.at ? formatInstant(e.at, tz) : '—'}</li>`)}</ol></section>`;
        preview = html`<div class="preview" id="preview"><h2>Preview: ${chosen.name}, starting ${formatInstant(new Date(at), tz)}</h2>
${clock('First response', result.firstResponse, chosen.first_response_minutes)}${clock('Resolution', result.resolution, chosen.resolution_minutes)}</div>`;
      }
    }
    const admin = s.user.role === 'admin';
    const body = html`${admin ? html`<p><a class="button primary" href="/console/admin/policies/new">New SLA policy</a></p>` : ''}
<form method="get" action="/console/admin/policies" class="filters card" aria-label="SLA preview">
<label for="policy">Policy</label><select id="policy" name="policy">${policies.map((p) => html`<option value="${p.id}"${p.id === chosen?.id ? html` selected` : ''}>${p.name} (${p.tier} / ${p.priority})</option>`)}</select>
<label for="start">Start (${tz})</label><input id="start" name="start" type="datetime-local" value="${start}">
<button type="submit" class="primary">Preview</button>
</form>
${preview}
<table>
<thead><tr><th scope="col">Policy</th><th scope="col">Tier</th><th scope="col">Priority</th><th scope="col">Calendar</th><th scope="col">First response</th><th scope="col">Resolution</th><th scope="col">Pauses on</th><th scope="col">Ladder</th>${admin ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
<tbody>${policies.map((p) => html`<tr><td>${p.name}</td><td>${p.tier}</td><td>${p.priority}</td><td>${p.calendar_name}</td><td>${p.first_response_minutes === null ? '—' : `${p.first_response_minutes} min`}</td><td>${p.resolution_minutes === null ? '—' : `${p.resolution_minutes} min`}</td><td>${p.pause_on.join(', ')}</td>
<td>${(p.escalations as Array<{ percent: number; actions?: Array<{ type: string; role?: string }> }>).map((e) => html`${e.percent}%: ${(e.actions ?? []).map((a) => `${a.type}${a.role ? ` ${a.role}` : ''}`).join(', ') || 'record'}<br>`)}</td>${admin ? html`<td><a href="/console/admin/policies/${p.id}/edit">Edit<span class="visually-hidden"> ${p.name}</span></a></td>` : ''}</tr>`)}</tbody>
</table>
<p class="muted">The API has the same: <code>/api/v1/sla-policies</code>.</p>`;
    res.type('html').send(adminPage(req, 'SLA policies', body));
  });

  r.get('/console/admin/users', async (req, res) => {
    const s = sessionOf(req);
    const [users, orgs] = await Promise.all([
      listUsersWithOrganization(db),
      listOrganizationNames(db),
    ]);
    const body = html`<table><thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Organization</th><th scope="col">Time zone</th></tr></thead>
<tbody>${users.map((u) => html`<tr><td>${u.email}</td><td>${u.name}</td><td>${u.role}${u.disabled_at ? ' (disabled)' : ''}</td><td>${u.org_name ?? '—'}</td><td>${u.time_zone}</td></tr>`)}</tbody></table>
${s.user.role === 'admin' ? html`<h2>Add a user</h2>
<form method="post" action="/console/admin/users" class="stack card">${csrfField(s.csrfToken)}
<label for="u-email">Email</label><input id="u-email" name="email" type="email" required>
<label for="u-name">Name</label><input id="u-name" name="name" required>
<label for="u-role">Role</label><select id="u-role" name="role">${USER_ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</select>
<label for="u-org">Organization (customers)</label><select id="u-org" name="organizationId"><option value="">—</option>${orgs.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select>
<label for="u-tz">Time zone</label><input id="u-tz" name="timeZone" value="${s.user.time_zone}">
<label for="u-pw">Initial password (10+ characters)</label><input id="u-pw" name="password" type="password" minlength="10" required autocomplete="new-password">
<button type="submit" class="primary">Add user</button></form>` : ''}`;
    res.type('html').send(adminPage(req, 'Users', body));
  });

  r.post('/console/admin/users', async (req, res) => {
    requireAdmin(req);
    const role = field(req, 'role') as UserRole;
    if (!USER_ROLES.includes(role)) throw new InvalidInput('Unknown role.');
    const password = (req.body as Record<string, unknown>).password;
    if (typeof password !== 'string' || password.length < 10) throw new InvalidInput('The password needs at least 10 characters.');
    const tz = field(req, 'timeZone') || 'UTC';
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      throw new InvalidInput('Unknown time zone.');
    }
    const u = await createUser(db, { email: field(req, 'email'), name: field(req, 'name') || field(req, 'email'), role, organizationId: field(req, 'organizationId') || null, password, timeZone: tz });
    res.redirect(303, `/console/admin/users${queryString({ notice: `Added ${u.email}.` })}`);
  });

  return r;
}
