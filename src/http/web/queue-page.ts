/**
 * The queue page: unsolved tickets by SLA urgency, with live countdowns (the page script
 * ticks every `time[data-countdown]`) and rows that refresh without a reload when any
 * ticket changes (the script re-fetches `/console/queue/rows` on a server-sent event).
 */
import { Router, type Request } from 'express';
import type { Db, TicketRow } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { ticketView } from '../../domain/tickets/ticket-view';
import { assigneeOf } from '../../domain/users/users';
import { csrfField } from './csrf';
import { countdownText, formatInstant, STATUS_LABELS } from './format';
import { html, queryString, type SafeHtml } from './html';
import { pageParts } from './layout';
import { queueRows, QUEUE_VIEWS, type QueueFilter, type QueueRow, type QueueView } from '../../db/repositories/ticket-queue';
import { sessionOf } from './session';
import { refuseUnstorable } from '../kit/validation';
import { filterChoices } from '../../db/repositories/organizations';
import { UUID } from '../../core/uuid';

/** Rows shown: the most urgent first; an agent narrows with the filters rather than scrolling past hundreds. */
export const QUEUE_LIMIT = 100;

interface QueueParams {
  view: QueueView;
  who: '' | 'mine' | 'unassigned';
  priority: string;
  tier: string;
  flag: '' | 'breached' | 'atRisk';
  org: string;
}

function paramsOf(req: Request): QueueParams {
  refuseUnstorable(req.query);
  const s = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : '');
  const view = s('view') in QUEUE_VIEWS ? (s('view') as QueueView) : 'action';
  const who = s('who') === 'mine' || s('who') === 'unassigned' ? s('who') : '';
  const flag = s('flag') === 'breached' || s('flag') === 'atRisk' ? s('flag') : '';
  return { view, who: who as QueueParams['who'], priority: s('priority'), tier: s('tier'), flag: flag as QueueParams['flag'], org: UUID.test(s('org')) ? s('org') : '' };
}

function filterOf(p: QueueParams, me: string): QueueFilter {
  return {
    view: p.view,
    assignee: p.who === 'mine' ? { mine: me } : p.who === 'unassigned' ? 'unassigned' : undefined,
    priority: p.priority || undefined,
    tier: p.tier || undefined,
    flag: p.flag || undefined,
    organizationId: p.org || undefined,
    limit: QUEUE_LIMIT,
  };
}

const paramQuery = (p: QueueParams) => queryString({ view: p.view === 'action' ? undefined : p.view, who: p.who, priority: p.priority, tier: p.tier, flag: p.flag, org: p.org });

export function countdown(due: Date | string, now: number): SafeHtml {
  const iso = new Date(due).toISOString();
  const ms = new Date(due).getTime() - now;
  return html`<time data-countdown datetime="${iso}" class="${ms < 0 ? 'overdue' : ''}">${countdownText(ms)}</time>`;
}

function row(t: QueueRow, me: string, csrf: string, timeZone: string, now: number): SafeHtml {
  const v = ticketView(t, now);
  const breached = v.sla.firstResponse.breached || v.sla.resolution.breached;
  const atRisk = !breached && (v.sla.firstResponse.atRisk || v.sla.resolution.atRisk);
  const clock = nextClock(t);
  return html`<tr data-ticket="${t.id}" class="${breached ? 'breached' : atRisk ? 'at-risk' : ''}">
<td><a href="/console/tickets/${t.id}">${t.number}</a></td>
<td class="subject">${t.subject}</td>
<td>${t.organization_name} <span class="muted">${t.tier}</span></td>
<td><span class="prio prio-${t.priority}">${t.priority}</span></td>
<td class="status">${STATUS_LABELS[t.status] ?? t.status}</td>
<td class="assignee">${t.assignee ?? html`<span class="muted">unassigned</span>`}</td>
<td class="due">${t.next_due_at ? html`${countdown(t.next_due_at, now)}<br><span class="muted" title="${formatInstant(t.next_due_at, timeZone)}">${clock}</span>` : html`<span class="muted">${v.sla.resolution.pausedSince ? 'paused' : 'no running clock'}</span>`}
${breached ? html` <span class="flag flag-breached">breached</span>` : atRisk ? html` <span class="flag flag-risk">at risk</span>` : ''}</td>
<td>${t.assignee === me ? html`<span class="muted">yours</span>` : html`<form method="post" action="/console/tickets/${t.id}/take">${csrfField(csrf)}<button type="submit" aria-label="Take ${t.number}">Take</button></form>`}</td>
</tr>`;
}

