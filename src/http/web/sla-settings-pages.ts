/**
 * The admin forms for business calendars and SLA policies: create, edit, and delete a
 * calendar no policy uses. A form's fields are turned into the API's JSON shape and go
 * through the API's own schemas and writes (settings/sla-settings), so a value the API
 * refuses is refused here too; bad input re-renders the form with each problem next to its
 * field and changes nothing. Admins only; managers see the lists read-only.
 */
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/schema';
import { statusOf, type FieldProblem } from '../kit/errors';
import { PacerError, Forbidden, InvalidInput, NotFound } from '../../core/errors';
import { uuid } from '../kit/schemas';
import { parse } from '../kit/validation';
import { DEFAULT_LADDER, deleteCalendar, insertCalendar, insertPolicy, updateCalendar, updatePolicy, type PolicyInput } from '../../domain/settings/sla-settings';
import { calendarSchema, policySchema } from '../kit/settings-schemas';
import type { TicketService } from '../../domain/tickets/ticket-service';
import { TICKET_STATUSES } from '../../../workflows/contract/ticket';
import { adminPage } from './admin-pages';
import { csrfField } from './csrf';
import { calendarImpact, policyImpact, type ImpactReport } from '../../domain/settings/rollout-impact';
import { html, queryString, type SafeHtml } from './html';
import { sessionOf } from './session';
import { findCalendar, listCalendarChoices } from '../../db/repositories/calendars';
import { listPriorities, listTiers } from '../../db/repositories/organizations';
import { findPolicy, policyNamesUsingCalendar } from '../../db/repositories/sla-policies';

export const WEEKDAYS = [
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
] as const;

export type Body = Record<string, unknown>;

function impactSummary(r: ImpactReport, on = 'this policy'): SafeHtml {
  const move = (s: number) => `${s < 0 ? 'earlier' : 'later'} by ${Math.round(Math.abs(s) / 60)} min`;
  return html`<section class="card impact" id="impact"><h2>Open tickets this edit moves</h2>
<p><strong>${String(r.moved)}</strong> of ${String(r.evaluated)} open tickets on ${on} move: ${String(r.earlier)} earlier, ${String(r.later)} later; ${String(r.unchanged)} unchanged.${r.nextCursor ? ` (First ${r.evaluated} of ${r.affected}.)` : ''}</p>
<p>Breached at once: <strong>${String(r.breachedAtOnce.length)}</strong>${r.breachedAtOnce.length ? html` (${r.breachedAtOnce.slice(0, 10).map((b) => b.number).join(', ')})` : ''}; at risk at once: <strong>${String(r.atRiskAtOnce.length)}</strong>.</p>
${r.largestMoves.length ? html`<table class="compact"><thead><tr><th scope="col">Ticket</th><th scope="col">Clock</th><th scope="col">Due now</th><th scope="col">Due after</th><th scope="col">Move</th></tr></thead><tbody>${r.largestMoves.map((m) => html`<tr><td>${m.number}</td><td>${m.clock}</td><td>${m.fromDueAt ?? ''}</td><td>${m.toDueAt ?? ''}</td><td>${move(m.deltaSeconds)}</td></tr>`)}</tbody></table>` : ''}</section>`;
}
export type Problems = Map<string, string[]>;

