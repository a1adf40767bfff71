/**
 * The agent's ticket page as HTML: the conversation (public replies and internal notes set
 * apart), the SLA clocks with due times in the agent's time zone and their ladder steps, the
 * event timeline, and the action forms. Pure rendering: ticket-page.ts reads and acts.
 */
import type { CommentRow, TicketEventRow, TicketRow } from '../../db/schema';
import { PRIORITIES, type ClockName, type ClockState, type SlaState } from '../../../workflows/contract/ticket';
import { csrfField } from './csrf';
import { formatInstant, STATUS_LABELS, targetInWords } from './format';
import { html, type SafeHtml } from './html';
import { countdown } from './queue-page';
import { categorizedDetail, categoryForm, categoryMeta } from './ticket-category';

export interface TicketPageView {
  t: TicketRow;
  org: { name: string; tier: string };
  comments: CommentRow[];
  events: TicketEventRow[];
  links: Array<{ kind: string; external_key: string; url: string | null }>;
  sla: SlaState | null;
  /** The clocks count business hours (their calendar is not round the clock). */
  businessHours: boolean;
  /** The agent's time zone. */
  tz: string;
  now: number;
  /** The agent as an assignee. */
  me: string;
  csrfToken: string;
  extraActions: SafeHtml;
  extraPanels: SafeHtml;
  /** What the reply box starts with (an article link asked for without the script). */
  replyDraft?: string;
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

export function isBusinessHours(sla: SlaState | null, inputs: { policy: { calendar: { weekly: Record<string, Array<[string, string]>> } } | null } | null) {
  const weekly = inputs?.policy?.calendar.weekly;
  if (!sla || !weekly) return false;
  return !Object.values(weekly).every((w) => w.length === 1 && w[0]![0] === '00:00' && w[0]![1] === '24:00');
}

function eventLine(e: { type: string; at: Date; actor: string; visibility: string; data: Record<string, unknown> }, tz: string): SafeHtml {
  const d = e.data;
  const detail =
    e.type === 'ticket.status_changed' ? `${String(d.from ?? '')} → ${String(d.to ?? '')}` :
    e.type === 'ticket.assigned' ? `→ ${String(d.to ?? 'nobody')}` :
    // Routing says why on the timeline: the planner's one-sentence reason.
    e.type === 'ticket.routed' || e.type === 'ticket.routing_released' ? String((d.reason as { summary?: unknown } | undefined)?.summary ?? d.agent ?? '') :
    e.type === 'ticket.retargeted' || e.type === 'ticket.priority_changed' ? `priority ${String(d.priority ?? d.to ?? '')}` :
    e.type.startsWith('sla.') && d.percent !== undefined ? `${String(d.clock ?? '')} ${String(d.percent)}%` :
    e.type === 'ticket.categorized' ? categorizedDetail(d) :
    e.type.startsWith('action.') ? String(d.detail ?? (d.action as { type?: string } | undefined)?.type ?? '') : '';
  const classes = [e.visibility === 'internal' ? 'internal' : '', e.type === 'ticket.categorized' && d.automatic === true ? 'automatic' : ''].filter(Boolean).join(' ');
  return html`<li class="${classes}"><time datetime="${new Date(e.at).toISOString()}">${formatInstant(e.at, tz)}</time> <code>${e.type}</code> ${detail} <span class="muted">${e.actor}</span></li>`;
}

export function ticketPageBody(v: TicketPageView): SafeHtml {
  const { t, org, comments, events, links, sla, tz, now } = v;
  const bh = v.businessHours;
  const me = v.me;
  const csrf = csrfField(v.csrfToken);
  const act = (path: string) => `/console/tickets/${t.id}/${path}`;
  const open = !['closed', 'cancelled'].includes(t.status);
  const statusButtons = (['open', 'pending', 'on_hold', 'solved'] as const)
    .filter((st) => st !== t.status)
    .map((st) => html`<button type="submit" name="status" value="${st}">${st === 'open' ? 'Reopen / open' : st === 'on_hold' ? 'Put on hold' : st === 'pending' ? 'Set pending' : 'Solve'}</button>`);
  return html`<div class="ticket" data-ticket="${t.id}">
<header class="ticket-head">
<h1><span class="muted">${t.number}</span> ${t.subject}</h1>
<p class="meta">
<span class="badge status-${t.status}" id="ticket-status">${STATUS_LABELS[t.status] ?? t.status}</span>
<span class="prio prio-${t.priority}" id="ticket-priority">${t.priority}</span>
${org.name} <span class="muted">(${org.tier})</span> ·
requester ${t.requester_name ?? ''} &lt;${t.requester_email}&gt; ·
assignee <strong id="ticket-assignee">${t.assignee ?? 'unassigned'}</strong>${categoryMeta(t)}
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
<textarea id="reply-body" name="body" rows="5" required>${v.replyDraft ?? ''}</textarea>
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
${categoryForm(t, act('category'), csrf)}
${v.extraActions}
</section>` : ''}
${links.length ? html`<section aria-labelledby="links-h"><h2 id="links-h">Links</h2><ul>${links.map((l) => html`<li>${l.kind}: ${l.url ? html`<a href="${l.url}">${l.external_key}</a>` : l.external_key}</li>`)}</ul></section>` : ''}
${v.extraPanels}
</aside>
</div>
</div>`;
}
