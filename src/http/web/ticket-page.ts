/**
 * The agent's ticket page — conversation (public replies and internal notes set apart),
 * the SLA clocks with due times in the agent's time zone and their ladder steps, the event
 * timeline — and its actions. Every action is an update to the ticket's workflow through
 * TicketService (the same calls the API makes), then a redirect back to the page.
 */
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database, TicketRow } from '../../db/schema';
import { findTicket } from '../../db/repositories/tickets';
import { ApiError } from '../kit/errors';
import { isRefusal } from '../../core/errors';
import { describeSla } from '../../../workflows/ticket/sla-state';
import { PRIORITIES, type ClockName, type ClockState, type SlaState } from '../../../workflows/contract/ticket';
import type { TicketLifecycle } from '../../domain/tickets/ticket-lifecycle';
import type { TicketService } from '../../domain/tickets/ticket-service';
import type { Logger } from '../../core/logger';
import { assigneeOf } from '../../domain/users/users';
import { csrfField } from './csrf';
import { formatInstant, STATUS_LABELS, targetInWords } from './format';
import { html, queryString, type SafeHtml } from './html';
import { page } from './layout';
import { countdown } from './queue-page';
import { sessionOf } from './session';
import type { TicketExtras } from './ticket-extras';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TicketPageDeps {
  db: Kysely<Database>;
  tickets: TicketService;
  lifecycle: TicketLifecycle;
  extras: TicketExtras;
  log: Logger;
}

export async function staffTicket(db: Kysely<Database>, id: string | string[] | undefined): Promise<TicketRow> {
  const ticket = typeof id === 'string' && UUID.test(id) ? await findTicket(db, id) : undefined;
  if (!ticket) throw ApiError.notFound('ticket');
  return ticket;
}

const CLOCK_TITLES: Record<ClockName, string> = { first_response: 'First response', resolution: 'Resolution', next_reply: 'Next reply', update: 'Update cadence' };

function clockStateOf(c: ClockState): { key: string; label: string } {
  if (c.metAt !== null) return c.breached ? { key: 'met-late', label: 'met late' } : { key: 'met', label: 'met' };
  if (c.pausedSince !== null) return { key: 'paused', label: 'paused' };
  if (c.breached) return { key: 'breached', label: 'breached' };
  return { key: 'running', label: 'running' };
}

/** Ladder steps: done (fired), next (the first one still to come), pending; none will fire once the clock is met. */
function ladder(c: ClockState, tz: string): SafeHtml {
  let nextSeen = false;
  return html`<ol class="ladder">${c.escalations.map((s) => {
    let state: string;
    if (s.fired) state = 'done';
    else if (c.metAt !== null) state = 'not needed';
    else if (!nextSeen && s.at !== null) {
      state = 'next';
      nextSeen = true;
    } else state = 'pending';
    return html`<li class="step step-${state.replace(' ', '-')}" data-percent="${s.percent}"><span class="pct">${s.percent}%</span> <span class="step-state">${state}</span> <span class="muted">${s.at ? formatInstant(s.at, tz) : c.pausedSince ? 'while paused' : '—'}</span></li>`;
  })}</ol>`;
}

function clockCard(name: ClockName, c: ClockState | null, tz: string, businessHours: boolean, now: number): SafeHtml {
  if (!c) return html`<section class="clock" id="clock-${name}" aria-label="${CLOCK_TITLES[name]} clock"><h3>${CLOCK_TITLES[name]}</h3><p class="muted">No SLA target.</p></section>`;
  const st = clockStateOf(c);
  return html`<section class="clock clock-${st.key}" id="clock-${name}" aria-label="${CLOCK_TITLES[name]} clock">
<h3>${CLOCK_TITLES[name]} <span class="clock-state badge badge-${st.key}">${st.label}</span></h3>
<dl>
<dt>Target</dt><dd>${targetInWords(c.targetMinutes, businessHours, name === 'resolution')}</dd>
<dt>Due</dt><dd class="clock-due">${c.dueAt ? formatInstant(c.dueAt, tz) : c.pausedSince ? 'paused — re-computed on resume' : '—'}${c.dueAt && c.metAt === null && c.pausedSince === null ? html` (${countdown(c.dueAt, now)})` : ''}</dd>
${c.metAt ? html`<dt>Met</dt><dd>${formatInstant(c.metAt, tz)}</dd>` : ''}
${c.pausedSince ? html`<dt>Paused since</dt><dd>${formatInstant(c.pausedSince, tz)}${c.pauseReason ? html` <span class="muted pause-reason">(${c.pauseReason === 'incident' ? 'waiting on an incident' : STATUS_LABELS[c.pauseReason] ?? c.pauseReason})</span>` : ''}</dd>` : ''}
<dt>Elapsed</dt><dd>${c.percentElapsed}%</dd>
</dl>
<h4>Ladder</h4>
${ladder(c, tz)}
</section>`;
}