export const requireAdmin = (req: Request) => {
  if (sessionOf(req).user.role !== 'admin') throw new Forbidden('Only admins change settings.');
};
export const str = (b: Body, name: string) => (typeof b[name] === 'string' ? (b[name] as string).trim() : '');
const list = (b: Body, name: string): string[] => {
  const v = b[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
};

/** "09:00–12:00, 13:00–17:00" → [["09:00","12:00"],["13:00","17:00"]]; a piece that is no pair stays for the schema to name. */
export function parseWindows(text: string): string[][] {
  return text
    .split(/[,;\n]+/)
    .map((w) => w.trim())
    .filter(Boolean)
    .map((w) => {
      const m = /^(\S+?)\s*[–—-]\s*(\S+)$/.exec(w);
      return m ? [m[1]!, m[2]!] : [w, ''];
    });
}
const windowsText = (pairs: ReadonlyArray<readonly string[]> | undefined) => (pairs ?? []).map(([a, b]) => `${a}–${b}`).join(', ');

/** Which form field a problem belongs to: "weekly.mon.0.1" and "weekly.mon[0]" → "weekly.mon"; "holidays[2]" → "holidays". */
function fieldOf(path: string): { field: string; where: string } {
  const parts = path.split(/[.[\]]+/).filter(Boolean);
  if (parts[0] === 'weekly' && parts[1]) return { field: `weekly.${parts[1]}`, where: parts[2] !== undefined ? `window ${Number(parts[2]) + 1}: ` : '' };
  if ((parts[0] === 'holidays' || LADDER_FIELDS.includes(parts[0] ?? '')) && parts[1] !== undefined) {
    return { field: parts[0]!, where: `${parts[0] === 'holidays' ? 'line' : 'step'} ${Number(parts[1]) + 1}${parts[2] ? ` ${parts.slice(2).join('.')}` : ''}: ` };
  }
  return { field: parts[0] ?? '', where: '' };
}

export function problemsOf(err: PacerError, fields: readonly string[]): { problems: Problems; general: string[] } {
  const problems: Problems = new Map();
  const general: string[] = [];
  for (const d of err.details ?? [{ path: '', message: err.message }]) {
    const { field, where } = fieldOf(d.path);
    if (fields.includes(field)) problems.set(field, [...(problems.get(field) ?? []), `${where}${d.message}`]);
    else general.push(d.path && !d.path.includes('|') ? `${d.path}: ${d.message}` : err.details ? `${d.message} (${d.path})` : d.message);
  }
  return { problems, general };
}

/** The error text under a control, and the attributes that tie it to the control. */
export const fieldError = (p: Problems, key: string, id: string) =>
  p.has(key) ? html`<p class="field-error" id="${id}-error">${p.get(key)!.join('; ')}</p>` : '';
export const invalid = (p: Problems, key: string, id: string) => (p.has(key) ? html` aria-invalid="true" aria-describedby="${id}-error"` : '');

export function formErrors(general: string[], problems: Problems): SafeHtml | string {
  if (!general.length && !problems.size) return '';
  return html`<div class="error" role="alert"><p>Nothing was saved. ${problems.size ? 'Fix the fields marked below.' : ''}</p>${general.length ? html`<ul>${general.map((g) => html`<li>${g}</li>`)}</ul>` : ''}</div>`;
}

/** Runs a write; a refused input or a conflict re-renders the form with its problems, anything else propagates. */
export async function attempt(res: Response, write: () => Promise<string>, rerender: (err: PacerError) => Promise<void>): Promise<void> {
  let notice: string;
  try {
    notice = await write();
  } catch (err) {
    if (err instanceof PacerError && (err.kind === 'invalid_input' || err.kind === 'conflict')) return rerender(err);
    throw err;
  }
  res.redirect(303, notice);
}

// ── calendars ──────────────────────────────────────────────────────
const CALENDAR_FIELDS = ['name', 'timezone', 'holidays', ...WEEKDAYS.map(([d]) => `weekly.${d}`)];

function calendarInput(b: Body) {
  return {
    name: str(b, 'name'),
    timezone: str(b, 'timezone'),
    weekly: Object.fromEntries(WEEKDAYS.map(([d]) => [d, parseWindows(str(b, `weekly_${d}`))])),
    holidays: str(b, 'holidays').split(/[\s,]+/).filter(Boolean),
  };
}

interface CalendarFormValues { name: string; timezone: string; weekly: Record<string, string>; holidays: string }

function calendarForm(req: Request, action: string, v: CalendarFormValues, p: Problems, general: string[], submit: string): SafeHtml {
  const s = sessionOf(req);
  return html`${formErrors(general, p)}
<form method="post" action="${action}" class="stack card" id="calendar-form">${csrfField(s.csrfToken)}
<label for="cal-name">Name</label><input id="cal-name" name="name" value="${v.name}" required${invalid(p, 'name', 'cal-name')}>${fieldError(p, 'name', 'cal-name')}
<label for="cal-tz">Time zone (IANA, e.g. Europe/Berlin)</label><input id="cal-tz" name="timezone" value="${v.timezone}" required${invalid(p, 'timezone', 'cal-tz')}>${fieldError(p, 'timezone', 'cal-tz')}
<fieldset><legend>Open hours, local time (e.g. 09:00–12:00, 13:00–17:00; 24:00 ends a day; empty is closed)</legend>
${WEEKDAYS.map(([d, label]) => html`<div class="row"><label for="cal-${d}" class="day">${label}</label><input id="cal-${d}" name="weekly_${d}" value="${v.weekly[d] ?? ''}" size="40"${invalid(p, `weekly.${d}`, `cal-${d}`)}>${fieldError(p, `weekly.${d}`, `cal-${d}`)}</div>`)}
</fieldset>
<label for="cal-holidays">Holidays (one local date YYYY-MM-DD per line)</label><textarea id="cal-holidays" name="holidays" rows="5"${invalid(p, 'holidays', 'cal-holidays')}>${v.holidays}</textarea>${fieldError(p, 'holidays', 'cal-holidays')}
<button type="submit" class="primary">${submit}</button>${action === '/console/admin/calendars' ? '' : html` <button type="submit" formaction="${action}/impact">Preview impact on open tickets</button>`}</form>
<p><a href="/console/admin/calendars">Back to calendars</a></p>`;
}

const calendarValuesFromBody = (b: Body): CalendarFormValues => ({
  name: str(b, 'name'), timezone: str(b, 'timezone'), holidays: str(b, 'holidays'),
  weekly: Object.fromEntries(WEEKDAYS.map(([d]) => [d, str(b, `weekly_${d}`)])),
});

// ── policies ───────────────────────────────────────────────────────
const POLICY_FIELDS = ['name', 'tier', 'priority', 'calendarId', 'firstResponseMinutes', 'resolutionMinutes', 'pauseOn', 'pauseOnIncident', 'autoCloseDays', 'escalations', 'nextReplyMinutes', 'nextReplyEscalations', 'updateEveryMinutes', 'updateEscalations'];
/** The ladders a policy form edits as JSON (an incident policy's are in incident-policy-pages.ts). */
export const LADDER_FIELDS = ['escalations', 'nextReplyEscalations', 'updateEscalations', 'acknowledgementEscalations', 'resolutionEscalations'];

export const ladderText = (steps: unknown) => `[\n${(Array.isArray(steps) ? steps : []).map((s) => `  ${JSON.stringify(s)}`).join(',\n')}\n]`;

/**
 * A form's ladders as JSON values: an empty box is absent (the policy keeps the ladder it has,
 * a new one takes the default), JSON that does not parse is a problem of its own field.
 */
export function laddersOf(b: Body, names: readonly string[]): { ladders: Record<string, unknown>; ladderProblems: FieldProblem[] } {
  const ladders: Record<string, unknown> = {};
  const ladderProblems: FieldProblem[] = [];
  for (const name of names) {
    const text = str(b, name);
    if (text === '') continue;
    try {
      ladders[name] = JSON.parse(text);
    } catch (err) {
      ladderProblems.push({ path: name, message: `not valid JSON (${(err as Error).message})` });
    }
  }
  return { ladders, ladderProblems };
}

/** Parses with the API's schema; ladders that did not parse are named with the schema's problems. */
export function parseWithLadders<T>(schema: Parameters<typeof parse>[0], input: Record<string, unknown>, ladderProblems: FieldProblem[]): T {
  let body: T;
  try {
    body = parse(schema, input) as T;
  } catch (err) {
    if (ladderProblems.length && err instanceof InvalidInput) throw new InvalidInput(err.message, [...ladderProblems, ...(err.details ?? [])], err.code);
    throw err;
  }
  if (ladderProblems.length) throw new InvalidInput(ladderProblems[0]!.message, ladderProblems);
  return body;
}

/** The form as the API's JSON body. An empty target is null (no such clock). */
function policyInput(b: Body): { input: Record<string, unknown>; ladderProblems: FieldProblem[] } {
  const minutes = (name: string) => (str(b, name) === '' ? null : Number(str(b, name)));
  const { ladders, ladderProblems } = laddersOf(b, ['escalations', 'nextReplyEscalations', 'updateEscalations']);
  return {
    input: {
      name: str(b, 'name'), tier: str(b, 'tier'), priority: str(b, 'priority'), calendarId: str(b, 'calendarId'),
      firstResponseMinutes: minutes('firstResponseMinutes'), resolutionMinutes: minutes('resolutionMinutes'),
      pauseOn: list(b, 'pauseOn'), pauseOnIncident: str(b, 'pauseOnIncident') === 'on',
      autoCloseDays: str(b, 'autoCloseDays') === '' ? undefined : Number(str(b, 'autoCloseDays')),
      // Forms from before these fields carry none of them: the policy keeps what it has.
      ...('nextReplyMinutes' in b && { nextReplyMinutes: minutes('nextReplyMinutes') }),
      ...('updateEveryMinutes' in b && { updateEveryMinutes: minutes('updateEveryMinutes') }),
      // An empty main ladder is the empty list, as before; the clocks' own ladders stay absent.
      escalations: 'escalations' in ladders ? ladders.escalations : ladderProblems.some((l) => l.path === 'escalations') ? undefined : [],
      ...('nextReplyEscalations' in ladders && { nextReplyEscalations: ladders.nextReplyEscalations }),
      ...('updateEscalations' in ladders && { updateEscalations: ladders.updateEscalations }),
    },
    ladderProblems,
  };
}

interface PolicyFormValues {
  name: string; tier: string; priority: string; calendarId: string; firstResponseMinutes: string; resolutionMinutes: string;
  pauseOn: string[]; pauseOnIncident: boolean; autoCloseDays: string; escalations: string;
  nextReplyMinutes: string; nextReplyEscalations: string; updateEveryMinutes: string; updateEscalations: string;
}

const policyValuesFromBody = (b: Body): PolicyFormValues => ({
  name: str(b, 'name'), tier: str(b, 'tier'), priority: str(b, 'priority'), calendarId: str(b, 'calendarId'),
  firstResponseMinutes: str(b, 'firstResponseMinutes'), resolutionMinutes: str(b, 'resolutionMinutes'),
  pauseOn: list(b, 'pauseOn'), pauseOnIncident: str(b, 'pauseOnIncident') === 'on', autoCloseDays: str(b, 'autoCloseDays'), escalations: str(b, 'escalations'),
  nextReplyMinutes: str(b, 'nextReplyMinutes'), nextReplyEscalations: str(b, 'nextReplyEscalations'), updateEveryMinutes: str(b, 'updateEveryMinutes'), updateEscalations: str(b, 'updateEscalations'),
});

/** The impact, and a button that posts the form's fields (carried hidden) to the save. */
function confirmPage(req: Request, summary: SafeHtml, action: string, b: Body, id: string): SafeHtml {
  const hidden = Object.entries(b).filter(([k]) => k !== '_csrf').flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => html`<input type="hidden" name="${k}" value="${String(x)}">`));
  return html`${summary}
<form method="post" action="${action}" class="stack card" id="${id}">${csrfField(sessionOf(req).csrfToken)}${hidden}<button type="submit" class="primary">Confirm and save</button></form>
<p><a href="${action}/edit">Back to the form</a></p>`;
}

