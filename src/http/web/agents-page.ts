/**
 * The console's Agents view, for all staff: your own status switch (online, away, offline),
 * every agent's status and load (open assigned tickets against capacity), and each routing
 * group with its unassigned queue. The status switch is the same write as
 * `PUT /api/v1/routing/agents/:userId/status`, so routing hears of it.
 */
import { Router, type Request } from 'express';
import type { Db } from '../../db/schema';
import { uuid } from '../kit/schemas';
import { parse } from '../kit/validation';
import { agentStatusSchema } from '../kit/routing-schemas';
import { changeAgentStatus, type AgentStatusListener } from '../../domain/routing/agent-status';
import { profileOrDefault } from '../../domain/routing/agent-profiles';
import { requireRoutingGroup } from '../../domain/routing/routing-groups';
import { listAgentsWithProfiles, loadsOfAssignees } from '../../db/repositories/routing-agents';
import { listMemberships, listRoutingGroups } from '../../db/repositories/routing-groups';
import { unassignedCounts, unassignedOfGroup } from '../../db/repositories/routing-decisions';
import { formatInstant, relative } from './format';
import { html, queryString } from './html';
import { page } from './layout';
import { sessionOf } from './session';
import { statusSwitch, STRATEGY_LABELS } from './routing-pages';

/** The nearest due instant of the clocks still running (first response, next reply, resolution). */
const nearestDue = (t: { fr_due_at: Date | null; nr_due_at: Date | null; res_due_at: Date | null }) =>
  [t.fr_due_at, t.nr_due_at, t.res_due_at].filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;

export function agentsPageRoutes(db: Db, listener: AgentStatusListener): Router {
  const r = Router();
  const send = (req: Request, title: string, body: ReturnType<typeof html>) => {
    const s = sessionOf(req);
    const notice = typeof req.query.notice === 'string' ? req.query.notice : null;
    return page({ title, user: s.user, csrfToken: s.csrfToken, nav: 'agents', notice, body: html`<h1>${title}</h1>${body}` }).value;
  };

  r.get('/console/agents', async (req, res) => {
    const s = sessionOf(req);
    const tz = s.user.time_zone;
    const admin = s.user.role === 'admin';
    // Profiles are under the admin section, which managers and admins may open.
    const seesProfiles = admin || s.user.role === 'manager';
    const [agents, groups, memberships, queued] = await Promise.all([listAgentsWithProfiles(db), listRoutingGroups(db), listMemberships(db), unassignedCounts(db)]);
    const active = agents.filter((a) => a.disabled_at === null);
    const loads = await loadsOfAssignees(db, active.map((a) => a.email));
    const groupsOf = new Map<string, string[]>();
    for (const m of memberships) groupsOf.set(m.user_id, [...(groupsOf.get(m.user_id) ?? []), m.group_name]);
    const mine = profileOrDefault(s.user.id, active.find((a) => a.user_id === s.user.id)?.profile);
    const body = html`<section class="card" id="my-status"><h2>Your status</h2>
<p>You are <strong id="my-status-now">${mine.status}</strong>${mine.status_since.getTime() > 0 ? html` since ${formatInstant(mine.status_since, tz)}` : ''}. Routing hands tickets only to agents who are online; going offline or signing out may hand yours back, as your groups say.</p>
${statusSwitch(s.csrfToken, '/console/agents/status', mine.status, 'you')}</section>
<h2>Agents</h2>
<table id="agents"><thead><tr><th scope="col">Agent</th><th scope="col">Status</th><th scope="col">Load</th><th scope="col">Groups</th><th scope="col">Skills</th></tr></thead>
<tbody>${active.map((a) => {
      const p = profileOrDefault(a.user_id, a.profile);
      const open = loads.get(a.email)?.total ?? 0;
      const full = open >= p.capacity;
      return html`<tr data-agent="${a.email}"><td>${seesProfiles ? html`<a href="/console/admin/routing/agents/${a.user_id}">${a.name}</a>` : a.name}<br><span class="muted">${a.email}</span></td>
<td class="status-${p.status}" data-status="${p.status}">${p.status}${p.status_since.getTime() > 0 ? html`<br><span class="muted">${relative(p.status_since)}</span>` : ''}</td>
<td data-load="${String(open)}"${full ? html` class="full"` : ''}><a href="/console${queryString({ assignee: a.email })}">${String(open)}</a> / ${String(p.capacity)}${full ? ' (full)' : ''}${Object.keys(p.capacity_by_priority).length ? html`<br><span class="muted">${Object.entries(p.capacity_by_priority).map(([k, n]) => `${k} ≤ ${n}`).join(', ')}</span>` : ''}</td>
<td>${(groupsOf.get(a.user_id) ?? []).join(', ') || html`<span class="muted">none</span>`}</td><td>${p.skills.map((k) => `${k.name} ${k.level}`).join(', ')}</td></tr>`;
    })}</tbody></table>
<h2>Routing groups</h2>
${groups.length === 0 ? html`<p class="muted">No routing groups.${admin ? html` <a href="/console/admin/routing/groups/new">Add one</a>.` : ''}</p>` : ''}
<table id="groups"><thead><tr><th scope="col">Group</th><th scope="col">Strategy</th><th scope="col">Unassigned</th></tr></thead>
<tbody>${groups.map((g) => html`<tr data-group="${g.id}"><td><a href="/console/agents/groups/${g.id}">${g.name}</a></td><td>${STRATEGY_LABELS[g.strategy] ?? g.strategy}</td><td data-unassigned="${String(queued.get(g.id) ?? 0)}">${String(queued.get(g.id) ?? 0)}</td></tr>`)}</tbody></table>`;
    res.type('html').send(send(req, 'Agents', body));
  });

  r.post('/console/agents/status', async (req, res) => {
    const s = sessionOf(req);
    const { status } = parse(agentStatusSchema, { status: (req.body as Record<string, unknown> | undefined)?.status });
    await changeAgentStatus(db, listener, s.user.id, status);
    res.redirect(303, `/console/agents${queryString({ notice: `You are ${status}.` })}`);
  });

  r.get('/console/agents/groups/:id', async (req, res) => {
    const tz = sessionOf(req).user.time_zone;
    const g = await requireRoutingGroup(db, parse(uuid, req.params.id, 'params'));
    const queue = await unassignedOfGroup(db, g.id);
    const body = html`<p>${STRATEGY_LABELS[g.strategy] ?? g.strategy}. Open tickets of this group nobody holds, oldest first.</p>
<table id="group-queue"><thead><tr><th scope="col">Ticket</th><th scope="col">Priority</th><th scope="col">Waiting since</th><th scope="col">Next due</th><th scope="col">Needs</th></tr></thead>
<tbody>${queue.map((t) => html`<tr data-ticket="${t.number}"><td><a href="/console/tickets/${t.id}">${t.number}</a> ${t.subject}</td><td>${t.priority}</td><td>${formatInstant(t.created_at, tz)}</td><td>${formatInstant(nearestDue(t), tz)}</td><td>${(t.required_skills ?? []).map((k) => `${k.name} ≥ ${k.minLevel}`).join(', ')}</td></tr>`)}</tbody></table>
${queue.length === 0 ? html`<p class="muted">Nothing waiting.</p>` : ''}
<p><a href="/console/agents">Back to agents</a></p>`;
    res.type('html').send(send(req, `Unassigned in ${g.name}`, body));
  });
  return r;
}