/** The running next-reply cycle as a clock card, and the cycles before it, newest first. */
function nextReplyCards(cycles: Array<ClockState & { cycle: number }> | null, tz: string, businessHours: boolean, now: number): SafeHtml {
  if (cycles === null) return html``;
  const last = cycles[cycles.length - 1];
  const running = last && last.metAt === null ? last : null;
  const past = cycles.filter((c) => c !== running).reverse();
  return html`${running ? clockCard('next_reply', running, tz, businessHours, now) : html`<section class="clock" id="clock-next_reply" aria-label="Next reply clock"><h3>Next reply</h3><p class="muted">No reply owed.</p></section>`}
${past.length ? html`<details class="past-cycles" id="next-reply-cycles"><summary>Earlier next-reply cycles (${past.length}, ${past.filter((c) => c.breached).length} late)</summary><ol>${past.map(
    (c) => html`<li data-cycle="${c.cycle}" class="${c.breached ? 'cycle-late' : 'cycle-met'}">${formatInstant(c.startedAt, tz)} → ${c.metAt ? formatInstant(c.metAt, tz) : '—'} <span class="muted">due ${c.dueAt ? formatInstant(c.dueAt, tz) : '—'}</span> <span class="badge badge-${c.breached ? 'met-late' : 'met'}">${c.breached ? 'late' : 'in time'}</span></li>`,
  )}</ol></details>` : ''}`;
}

function isBusinessHours(sla: SlaState | null, inputs: { policy: { calendar: { weekly: Record<string, Array<[string, string]>> } } | null } | null) {
  const weekly = inputs?.policy?.calendar.weekly;
  if (!sla || !weekly) return false;
  return !Object.values(weekly).every((w) => w.length === 1 && w[0]![0] === '00:00' && w[0]![1] === '24:00');
}

function eventLine(e: { type: string; at: Date; actor: string; visibility: string; data: Record<string, unknown> }, tz: string): SafeHtml {
  const d = e.data;
  const detail =
    e.type === 'ticket.status_changed' ? `${String(d.from ?? '')} → ${String(d.to ?? '')}` :
    e.type === 'ticket.assigned' ? `→ ${String(d.to ?? 'nobody')}` :
    e.type === 'ticket.retargeted' || e.type === 'ticket.priority_changed' ? `priority ${String(d.priority ?? d.to ?? '')}` :
    e.type.startsWith('sla.') && d.percent !== undefined ? `${String(d.clock ?? '')} ${String(d.percent)}%` :
    e.type.startsWith('action.') ? String(d.detail ?? (d.action as { type?: string } | undefined)?.type ?? '') : '';
  return html`<li class="${e.visibility === 'internal' ? 'internal' : ''}"><time datetime="${new Date(e.at).toISOString()}">${formatInstant(e.at, tz)}</time> <code>${e.type}</code> ${detail} <span class="muted">${e.actor}</span></li>`;
}