export function slaSettingsPageRoutes(db: Db, tickets: TicketService): Router {
  const r = Router();
  const cache = tickets.settingsCache;
  const idOf = (req: Request) => parse(uuid, req.params.id, 'params');

  // ── calendars ──
  const sendCalendarForm = (req: Request, res: Response, title: string, action: string, v: CalendarFormValues, submit: string, err?: PacerError) => {
    const { problems, general } = err ? problemsOf(err, CALENDAR_FIELDS) : { problems: new Map(), general: [] };
    res.status(err ? statusOf(err) : 200).type('html').send(adminPage(req, title, calendarForm(req, action, v, problems, general, submit)));
  };

  r.get('/console/admin/calendars/new', (req, res) => {
    requireAdmin(req);
    const nine = '09:00–17:00';
    sendCalendarForm(req, res, 'New calendar', '/console/admin/calendars', { name: '', timezone: sessionOf(req).user.time_zone, holidays: '', weekly: { mon: nine, tue: nine, wed: nine, thu: nine, fri: nine } }, 'Add calendar');
  });

  r.post('/console/admin/calendars', async (req, res) => {
    requireAdmin(req);
    const b = (req.body ?? {}) as Body;
    await attempt(
      res,
      async () => {
        const c = await insertCalendar(db, cache, parse(calendarSchema, calendarInput(b)));
        return `/console/admin/calendars${queryString({ notice: `Added calendar ${c.name}.` })}`;
      },
      async (err) => sendCalendarForm(req, res, 'New calendar', '/console/admin/calendars', calendarValuesFromBody(b), 'Add calendar', err),
    );
  });

  r.get('/console/admin/calendars/:id/edit', async (req, res) => {
    requireAdmin(req);
    const c = await findCalendar(db, idOf(req));
    if (!c) throw new NotFound('calendar');
    const weekly = c.weekly as Record<string, string[][]>;
    sendCalendarForm(req, res, `Edit calendar ${c.name}`, `/console/admin/calendars/${c.id}`, { name: c.name, timezone: c.timezone, holidays: c.holidays.join('\n'), weekly: Object.fromEntries(WEEKDAYS.map(([d]) => [d, windowsText(weekly[d])])) }, 'Save calendar');
  });

  r.post('/console/admin/calendars/:id', async (req, res) => {
    requireAdmin(req);
    const id = idOf(req);
    const b = (req.body ?? {}) as Body;
    await attempt(
      res,
      async () => {
        const c = await updateCalendar(db, cache, id, parse(calendarSchema, calendarInput(b)), { rollouts: tickets.rollouts, by: sessionOf(req).user.email });
        return `/console/admin/calendars${queryString({ notice: `Saved calendar ${c.name}; rolling out to open tickets.`, rollout: c.rolloutId })}`;
      },
      async (err) => sendCalendarForm(req, res, 'Edit calendar', `/console/admin/calendars/${id}`, calendarValuesFromBody(b), 'Save calendar', err),
    );
  });

  // What the edit would do to open tickets on the policies that use the calendar, before it is saved.
  r.post('/console/admin/calendars/:id/impact', async (req, res) => {
    requireAdmin(req);
    const id = idOf(req);
    const b = (req.body ?? {}) as Body;
    const action = `/console/admin/calendars/${id}`;
    try {
      const report = await calendarImpact(db, tickets.rollouts, id, parse(calendarSchema, calendarInput(b)), { limit: 1000, cursor: null });
      res.type('html').send(adminPage(req, 'Impact of this edit', confirmPage(req, impactSummary(report, 'policies using this calendar'), action, b, 'calendar-confirm')));
    } catch (err) {
      if (err instanceof PacerError && err.kind === 'invalid_input') return sendCalendarForm(req, res, 'Edit calendar', action, calendarValuesFromBody(b), 'Save calendar', err);
      throw err;
    }
  });

  r.post('/console/admin/calendars/:id/delete', async (req, res) => {
    requireAdmin(req);
    const id = idOf(req);
    const c = await findCalendar(db, id);
    if (!c) throw new NotFound('calendar');
    try {
      await deleteCalendar(db, cache, id);
    } catch (err) {
      if (err instanceof PacerError && err.code === 'in_use') {
        const users = await policyNamesUsingCalendar(db, id);
        return res.redirect(303, `/console/admin/calendars${queryString({ error: `${c.name} was not deleted: it is used by ${users.join(', ')}. Move those policies to another calendar first.` })}`);
      }
      throw err;
    }
    res.redirect(303, `/console/admin/calendars${queryString({ notice: `Deleted calendar ${c.name}.` })}`);
  });

  // ── policies ──
  const sendPolicyForm = async (req: Request, res: Response, title: string, action: string, v: PolicyFormValues, submit: string, err?: PacerError) => {
    const s = sessionOf(req);
    const [tiers, priorities, calendars] = await Promise.all([
      listTiers(db),
      listPriorities(db),
      listCalendarChoices(db),
    ]);
    const { problems: p, general } = err ? problemsOf(err, POLICY_FIELDS) : { problems: new Map<string, string[]>(), general: [] };
    const select = (id: string, name: string, options: Array<[string, string]>, current: string) =>
      html`<select id="${id}" name="${name}"${invalid(p, name, id)}>${options.map(([value, label]) => html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`)}</select>${fieldError(p, name, id)}`;
    const body = html`${formErrors(general, p)}
