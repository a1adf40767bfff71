/**
 * The console's routing settings (admin section): routing groups (strategy, release settings,
 * members), routing rules (an ordered list with move up/down, a form for conditions, group and
 * required skills), and an agent's routing profile (skills, languages, capacity, calendar, days
 * off) with their status. A form's fields become the API's JSON body and go through the API's
 * own schemas (src/http/kit/routing-schemas) and the domain's writes, so what the API refuses
 * is refused here too; bad input re-renders the form with each problem next to its field and
 * changes nothing. Managers look; admins change.
 */
import { Router, type Request, type Response } from 'express';
import type { AgentProfileRow, Db, RoutingGroupRow, RoutingRuleRow } from '../../db/schema';
import { PacerError, NotFound } from '../../core/errors';
import { statusOf } from '../kit/errors';
import { uuid } from '../kit/schemas';
import { parse } from '../kit/validation';
import { agentProfileSchema, agentStatusSchema, routingGroupSchema, routingRuleSchema } from '../kit/routing-schemas';
import { addMember, createRoutingGroup, editRoutingGroup, removeMember, removeRoutingGroup, requireRoutingGroup, ROUTING_STRATEGIES } from '../../domain/routing/routing-groups';
import { createRoutingRule, editRoutingRule, removeRoutingRule, reorderRoutingRules } from '../../domain/routing/routing-rules';
import { readAgentProfile, saveAgentProfile } from '../../domain/routing/agent-profiles';
import { AGENT_STATUSES, changeAgentStatus, type AgentStatusListener } from '../../domain/routing/agent-status';
import { listGroupMembers, listRoutingGroups } from '../../db/repositories/routing-groups';
import { findRoutingRule, listRoutingRules } from '../../db/repositories/routing-rules';
import { listAgentsWithProfiles } from '../../db/repositories/routing-agents';
import { listCalendarChoices } from '../../db/repositories/calendars';
import { listOrganizationNames, listTiers } from '../../db/repositories/organizations';
import { PRIORITIES } from '../../../workflows/contract/ticket';
import { adminPage } from './admin-pages';
import { attempt, formErrors, requireAdmin, str, type Body, type Problems } from './sla-settings-pages';
import { csrfField } from './csrf';
import { html, queryString, type SafeHtml } from './html';
import { sessionOf } from './session';

const CHANNELS = ['api', 'email', 'web', 'chat', 'phone'] as const;
export const STRATEGY_LABELS: Record<string, string> = {
  round_robin: 'Round-robin (each agent in turn)',
  least_loaded: 'Least-loaded (fewest open tickets)',
  skill_based: 'Skill-based (best skill match)',
  deadline_aware: 'Deadline-aware (least business time left first, to an agent whose shift leaves time to answer)',
};

/** Fields whose problems show next to them; a path's deeper parts say where inside (item 2, level). */
function problemsOf(err: PacerError, fields: readonly string[]): { problems: Problems; general: string[] } {
  const problems: Problems = new Map();
  const general: string[] = [];
  for (const d of err.details ?? [{ path: '', message: err.message }]) {
    const parts = d.path.split('.').filter(Boolean);
    const two = parts.slice(0, 2).join('.');
    const field = fields.includes(two) ? two : (parts[0] ?? '');
    const rest = parts.slice(field.split('.').length);
    const where = rest.length ? `${/^\d+$/.test(rest[0]!) ? `item ${Number(rest[0]) + 1}` : rest[0]}${rest.length > 1 ? ` ${rest.slice(1).join('.')}` : ''}: ` : '';
    if (fields.includes(field)) problems.set(field, [...(problems.get(field) ?? []), `${where}${d.message}`]);
    else general.push(d.path ? `${d.path}: ${d.message}` : d.message);
  }
  return { problems, general };
}
const fieldError = (p: Problems, key: string, id: string) => (p.has(key) ? html`<p class="field-error" id="${id}-error">${p.get(key)!.join('; ')}</p>` : '');
const invalid = (p: Problems, key: string, id: string) => (p.has(key) ? html` aria-invalid="true" aria-describedby="${id}-error"` : '');