export function ticketPageRoutes(deps: TicketPageDeps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/console/tickets/:id', async (req, res) => {
    const s = sessionOf(req);
    const tz = s.user.time_zone;
    const t = await staffTicket(db, req.params.id);
    const [org, comments, events, inputs, links, extra] = await Promise.all([
      db.selectFrom('organizations').select(['name', 'tier']).where('id', '=', t.organization_id).executeTakeFirstOrThrow(),
      db.selectFrom('comments').selectAll().where('ticket_id', '=', t.id).orderBy('created_at').orderBy('id').execute(),
      db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', t.id).orderBy('seq').execute(),
      deps.lifecycle.slaInputs(t.id).catch(() => null),
      db.selectFrom('ticket_links').select(['kind', 'external_key', 'url']).where('ticket_id', '=', t.id).execute(),
      deps.extras.forTicket(t),
    ]);
    const now = Date.now();
    const sla = inputs ? describeSla(inputs, now) : null;
    const bh = isBusinessHours(sla, inputs);
    const me = assigneeOf(s.user);
    const csrf = csrfField(s.csrfToken);
    const act = (path: string) => `/console/tickets/${t.id}/${path}`;
    const open = !['closed', 'cancelled'].includes(t.status);
    const statusButtons = (['open', 'pending', 'on_hold', 'solved'] as const)
      .filter((st) => st !== t.status)
      .map((st) => html`<button type="submit" name="status" value="${st}">${st === 'open' ? 'Reopen / open' : st === 'on_hold' ? 'Put on hold' : st === 'pending' ? 'Set pending' : 'Solve'}</button>`);
    const body = html`<div class="ticket" data-ticket="${t.id}">
<header class="ticket-head">
<h1><span class="muted">${t.number}</span> ${t.subject}</h1>
<p class="meta">
<span class="badge status-${t.status}" id="ticket-status">${STATUS_LABELS[t.status] ?? t.status}</span>
<span class="prio prio-${t.priority}" id="ticket-priority">${t.priority}</span>
${org.name} <span class="muted">(${org.tier})</span> ·
requester ${t.requester_name ?? ''} &lt;${t.requester_email}&gt; ·
assignee <strong id="ticket-assignee">${t.assignee ?? 'unassigned'}</strong>
${sla?.policyName ? html` · policy ${sla.policyName}` : ''}
</p>
</header>
<div class="ticket-grid">
<div class="ticket-main">
<section aria-labelledby="conv-h">
<h2 id="conv-h">Conversation</h2>
<ol class="conversation">
<li class="msg msg-public"><p class="who">${t.requester_name ?? t.requester_email} <span class="muted">${formatInstant(t.created_at, tz)}</span></p><div class="body">${t.description}</div></li>
${comments.map((c) => html`<li class="msg ${c.public ? 'msg-public' : 'msg-internal'} author-${c.author_type}" data-comment="${c.id}">
<p class="who">${c.public ? '' : html`<span class="badge badge-internal">Internal note</span> `}${c.author_name} <span class="muted">(${c.author_type}) ${formatInstant(c.created_at, tz)}</span></p>
<div class="body">${c.body}</div></li>`)}
</ol>
${open ? html`<form method="post" action="${act('reply')}" class="stack reply">
${csrf}
<label for="reply-body">Your message</label>
<textarea id="reply-body" name="body" rows="5" required></textarea>
<div class="row">
<button type="submit" name="visibility" value="public" class="primary">Send public reply</button>
<button type="submit" name="visibility" value="internal" class="secondary">Add internal note</button>
</div>
</form>` : ''}
</section>
<section aria-labelledby="tl-h">
<h2 id="tl-h">Timeline</h2>
<ol class="timeline">${events.map((e) => eventLine(e, tz))}</ol>
</section>
</div>
<aside class="ticket-side">
<section aria-labelledby="sla-h" id="sla">
<h2 id="sla-h">SLA <span class="muted">(${tz})</span></h2>
${clockCard('first_response', sla?.firstResponse ?? null, tz, bh, now)}
${clockCard('resolution', sla?.resolution ?? null, tz, bh, now)}
${nextReplyCards(sla?.nextReply ?? null, tz, bh, now)}
${sla?.updateCadence && sla.updateCadence.metAt === null ? clockCard('update', sla.updateCadence, tz, bh, now) : ''}
</section>
${open ? html`<section aria-labelledby="act-h" class="actions">
<h2 id="act-h">Actions</h2>
<form method="post" action="${act('status')}" class="row" aria-label="Status">${csrf}${statusButtons}</form>
<form method="post" action="${act('priority')}" class="row">${csrf}
<label for="priority">Priority</label>
<select id="priority" name="priority">${PRIORITIES.map((p) => html`<option value="${p}"${p === t.priority ? html` selected` : ''}>${p}</option>`)}</select>
<button type="submit">Change priority</button>
</form>
<form method="post" action="${act('assign')}" class="row">${csrf}
<label for="assignee">Assignee</label>
<input id="assignee" name="assignee" value="${t.assignee ?? ''}" placeholder="email">
<button type="submit">Assign</button>
${t.assignee !== me ? html`<button type="submit" formaction="${act('take')}">Take it</button>` : ''}
</form>
${deps.extras.actions(t, s.csrfToken, extra)}
</section>` : ''}
${links.length ? html`<section aria-labelledby="links-h"><h2 id="links-h">Links</h2><ul>${links.map((l) => html`<li>${l.kind}: ${l.url ? html`<a href="${l.url}">${l.external_key}</a>` : l.external_key}</li>`)}</ul></section>` : ''}
${deps.extras.panels(t, extra)}
</aside>
</div>
</div>`;
    const notice = typeof req.query.notice === 'string' ? req.query.notice : null;
    const error = typeof req.query.error === 'string' ? req.query.error : null;
    res.type('html').send(page({ title: `${t.number} ${t.subject}`, user: s.user, csrfToken: s.csrfToken, nav: 'queue', live: true, notice, error, body }).value);
  });

  /**
   * Runs an action; a refusal (bad transition, closed ticket…: see isRefusal) comes back as a message on the
   * page, a failure (Jira down or busy) answers the error page with the status the API answers for it.
   */
  const action = (name: string, run: (req: Request, t: TicketRow) => Promise<string>, then?: (t: TicketRow) => string) =>
    r.post(`/console/tickets/:id/${name}`, async (req: Request, res: Response) => {
      const t = await staffTicket(db, req.params.id);
      const back = then ? then(t) : `/console/tickets/${t.id}`;
      try {
        const notice = await run(req, t);
        res.redirect(303, `${back}${queryString({ notice })}`);
      } catch (err) {
        if (!isRefusal(err)) throw err;
        res.redirect(303, `${back}${queryString({ error: err.message })}`);
      }
    });
  const field = (req: Request, name: string) => {
    const v = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v : '';
  };
  const principal = (req: Request) => req.principal!;

  action('reply', async (req, t) => {
    const text = field(req, 'body').trim();
    if (!text) throw new ApiError(400, 'validation_failed', 'Write a message first.');
    const isPublic = field(req, 'visibility') !== 'internal';
    await deps.tickets.comment(principal(req), t, text, isPublic);
    return isPublic ? 'Reply sent.' : 'Internal note added.';
  });
  action('status', async (req, t) => {
    const status = field(req, 'status');
    if (!['open', 'pending', 'on_hold', 'solved'].includes(status)) throw new ApiError(400, 'validation_failed', 'Unknown status.');
    await deps.tickets.patch(principal(req), t, { status: status as TicketRow['status'] });
    return `Status set to ${STATUS_LABELS[status]}.`;
  });
  action('priority', async (req, t) => {
    const priority = field(req, 'priority');
    if (!(PRIORITIES as readonly string[]).includes(priority)) throw new ApiError(400, 'validation_failed', 'Unknown priority.');
    await deps.tickets.patch(principal(req), t, { priority: priority as never });
    return `Priority set to ${priority}; the SLA clocks were re-targeted.`;
  });
  action('assign', async (req, t) => {
    const assignee = field(req, 'assignee').trim() || null;
    await deps.tickets.patch(principal(req), t, { assignee });
    return assignee ? `Assigned to ${assignee}.` : 'Unassigned.';
  });
  action('take', async (req, t) => {
    await deps.tickets.patch(principal(req), t, { assignee: assigneeOf(sessionOf(req).user) });
    return `You took ${t.number}.`;
  });
  deps.extras.routes(r, action);
  return r;
}