async function rowsHtml(db: Db, req: Request, p: QueueParams) {
  const s = sessionOf(req);
  const me = assigneeOf(s.user);
  const now = Date.now();
  const { rows, total } = await queueRows(db, filterOf(p, me));
  const body = rows.length
    ? rows.map((t) => row(t, me, s.csrfToken, s.user.time_zone, now))
    : html`<tr><td colspan="8" class="empty">Nothing here. Good pace.</td></tr>`;
  const more = total > rows.length ? html`<tr><td colspan="8" class="muted">Showing the ${rows.length} most urgent of ${total}; narrow the filters to see others.</td></tr>` : '';
  return { html: html`${body}${more}`, total };
}

function select(name: string, label: string, current: string, options: Array<[string, string]>): SafeHtml {
  return html`<label>${label}
<select name="${name}">${options.map(([value, text]) => html`<option value="${value}"${value === current ? html` selected` : ''}>${text}</option>`)}</select></label>`;
}

export function queueRoutes(db: Db, log: Logger): Router {
  const r = Router();

  r.get('/console', async (req, res) => {
    const s = sessionOf(req);
    const p = paramsOf(req);
    const [tiers, priorities, orgs] = await filterChoices(db);
    const [start, end] = pageParts({ title: 'Queue', user: s.user, csrfToken: s.csrfToken, nav: 'queue', live: true });
    const head = html`<h1>Queue</h1>
<form class="filters" method="get" action="/console" aria-label="Filters">
${select('view', 'Tickets', p.view, [['action', 'Needs action (new, open)'], ['on_hold', 'On hold'], ['pending', 'Waiting on customer'], ['unsolved', 'All unsolved']])}
${select('who', 'Assignee', p.who, [['', 'Anyone'], ['mine', 'Mine'], ['unassigned', 'Unassigned']])}
${select('priority', 'Priority', p.priority, [['', 'Any'], ...priorities.map((x): [string, string] => [x.name, x.label])])}
${select('tier', 'Tier', p.tier, [['', 'Any'], ...tiers.map((x): [string, string] => [x.name, x.label])])}
${select('flag', 'SLA', p.flag, [['', 'Any'], ['breached', 'Breached'], ['atRisk', 'At risk']])}
${select('org', 'Organization', p.org, [['', 'Any'], ...orgs.map((o): [string, string] => [o.id, o.name])])}
<button type="submit">Apply</button>
</form>
<table class="queue">
<caption class="visually-hidden">Tickets by SLA urgency, most urgent first</caption>
<colgroup><col class="c-num"><col class="c-subject"><col class="c-org"><col class="c-prio"><col class="c-status"><col class="c-assignee"><col class="c-due"><col class="c-act"></colgroup>
<thead><tr><th scope="col">Ticket</th><th scope="col">Subject</th><th scope="col">Organization</th><th scope="col">Priority</th><th scope="col">Status</th><th scope="col">Assignee</th><th scope="col">Next deadline</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody id="queue-rows" data-refresh="/console/queue/rows${paramQuery(p)}" aria-live="polite">
`;
    // The shell goes out first (the browser fetches the stylesheet and paints the filters),
    // then the rows once the urgency query answers.
    res.type('html');
    res.write(start + head.value);
    let rows: string;
    try {
      rows = (await rowsHtml(db, req, p)).html.value;
    } catch (err) {
      // The status line is gone already; say so in the page (the script retries on the next change).
      log.error({ err, path: req.path }, 'queue rows failed');
      rows = html`<tr><td colspan="8" class="error" role="alert">The queue could not be loaded. Reload to try again.</td></tr>`.value;
    }
    res.end(`${rows}</tbody>\n</table>${end}`);
  });

  r.get('/console/queue/rows', async (req, res) => {
    const rows = await rowsHtml(db, req, paramsOf(req));
    res.set('X-Queue-Total', String(rows.total)).type('html').send(rows.html.value);
  });

  return r;
}

/** Which clock the next deadline belongs to. */
export function nextClock(t: TicketRow): 'first response' | 'resolution' | null {
  const fr = t.fr_met_at === null && t.fr_due_at !== null ? new Date(t.fr_due_at).getTime() : Infinity;
  const res = t.res_met_at === null && t.res_paused_since === null && t.res_due_at !== null ? new Date(t.res_due_at).getTime() : Infinity;
  if (fr === Infinity && res === Infinity) return null;
  return fr <= res ? 'first response' : 'resolution';
}