const listOf = (b: Body, name: string): string[] => {
  const v = b[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v !== '' ? [v] : [];
};
/** "a, b; c" or one per line → ["a", "b", "c"]. */
const splitList = (text: string) => text.split(/[,;\n]+/).map((s) => s.trim()).filter(Boolean);
/** A number field: empty is absent (the default), anything else goes to the schema as a number or as the text it is. */
const numberOrText = (text: string) => (text === '' ? undefined : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text);
/** "billing:4, sso:2" → [{name, [key]: level}]; a piece without a level keeps an empty one for the schema to name. */
function skillsOf(text: string, key: 'level' | 'minLevel') {
  return splitList(text).map((piece) => {
    const m = /^(.*?)\s*[:=]\s*(\S+)$/.exec(piece);
    return { name: m ? m[1]! : piece, [key]: m ? numberOrText(m[2]!) ?? '' : '' };
  });
}
const skillsText = (skills: ReadonlyArray<{ name: string; level?: number; minLevel?: number }>) => skills.map((s) => `${s.name}:${s.level ?? s.minLevel}`).join(', ');
const checked = (on: boolean) => (on ? html` checked` : '');
const selected = (on: boolean) => (on ? html` selected` : '');
const checkboxes = (name: string, id: string, options: ReadonlyArray<readonly [string, string]>, chosen: readonly string[]) =>
  html`<span class="row">${options.map(([value, label]) => html`<label><input type="checkbox" name="${name}" value="${value}" id="${id}-${value}"${checked(chosen.includes(value))}> ${label}</label>`)}</span>`;

// ── groups ──────────────────────────────────────────────────────────
const GROUP_FIELDS = ['name', 'strategy', 'releaseOnOffline', 'awayReleaseMinutes', 'releaseOnShiftEnd', 'answerMinutes'];
interface GroupValues { name: string; strategy: string; releaseOnOffline: boolean; awayReleaseMinutes: string; releaseOnShiftEnd: boolean; answerMinutes: string }
const groupValuesOf = (g: RoutingGroupRow): GroupValues => ({
  name: g.name, strategy: g.strategy, releaseOnOffline: g.release_on_offline, awayReleaseMinutes: g.away_release_minutes === null ? '' : String(g.away_release_minutes), releaseOnShiftEnd: g.release_on_shift_end, answerMinutes: String(g.answer_minutes),
});
const groupValuesFromBody = (b: Body): GroupValues => ({
  name: str(b, 'name'), strategy: str(b, 'strategy'), releaseOnOffline: str(b, 'releaseOnOffline') === 'on', awayReleaseMinutes: str(b, 'awayReleaseMinutes'), releaseOnShiftEnd: str(b, 'releaseOnShiftEnd') === 'on', answerMinutes: str(b, 'answerMinutes'),
});
/** The form as the API's body: an empty "away" limit is null (never release for away). */
const groupInput = (b: Body) => ({
  name: str(b, 'name'), strategy: str(b, 'strategy'), releaseOnOffline: str(b, 'releaseOnOffline') === 'on', releaseOnShiftEnd: str(b, 'releaseOnShiftEnd') === 'on',
  awayReleaseMinutes: str(b, 'awayReleaseMinutes') === '' ? null : numberOrText(str(b, 'awayReleaseMinutes')), answerMinutes: numberOrText(str(b, 'answerMinutes')),
});

function groupForm(req: Request, action: string, v: GroupValues, p: Problems, general: string[], submit: string): SafeHtml {
  return html`${formErrors(general, p)}
<form method="post" action="${action}" class="stack card" id="group-form">${csrfField(sessionOf(req).csrfToken)}
<label for="g-name">Name</label><input id="g-name" name="name" value="${v.name}" required${invalid(p, 'name', 'g-name')}>${fieldError(p, 'name', 'g-name')}
<label for="g-strategy">Strategy</label><select id="g-strategy" name="strategy"${invalid(p, 'strategy', 'g-strategy')}>${ROUTING_STRATEGIES.map((s) => html`<option value="${s}"${selected(s === v.strategy)}>${STRATEGY_LABELS[s]}</option>`)}</select>${fieldError(p, 'strategy', 'g-strategy')}
<label for="g-answer">Minutes an agent needs to answer (an agent is chosen only if their shift and the deadline leave this much)</label><input id="g-answer" name="answerMinutes" inputmode="numeric" value="${v.answerMinutes}"${invalid(p, 'answerMinutes', 'g-answer')}>${fieldError(p, 'answerMinutes', 'g-answer')}
<fieldset><legend>Hand tickets back to routing when their agent…</legend>
<label><input type="checkbox" name="releaseOnOffline" id="g-offline"${checked(v.releaseOnOffline)}> goes offline</label>
<label><input type="checkbox" name="releaseOnShiftEnd" id="g-shift"${checked(v.releaseOnShiftEnd)}> reaches the end of their shift before the ticket's clock comes due</label>
<label for="g-away">is away for longer than (minutes; empty: never)</label><input id="g-away" name="awayReleaseMinutes" inputmode="numeric" value="${v.awayReleaseMinutes}"${invalid(p, 'awayReleaseMinutes', 'g-away')}>${fieldError(p, 'awayReleaseMinutes', 'g-away')}
</fieldset>
<button type="submit" class="primary">${submit}</button></form>`;
}

// ── rules ───────────────────────────────────────────────────────────
const RULE_FIELDS = ['name', 'enabled', 'groupId', 'requiredSkills', 'conditions.organizationIds', 'conditions.tiers', 'conditions.priorities', 'conditions.categories', 'conditions.channels', 'conditions.languages', 'conditions.subjectWords'];
interface RuleValues { name: string; enabled: boolean; groupId: string; organizationIds: string[]; tiers: string[]; priorities: string[]; channels: string[]; categories: string; languages: string; subjectWords: string; requiredSkills: string }
const ruleValuesOf = (r: RoutingRuleRow): RuleValues => ({
  name: r.name, enabled: r.enabled, groupId: r.group_id, organizationIds: r.conditions.organizationIds ?? [], tiers: r.conditions.tiers ?? [], priorities: r.conditions.priorities ?? [], channels: r.conditions.channels ?? [],
  categories: (r.conditions.categories ?? []).join(', '), languages: (r.conditions.languages ?? []).join(', '), subjectWords: (r.conditions.subjectWords ?? []).join(', '), requiredSkills: skillsText(r.required_skills),
});
const ruleValuesFromBody = (b: Body): RuleValues => ({
  name: str(b, 'name'), enabled: str(b, 'enabled') === 'on', groupId: str(b, 'groupId'), organizationIds: listOf(b, 'organizationIds'), tiers: listOf(b, 'tiers'), priorities: listOf(b, 'priorities'), channels: listOf(b, 'channels'),
  categories: str(b, 'categories'), languages: str(b, 'languages'), subjectWords: str(b, 'subjectWords'), requiredSkills: str(b, 'requiredSkills'),
});
/** The form as the API's body: an empty condition is left out (it places no condition). */
function ruleInput(b: Body) {
  const conditions: Record<string, string[]> = {};
  const put = (key: string, values: string[]) => {
    if (values.length) conditions[key] = values;
  };
  put('organizationIds', listOf(b, 'organizationIds'));
  put('tiers', listOf(b, 'tiers'));
  put('priorities', listOf(b, 'priorities'));
  put('channels', listOf(b, 'channels'));
  put('categories', splitList(str(b, 'categories')));
  put('languages', splitList(str(b, 'languages')));
  put('subjectWords', splitList(str(b, 'subjectWords')));
  return { name: str(b, 'name'), enabled: str(b, 'enabled') === 'on', groupId: str(b, 'groupId'), conditions, requiredSkills: skillsOf(str(b, 'requiredSkills'), 'minLevel') };
}

async function ruleForm(db: Db, req: Request, action: string, v: RuleValues, p: Problems, general: string[], submit: string): Promise<SafeHtml> {
  const [groups, orgs, tiers] = await Promise.all([listRoutingGroups(db), listOrganizationNames(db), listTiers(db)]);
  const text = (name: keyof RuleValues & string, key: string, label: string) =>
    html`<label for="r-${name}">${label}</label><input id="r-${name}" name="${name}" value="${String(v[name])}"${invalid(p, key, `r-${name}`)}>${fieldError(p, key, `r-${name}`)}`;
  return html`${formErrors(general, p)}
<form method="post" action="${action}" class="stack card" id="rule-form">${csrfField(sessionOf(req).csrfToken)}
<label for="r-name">Name</label><input id="r-name" name="name" value="${v.name}" required${invalid(p, 'name', 'r-name')}>${fieldError(p, 'name', 'r-name')}
<label><input type="checkbox" name="enabled" id="r-enabled"${checked(v.enabled)}> Enabled</label>
<label for="r-group">Send matching tickets to the group</label><select id="r-group" name="groupId"${invalid(p, 'groupId', 'r-group')}><option value="">(choose a group)</option>${groups.map((g) => html`<option value="${g.id}"${selected(g.id === v.groupId)}>${g.name}</option>`)}</select>${fieldError(p, 'groupId', 'r-group')}
${text('requiredSkills', 'requiredSkills', 'Required skills with the lowest level, 1–5 (e.g. billing:3, sso:2)')}
<fieldset><legend>Conditions: every filled-in one must match (any of its values); empty ones place no condition</legend>
<label for="r-orgs">Organizations</label><select id="r-orgs" name="organizationIds" multiple size="4"${invalid(p, 'conditions.organizationIds', 'r-orgs')}>${orgs.map((o) => html`<option value="${o.id}"${selected(v.organizationIds.includes(o.id))}>${o.name}</option>`)}</select>${fieldError(p, 'conditions.organizationIds', 'r-orgs')}
<p>Tiers</p>${checkboxes('tiers', 'r-tier', tiers.map((t) => [t.name, t.label] as const), v.tiers)}${fieldError(p, 'conditions.tiers', 'r-tier')}
<p>Priorities</p>${checkboxes('priorities', 'r-priority', PRIORITIES.map((x) => [x, x] as const), v.priorities)}${fieldError(p, 'conditions.priorities', 'r-priority')}
<p>Channels</p>${checkboxes('channels', 'r-channel', CHANNELS.map((x) => [x, x] as const), v.channels)}${fieldError(p, 'conditions.channels', 'r-channel')}
${text('categories', 'conditions.categories', 'Categories (comma-separated, any case)')}
${text('languages', 'conditions.languages', 'Languages (two-letter codes, e.g. en, de)')}
${text('subjectWords', 'conditions.subjectWords', 'Words or phrases in the subject (comma-separated; whole words, any case)')}
</fieldset>
<button type="submit" class="primary">${submit}</button></form>
<p><a href="/console/admin/routing/rules">Back to routing rules</a></p>`;
}

// ── agent profiles ──────────────────────────────────────────────────
const PROFILE_FIELDS = ['capacity', 'capacityByPriority', ...PRIORITIES.map((x) => `capacityByPriority.${x}`), 'calendarId', 'daysOff', 'languages', 'skills'];
interface ProfileValues { capacity: string; byPriority: Record<string, string>; calendarId: string; daysOff: string; languages: string; skills: string }
const profileValuesOf = (p: AgentProfileRow): ProfileValues => ({
  capacity: String(p.capacity), byPriority: Object.fromEntries(Object.entries(p.capacity_by_priority).map(([k, n]) => [k, String(n)])), calendarId: p.calendar_id ?? '', daysOff: p.days_off.join('\n'), languages: p.languages.join(', '), skills: skillsText(p.skills),
});
const profileValuesFromBody = (b: Body): ProfileValues => ({
  capacity: str(b, 'capacity'), byPriority: Object.fromEntries(PRIORITIES.map((x) => [x, str(b, `capacity_${x}`)])), calendarId: str(b, 'calendarId'), daysOff: str(b, 'daysOff'), languages: str(b, 'languages'), skills: str(b, 'skills'),
});
function profileInput(b: Body) {
  const byPriority: Record<string, unknown> = {};
  for (const x of PRIORITIES) if (str(b, `capacity_${x}`) !== '') byPriority[x] = numberOrText(str(b, `capacity_${x}`));
  return {
    capacity: numberOrText(str(b, 'capacity')), capacityByPriority: byPriority, calendarId: str(b, 'calendarId') === '' ? null : str(b, 'calendarId'),
    daysOff: splitList(str(b, 'daysOff').replace(/\s+/g, ',')), languages: splitList(str(b, 'languages')), skills: skillsOf(str(b, 'skills'), 'level'),
  };
}

async function profileForm(db: Db, req: Request, userId: string, v: ProfileValues, p: Problems, general: string[]): Promise<SafeHtml> {
  const calendars = await listCalendarChoices(db);
  return html`${formErrors(general, p)}
<form method="post" action="/console/admin/routing/agents/${userId}" class="stack card" id="profile-form">${csrfField(sessionOf(req).csrfToken)}
<label for="p-capacity">Capacity: open tickets at once</label><input id="p-capacity" name="capacity" inputmode="numeric" value="${v.capacity}"${invalid(p, 'capacity', 'p-capacity')}>${fieldError(p, 'capacity', 'p-capacity')}
<fieldset><legend>Capacity per priority (empty: only the total counts)</legend>
${PRIORITIES.map((x) => html`<div class="row"><label for="p-cap-${x}" class="day">${x}</label><input id="p-cap-${x}" name="capacity_${x}" inputmode="numeric" size="5" value="${v.byPriority[x] ?? ''}"${invalid(p, `capacityByPriority.${x}`, `p-cap-${x}`)}>${fieldError(p, `capacityByPriority.${x}`, `p-cap-${x}`)}</div>`)}
${fieldError(p, 'capacityByPriority', 'p-cap')}
</fieldset>
<label for="p-calendar">Working calendar (the SLA calendars; none: always working)</label><select id="p-calendar" name="calendarId"${invalid(p, 'calendarId', 'p-calendar')}><option value="">(none: always working)</option>${calendars.map((c) => html`<option value="${c.id}"${selected(c.id === v.calendarId)}>${c.name} (${c.timezone})</option>`)}</select>${fieldError(p, 'calendarId', 'p-calendar')}
<label for="p-days">Days off (local dates YYYY-MM-DD, one per line)</label><textarea id="p-days" name="daysOff" rows="4"${invalid(p, 'daysOff', 'p-days')}>${v.daysOff}</textarea>${fieldError(p, 'daysOff', 'p-days')}
<label for="p-languages">Languages (two-letter codes, e.g. en, de)</label><input id="p-languages" name="languages" value="${v.languages}"${invalid(p, 'languages', 'p-languages')}>${fieldError(p, 'languages', 'p-languages')}
<label for="p-skills">Skills with levels 1–5 (e.g. billing:4, sso:2)</label><input id="p-skills" name="skills" value="${v.skills}"${invalid(p, 'skills', 'p-skills')}>${fieldError(p, 'skills', 'p-skills')}
<button type="submit" class="primary">Save profile</button></form>`;
}

/** The online / away / offline switch: one button per status, the current one pressed. */
export function statusSwitch(csrfToken: string, action: string, current: string, who: string): SafeHtml {
  return html`<form method="post" action="${action}" class="row status-switch" id="status-switch" aria-label="Status of ${who}">${csrfField(csrfToken)}
${AGENT_STATUSES.map((st) => html`<button type="submit" name="status" value="${st}"${st === current ? html` aria-pressed="true" class="primary"` : html` aria-pressed="false"`}>${st}</button>`)}</form>`;
}

export function routingPageRoutes(db: Db, listener: AgentStatusListener): Router {
  const r = Router();
  const idOf = (req: Request) => parse(uuid, req.params.id, 'params');
  const userIdOf = (req: Request) => parse(uuid, req.params.userId, 'params');
  const admin = (req: Request) => sessionOf(req).user.role === 'admin';
  const back = (path: string, notice: string) => `${path}${queryString({ notice })}`;

  // ── groups ──
  r.get('/console/admin/routing/groups', async (req, res) => {
    const s = sessionOf(req);
    const groups = await listRoutingGroups(db);
    const members = await Promise.all(groups.map((g) => listGroupMembers(db, g.id)));
    const body = html`${admin(req) ? html`<p><a class="button primary" href="/console/admin/routing/groups/new">New routing group</a></p>` : ''}
${groups.length === 0 ? html`<p class="muted">No routing groups yet: tickets wait unassigned until someone takes them.</p>` : ''}
<table><thead><tr><th scope="col">Group</th><th scope="col">Strategy</th><th scope="col">Hands tickets back</th><th scope="col">Members</th></tr></thead>
<tbody>${groups.map((g, i) => html`<tr data-group="${g.id}"><td>${admin(req) ? html`<a href="/console/admin/routing/groups/${g.id}/edit">${g.name}</a>` : g.name}</td><td>${g.strategy}</td>
<td>${[g.release_on_offline && 'offline', g.away_release_minutes !== null && `away > ${g.away_release_minutes} min`, g.release_on_shift_end && 'shift end'].filter(Boolean).join(', ') || html`<span class="muted">never</span>`}</td>
<td>${members[i]!.map((m) => m.name).join(', ') || html`<span class="muted">none</span>`}</td></tr>`)}</tbody></table>
<p class="muted">The API has the same: <code>/api/v1/routing/groups</code>. ${s.user.role === 'admin' ? '' : 'Only admins change routing.'}</p>`;
    res.type('html').send(adminPage(req, 'Routing groups', body));
  });

  const sendGroupForm = async (req: Request, res: Response, group: RoutingGroupRow | null, v: GroupValues, err?: PacerError) => {
    const { problems, general } = err ? problemsOf(err, GROUP_FIELDS) : { problems: new Map<string, string[]>(), general: [] };
    const action = group ? `/console/admin/routing/groups/${group.id}` : '/console/admin/routing/groups';
    let extra: SafeHtml | '' = '';
    if (group) {
      const s = sessionOf(req);
      const [members, agents] = await Promise.all([listGroupMembers(db, group.id), listAgentsWithProfiles(db)]);
      const inGroup = new Set(members.map((m) => m.user_id));
      extra = html`<section class="card" id="members"><h2>Members</h2>
<ul>${members.map((m) => html`<li>${m.name} &lt;${m.email}&gt; <a href="/console/admin/routing/agents/${m.user_id}">profile</a>
<form method="post" action="/console/admin/routing/groups/${group.id}/members/${m.user_id}/remove" class="inline">${csrfField(s.csrfToken)}<button type="submit">Remove<span class="visually-hidden"> ${m.name}</span></button></form></li>`)}</ul>
<form method="post" action="/console/admin/routing/groups/${group.id}/members" class="row">${csrfField(s.csrfToken)}<label for="add-member">Add an agent</label>
<select id="add-member" name="userId">${agents.filter((a) => !inGroup.has(a.user_id) && a.disabled_at === null).map((a) => html`<option value="${a.user_id}">${a.name} (${a.email})</option>`)}</select><button type="submit">Add</button></form></section>
<form method="post" action="/console/admin/routing/groups/${group.id}/delete" class="card">${csrfField(s.csrfToken)}<button type="submit">Delete this group</button> <span class="muted">(refused while rules send tickets to it)</span></form>`;
    }
    res.status(err ? statusOf(err) : 200).type('html').send(adminPage(req, group ? `Routing group ${group.name}` : 'New routing group', html`${groupForm(req, action, v, problems, general, group ? 'Save group' : 'Add group')}${extra}<p><a href="/console/admin/routing/groups">Back to routing groups</a></p>`));
  };

  r.get('/console/admin/routing/groups/new', async (req, res) => {
    requireAdmin(req);
    await sendGroupForm(req, res, null, { name: '', strategy: 'deadline_aware', releaseOnOffline: true, awayReleaseMinutes: '', releaseOnShiftEnd: true, answerMinutes: '30' });
  });
  r.post('/console/admin/routing/groups', async (req, res) => {
    requireAdmin(req);
    const b = (req.body ?? {}) as Body;
    await attempt(res, async () => {
      const g = await createRoutingGroup(db, parse(routingGroupSchema, groupInput(b)));
      return back(`/console/admin/routing/groups/${g.id}/edit`, `Added routing group ${g.name}.`);
    }, (err) => sendGroupForm(req, res, null, groupValuesFromBody(b), err));
  });
  r.get('/console/admin/routing/groups/:id/edit', async (req, res) => {
    requireAdmin(req);
    const g = await requireRoutingGroup(db, idOf(req));
    await sendGroupForm(req, res, g, groupValuesOf(g));
  });
  r.post('/console/admin/routing/groups/:id', async (req, res) => {
    requireAdmin(req);
    const g = await requireRoutingGroup(db, idOf(req));
    const b = (req.body ?? {}) as Body;
    await attempt(res, async () => {
      const saved = await editRoutingGroup(db, g.id, parse(routingGroupSchema, groupInput(b)));
      return back(`/console/admin/routing/groups/${g.id}/edit`, `Saved routing group ${saved.name}.`);
    }, (err) => sendGroupForm(req, res, g, groupValuesFromBody(b), err));
  });
  r.post('/console/admin/routing/groups/:id/delete', async (req, res) => {
    requireAdmin(req);
    const g = await requireRoutingGroup(db, idOf(req));
    try {
      await removeRoutingGroup(db, g.id);
    } catch (err) {
      if (err instanceof PacerError && err.kind === 'conflict') return res.redirect(303, `/console/admin/routing/groups/${g.id}/edit${queryString({ error: err.message })}`);
      throw err;
    }
    res.redirect(303, back('/console/admin/routing/groups', `Deleted routing group ${g.name}.`));
  });
  r.post('/console/admin/routing/groups/:id/members', async (req, res) => {
    requireAdmin(req);
    const g = await requireRoutingGroup(db, idOf(req));
    const userId = str((req.body ?? {}) as Body, 'userId');
    try {
      await addMember(db, listener, g.id, parse(uuid, userId));
    } catch (err) {
      if (err instanceof PacerError && err.kind === 'invalid_input') return res.redirect(303, `/console/admin/routing/groups/${g.id}/edit${queryString({ error: `Not added: ${err.details?.[0]?.message ?? err.message}.` })}`);
      throw err;
    }
    res.redirect(303, back(`/console/admin/routing/groups/${g.id}/edit`, 'Added the agent.'));
  });
  r.post('/console/admin/routing/groups/:id/members/:userId/remove', async (req, res) => {
    requireAdmin(req);
    const id = idOf(req);
    await removeMember(db, listener, id, userIdOf(req));
    res.redirect(303, back(`/console/admin/routing/groups/${id}/edit`, 'Removed the agent.'));
  });

  // ── rules ──
  r.get('/console/admin/routing/rules', async (req, res) => {
    const s = sessionOf(req);
    const [rules, groups] = await Promise.all([listRoutingRules(db), listRoutingGroups(db)]);
    const groupName = new Map(groups.map((g) => [g.id, g.name]));
    const describe = (rule: RoutingRuleRow) => {
      const c = rule.conditions;
      const parts = [
        c.organizationIds?.length && `${c.organizationIds.length} organization(s)`, c.tiers?.length && `tier ${c.tiers.join('/')}`, c.priorities?.length && `priority ${c.priorities.join('/')}`,
        c.categories?.length && `category ${c.categories.join('/')}`, c.channels?.length && `channel ${c.channels.join('/')}`, c.languages?.length && `language ${c.languages.join('/')}`,
        c.subjectWords?.length && `subject has ${c.subjectWords.map((w) => `“${w}”`).join(' or ')}`,
      ].filter(Boolean);
      return parts.length ? parts.join(' and ') : 'every ticket';
    };
    const move = (rule: RoutingRuleRow, dir: 'up' | 'down', label: string, disabled: boolean) =>
      html`<form method="post" action="/console/admin/routing/rules/${rule.id}/move" class="inline">${csrfField(s.csrfToken)}<input type="hidden" name="dir" value="${dir}"><button type="submit"${disabled ? html` disabled` : ''}>${label}<span class="visually-hidden"> ${rule.name}</span></button></form>`;
    const body = html`<p>Rules are evaluated in order; the first enabled rule a new, reopened or released ticket matches sends it to its group with the skills it names.</p>
${admin(req) ? html`<p><a class="button primary" href="/console/admin/routing/rules/new">New routing rule</a></p>` : ''}
<table id="rules"><thead><tr><th scope="col">#</th><th scope="col">Rule</th><th scope="col">When</th><th scope="col">Group</th><th scope="col">Skills</th>${admin(req) ? html`<th scope="col">Order</th><th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
<tbody>${rules.map((rule, i) => html`<tr data-rule="${rule.id}"${rule.enabled ? '' : html` class="muted"`}><td>${String(i + 1)}</td><td>${rule.name}${rule.enabled ? '' : ' (disabled)'}</td><td>${describe(rule)}</td><td>${groupName.get(rule.group_id) ?? ''}</td><td>${skillsText(rule.required_skills)}</td>
${admin(req) ? html`<td>${move(rule, 'up', 'Up', i === 0)}${move(rule, 'down', 'Down', i === rules.length - 1)}</td><td><a href="/console/admin/routing/rules/${rule.id}/edit">Edit<span class="visually-hidden"> ${rule.name}</span></a>
<form method="post" action="/console/admin/routing/rules/${rule.id}/delete" class="inline">${csrfField(s.csrfToken)}<button type="submit">Delete<span class="visually-hidden"> ${rule.name}</span></button></form></td>` : ''}</tr>`)}</tbody></table>
<p class="muted">The API has the same: <code>/api/v1/routing/rules</code>.</p>`;
    res.type('html').send(adminPage(req, 'Routing rules', body));
  });

  const sendRuleForm = async (req: Request, res: Response, rule: RoutingRuleRow | null, v: RuleValues, err?: PacerError) => {
    const { problems, general } = err ? problemsOf(err, RULE_FIELDS) : { problems: new Map<string, string[]>(), general: [] };
    const action = rule ? `/console/admin/routing/rules/${rule.id}` : '/console/admin/routing/rules';
    res.status(err ? statusOf(err) : 200).type('html').send(adminPage(req, rule ? `Routing rule ${rule.name}` : 'New routing rule', await ruleForm(db, req, action, v, problems, general, rule ? 'Save rule' : 'Add rule')));
  };
  const requireRule = async (req: Request) => {
    const rule = await findRoutingRule(db, idOf(req));
    if (!rule) throw new NotFound('routing rule');
    return rule;
  };
  r.get('/console/admin/routing/rules/new', async (req, res) => {
    requireAdmin(req);
    await sendRuleForm(req, res, null, { name: '', enabled: true, groupId: '', organizationIds: [], tiers: [], priorities: [], channels: [], categories: '', languages: '', subjectWords: '', requiredSkills: '' });
  });
  r.post('/console/admin/routing/rules', async (req, res) => {
    requireAdmin(req);
    const b = (req.body ?? {}) as Body;
    await attempt(res, async () => {
      const rule = await createRoutingRule(db, parse(routingRuleSchema, ruleInput(b)));
      return back('/console/admin/routing/rules', `Added routing rule ${rule.name}.`);
    }, (err) => sendRuleForm(req, res, null, ruleValuesFromBody(b), err));
  });
  r.get('/console/admin/routing/rules/:id/edit', async (req, res) => {
    requireAdmin(req);
    const rule = await requireRule(req);
    await sendRuleForm(req, res, rule, ruleValuesOf(rule));
  });
  r.post('/console/admin/routing/rules/:id', async (req, res) => {
    requireAdmin(req);
    const rule = await requireRule(req);
    const b = (req.body ?? {}) as Body;
    await attempt(res, async () => {
      const saved = await editRoutingRule(db, rule.id, parse(routingRuleSchema, ruleInput(b)));
      return back('/console/admin/routing/rules', `Saved routing rule ${saved.name}.`);
    }, (err) => sendRuleForm(req, res, rule, ruleValuesFromBody(b), err));
  });
  r.post('/console/admin/routing/rules/:id/move', async (req, res) => {
    requireAdmin(req);
    const rule = await requireRule(req);
    const ids = (await listRoutingRules(db)).map((x) => x.id);
    const at = ids.indexOf(rule.id);
    const to = str((req.body ?? {}) as Body, 'dir') === 'up' ? at - 1 : at + 1;
    if (at >= 0 && to >= 0 && to < ids.length) {
      [ids[at], ids[to]] = [ids[to]!, ids[at]!];
      await reorderRoutingRules(db, ids);
    }
    res.redirect(303, back('/console/admin/routing/rules', `Moved ${rule.name}.`));
  });
  r.post('/console/admin/routing/rules/:id/delete', async (req, res) => {
    requireAdmin(req);
    const rule = await requireRule(req);
    await removeRoutingRule(db, rule.id);
    res.redirect(303, back('/console/admin/routing/rules', `Deleted routing rule ${rule.name}.`));
  });

  // ── agent profiles ──
  const sendProfile = async (req: Request, res: Response, userId: string, v: ProfileValues | null, err?: PacerError) => {
    const { user, profile } = await readAgentProfile(db, userId);
    const { problems, general } = err ? problemsOf(err, PROFILE_FIELDS) : { problems: new Map<string, string[]>(), general: [] };
    const s = sessionOf(req);
    const body = html`<p>${user.email} · ${user.role} · time zone ${user.time_zone}</p>
<section class="card"><h2>Status</h2><p>Now <strong id="agent-status">${profile.status}</strong>.</p>${admin(req) ? statusSwitch(s.csrfToken, `/console/admin/routing/agents/${user.id}/status`, profile.status, user.name) : ''}</section>
${admin(req) ? await profileForm(db, req, user.id, v ?? profileValuesOf(profile), problems, general) : html`<p>Capacity ${String(profile.capacity)}; skills ${skillsText(profile.skills) || 'none'}; languages ${profile.languages.join(', ') || 'none'}.</p>`}
<p><a href="/console/agents">Back to agents</a></p>`;
    res.status(err ? statusOf(err) : 200).type('html').send(adminPage(req, `Routing profile of ${user.name}`, body));
  };
  r.get('/console/admin/routing/agents/:userId', async (req, res) => sendProfile(req, res, userIdOf(req), null));
  r.post('/console/admin/routing/agents/:userId', async (req, res) => {
    requireAdmin(req);
    const userId = userIdOf(req);
    const b = (req.body ?? {}) as Body;
    await attempt(res, async () => {
      await saveAgentProfile(db, listener, userId, parse(agentProfileSchema, profileInput(b)));
      return back(`/console/admin/routing/agents/${userId}`, 'Saved the routing profile.');
    }, (err) => sendProfile(req, res, userId, profileValuesFromBody(b), err));
  });
  r.post('/console/admin/routing/agents/:userId/status', async (req, res) => {
    requireAdmin(req);
    const userId = userIdOf(req);
    const { status } = parse(agentStatusSchema, { status: str((req.body ?? {}) as Body, 'status') });
    await changeAgentStatus(db, listener, userId, status);
    res.redirect(303, back(`/console/admin/routing/agents/${userId}`, `Status set to ${status}.`));
  });
  return r;
}