<form method="post" action="${action}" class="stack card" id="policy-form">${csrfField(s.csrfToken)}
<label for="pol-name">Name</label><input id="pol-name" name="name" value="${v.name}" required${invalid(p, 'name', 'pol-name')}>${fieldError(p, 'name', 'pol-name')}
<label for="pol-tier">Tier</label>${select('pol-tier', 'tier', tiers.map((t) => [t.name, t.label]), v.tier)}
<label for="pol-priority">Priority</label>${select('pol-priority', 'priority', priorities.map((x) => [x.name, x.label]), v.priority)}
<label for="pol-calendar">Calendar</label>${select('pol-calendar', 'calendarId', calendars.map((c) => [c.id, `${c.name} (${c.timezone})`]), v.calendarId)}
<label for="pol-first">First response target (business minutes; empty = no target)</label><input id="pol-first" name="firstResponseMinutes" inputmode="numeric" value="${v.firstResponseMinutes}"${invalid(p, 'firstResponseMinutes', 'pol-first')}>${fieldError(p, 'firstResponseMinutes', 'pol-first')}
<label for="pol-resolution">Resolution target (business minutes; empty = no target)</label><input id="pol-resolution" name="resolutionMinutes" inputmode="numeric" value="${v.resolutionMinutes}"${invalid(p, 'resolutionMinutes', 'pol-resolution')}>${fieldError(p, 'resolutionMinutes', 'pol-resolution')}
<fieldset${invalid(p, 'pauseOn', 'pol-pause')}><legend>Resolution pauses while the ticket is</legend>
${TICKET_STATUSES.map((st) => html`<label class="check"><input type="checkbox" name="pauseOn" value="${st}"${v.pauseOn.includes(st) ? html` checked` : ''}> ${st}</label> `)}
${fieldError(p, 'pauseOn', 'pol-pause')}</fieldset>
<label class="check"><input type="checkbox" id="pol-incident" name="pauseOnIncident"${v.pauseOnIncident ? html` checked` : ''}> Pause while a linked incident is active</label>
<label for="pol-autoclose">Auto-close solved tickets after (days)</label><input id="pol-autoclose" name="autoCloseDays" inputmode="numeric" value="${v.autoCloseDays}"${invalid(p, 'autoCloseDays', 'pol-autoclose')}>${fieldError(p, 'autoCloseDays', 'pol-autoclose')}
<label for="pol-ladder">Escalation ladder (JSON: a list of {"percent": 80, "actions": [{"type": "notify", "role": "manager"}]})</label><textarea id="pol-ladder" name="escalations" rows="7" spellcheck="false"${invalid(p, 'escalations', 'pol-ladder')}>${v.escalations}</textarea>${fieldError(p, 'escalations', 'pol-ladder')}
<fieldset><legend>Next reply: once the first response is met, each public customer comment owes a reply</legend>
<label for="pol-next-reply">Next reply target (business minutes; empty = none)</label><input id="pol-next-reply" name="nextReplyMinutes" inputmode="numeric" value="${v.nextReplyMinutes}"${invalid(p, 'nextReplyMinutes', 'pol-next-reply')}>${fieldError(p, 'nextReplyMinutes', 'pol-next-reply')}
<label for="pol-next-reply-ladder">Next-reply ladder (JSON, as above; empty = keep it, or 80, 100, 120% recording only on a new policy)</label><textarea id="pol-next-reply-ladder" name="nextReplyEscalations" rows="5" spellcheck="false"${invalid(p, 'nextReplyEscalations', 'pol-next-reply-ladder')}>${v.nextReplyEscalations}</textarea>${fieldError(p, 'nextReplyEscalations', 'pol-next-reply-ladder')}
</fieldset>
<fieldset><legend>Update cadence: while the ticket is open or on hold, a public agent comment is owed every</legend>
<label for="pol-update-every">Public update every (business minutes; empty = none)</label><input id="pol-update-every" name="updateEveryMinutes" inputmode="numeric" value="${v.updateEveryMinutes}"${invalid(p, 'updateEveryMinutes', 'pol-update-every')}>${fieldError(p, 'updateEveryMinutes', 'pol-update-every')}
<label for="pol-update-ladder">Update-cadence ladder (JSON, as above; empty = keep it, or 80% notify assignee, 100% escalate manager on a new policy)</label><textarea id="pol-update-ladder" name="updateEscalations" rows="5" spellcheck="false"${invalid(p, 'updateEscalations', 'pol-update-ladder')}>${v.updateEscalations}</textarea>${fieldError(p, 'updateEscalations', 'pol-update-ladder')}
</fieldset>
<button type="submit" class="primary">${submit}</button>${action === '/console/admin/policies' ? '' : html` <button type="submit" formaction="${action}/impact">Preview impact on open tickets</button>`}</form>
<p><a href="/console/admin/policies">Back to SLA policies</a></p>`;
    res.status(err ? statusOf(err) : 200).type('html').send(adminPage(req, title, body));
  };

  const writePolicy = async (req: Request, res: Response, id: string | null) => {
    requireAdmin(req);
    const b = (req.body ?? {}) as Body;
    const title = id ? 'Edit SLA policy' : 'New SLA policy';
    const action = id ? `/console/admin/policies/${id}` : '/console/admin/policies';
    await attempt(
      res,
      async () => {
        const { input, ladderProblems } = policyInput(b);
        const body = parseWithLadders<PolicyInput>(policySchema, input, ladderProblems);
        const p = id ? await updatePolicy(db, cache, id, body, { rollouts: tickets.rollouts, by: sessionOf(req).user.email }) : await insertPolicy(db, cache, body);
        const rollout = 'rolloutId' in p ? String(p.rolloutId) : undefined;
        return `/console/admin/policies${queryString({ notice: `Saved SLA policy ${p.name}.${rollout ? ' Rolling out to open tickets.' : ''}`, policy: p.id, rollout })}`;
      },
      (err) => sendPolicyForm(req, res, title, action, policyValuesFromBody(b), id ? 'Save policy' : 'Add policy', err),
    );
  };

  r.get('/console/admin/policies/new', async (req, res) => {
    requireAdmin(req);
    const calendar = (await listCalendarChoices(db))[0];
    await sendPolicyForm(req, res, 'New SLA policy', '/console/admin/policies', {
      name: '', tier: '', priority: 'normal', calendarId: calendar?.id ?? '', firstResponseMinutes: '', resolutionMinutes: '',
      pauseOn: ['pending'], pauseOnIncident: true, autoCloseDays: '7', escalations: ladderText(DEFAULT_LADDER),
      nextReplyMinutes: '', nextReplyEscalations: '', updateEveryMinutes: '', updateEscalations: '',
    }, 'Add policy');
  });
  r.post('/console/admin/policies', (req, res) => writePolicy(req, res, null));

  r.get('/console/admin/policies/:id/edit', async (req, res) => {
    requireAdmin(req);
    const p = await findPolicy(db, idOf(req));
    if (!p) throw new NotFound('SLA policy');
    await sendPolicyForm(req, res, `Edit SLA policy ${p.name}`, `/console/admin/policies/${p.id}`, {
      name: p.name, tier: p.tier, priority: p.priority, calendarId: p.calendar_id,
      firstResponseMinutes: p.first_response_minutes === null ? '' : String(p.first_response_minutes),
      resolutionMinutes: p.resolution_minutes === null ? '' : String(p.resolution_minutes),
      pauseOn: p.pause_on, pauseOnIncident: p.pause_on_incident, autoCloseDays: String(p.auto_close_days), escalations: ladderText(p.escalations),
      nextReplyMinutes: p.next_reply_minutes === null ? '' : String(p.next_reply_minutes), nextReplyEscalations: ladderText(p.next_reply_escalations),
      updateEveryMinutes: p.update_every_minutes === null ? '' : String(p.update_every_minutes), updateEscalations: ladderText(p.update_escalations),
    }, 'Save policy');
  });
  r.post('/console/admin/policies/:id', (req, res) => writePolicy(req, res, idOf(req)));
  // What the edit would do to open tickets, before it is saved: the same form's fields, carried to a confirm button.
  r.post('/console/admin/policies/:id/impact', async (req, res) => {
    requireAdmin(req);
    const id = idOf(req);
    const b = (req.body ?? {}) as Body;
    const action = `/console/admin/policies/${id}`;
    try {
      const { input, ladderProblems } = policyInput(b);
      const report = await policyImpact(db, tickets.rollouts, id, parseWithLadders<PolicyInput>(policySchema, input, ladderProblems), { limit: 1000, cursor: null });
      res.type('html').send(adminPage(req, 'Impact of this edit', confirmPage(req, impactSummary(report), action, b, 'policy-confirm')));
    } catch (err) {
      if (err instanceof PacerError && err.kind === 'invalid_input') return sendPolicyForm(req, res, 'Edit SLA policy', action, policyValuesFromBody(b), 'Save policy', err);
      throw err;
    }
  });

  return r;
}
