/**
 * The customer portal: a customer sees, searches, opens and answers its own organization's
 * tickets — public replies only, status and the promised response time in plain words.
 * Another organization's ticket is simply not found (404), never "forbidden".
 */
import { Router, type Request } from 'express';
import type { Db, TicketRow } from '../../db/schema';
import { findTicket } from '../../db/repositories/tickets';
import { refuseUnstorable } from '../kit/validation';
import type { TicketService } from '../../domain/tickets/ticket-service';
import { csrfField } from './csrf';
import { formatInstant, relative, targetInWords } from './format';
import { html, queryString, type SafeHtml } from './html';
import { page } from './layout';
import { sessionOf } from './session';
import { listCustomerTickets } from '../../db/repositories/customer-tickets';
import { organizationSummary } from '../../db/repositories/organizations';
import { policyTargets } from '../../db/repositories/sla-policies';
import { listPublicComments } from '../../db/repositories/ticket-details';
import { UUID } from '../../core/uuid';
import crypto from 'node:crypto';
import { z } from 'zod';
import { freeText, uuid } from '../kit/schemas';
import { parse } from '../kit/validation';
import { raw } from './html';
import type { ArticleService } from '../../domain/kb/article-service';
import { canRead } from '../../domain/kb/visibility';
import { Deflections, suggestArticles, type SuggestionSearch } from '../../domain/search/suggestions';
import { logSubject } from '../kit/request-observer';
import type { CsatService } from '../../domain/csat/csat-service';
import { InvalidInput, NotFound } from '../../core/errors';

export const CUSTOMER_STATUS: Record<string, string> = {
  new: 'Received — we will get back to you',
  open: 'We are working on it',
  on_hold: 'We are working on it',
  pending: 'Waiting for your reply',
  solved: 'Solved — reply if you still need help',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

async function ownTicket(db: Db, req: Request): Promise<TicketRow> {
  const id = req.params.id;
  const orgId = sessionOf(req).user.organization_id!;
  const t = typeof id === 'string' && UUID.test(id) ? await findTicket(db, id, orgId) : undefined;
  if (!t) throw new NotFound('ticket');
  return t;
}

/** "We promise a first response by …" from the ticket's SLA snapshot and its policy's targets. */
async function promise(db: Db, t: TicketRow, tz: string): Promise<SafeHtml> {
  const policy = t.policy_id
    ? await policyTargets(db, t.policy_id)
    : undefined;
  const weekly = (policy?.weekly ?? {}) as Record<string, Array<[string, string]>>;
  const businessHours = !Object.values(weekly).every((w) => w.length === 1 && w[0]![0] === '00:00' && w[0]![1] === '24:00');
  const lines: SafeHtml[] = [];
  if (t.fr_met_at) lines.push(html`<li>We first answered on ${formatInstant(t.fr_met_at, tz)}.</li>`);
  else if (t.fr_due_at) {
    const within = policy?.first_response_minutes ? html` (within ${targetInWords(policy.first_response_minutes, businessHours, false)})` : '';
    lines.push(html`<li id="promise-first-response">We promise a first answer by <strong>${formatInstant(t.fr_due_at, tz)}</strong>${within} — ${relative(t.fr_due_at)}.</li>`);
  }
  if (t.res_met_at) lines.push(html`<li>Solved on ${formatInstant(t.res_met_at, tz)}.</li>`);
  // Only a wait on the customer is theirs to know of; an internal hold or an incident is not.
  else if (t.res_paused_since && t.status === 'pending') lines.push(html`<li>While we wait for your reply, the time we take to resolve it does not run.</li>`);
  else if (t.res_due_at) {
    const within = policy?.resolution_minutes ? html` (within ${targetInWords(policy.resolution_minutes, businessHours)})` : '';
    lines.push(html`<li>We aim to resolve it by <strong>${formatInstant(t.res_due_at, tz)}</strong>${within}.</li>`);
  }
  if (!lines.length) lines.push(html`<li>Your plan answers on a best-effort basis.</li>`);
  return html`<ul class="promise">${lines}</ul>`;
}

/** The survey prompt of a solved ticket whose survey went out (the same signed link as the email). */
function surveyPrompt(prompt: { url: string; rating: number | null } | undefined, number: string): SafeHtml {
  if (!prompt) return html``;
  return html`<p class="csat-prompt" data-csat="${number}"><a class="button" href="${prompt.url}">${prompt.rating === null ? 'How did we do? Rate this ticket' : `You rated it ${prompt.rating}/5 — change your rating`}</a></p>`;
}

/** What the suggestions need: the knowledge base's search and articles. */
export interface PortalKb {
  search: SuggestionSearch;
  articles: ArticleService;
}

const PORTAL_SUGGESTIONS = 5;
// The script sends at most this much of the description: the first words carry the topic.
const suggestionsQuery = z.strictObject({ subject: freeText(500).default(''), description: freeText(2_000).default(''), session: uuid });

export function portalRoutes(db: Db, tickets: TicketService, csat: CsatService, kb?: PortalKb): Router {
  const r = Router();
  const deflections = kb ? new Deflections(db) : null;
  r.param('id', logSubject('ticket'));

  r.get('/portal', async (req, res) => {
    const s = sessionOf(req);
    refuseUnstorable({ q: req.query.q });
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
    const show = req.query.show === 'all' ? 'all' : req.query.show === 'closed' ? 'closed' : 'open';
    const rows = await listCustomerTickets(db, s.user.organization_id!, { show, q });
    const org = await organizationSummary(db, s.user.organization_id!);
    const prompts = await csat.prompts(rows.map((t) => t.id));
    const body = html`<h1>Tickets of ${org.name}</h1>
<p><a class="button primary" href="/portal/new">Ask for help</a></p>
<form method="get" action="/portal" class="filters" role="search">
<label for="q">Search</label><input id="q" name="q" type="search" value="${q}">
<label for="show">Show</label><select id="show" name="show">
${(['open', 'closed', 'all'] as const).map((v) => html`<option value="${v}"${v === show ? html` selected` : ''}>${v === 'open' ? 'Open' : v === 'closed' ? 'Solved and closed' : 'All'}</option>`)}
</select>
<button type="submit">Search</button>
</form>
<table class="portal-list">
<thead><tr><th scope="col">Ticket</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Last update</th></tr></thead>
<tbody>${rows.length ? rows.map((t) => html`<tr data-ticket="${t.id}"><td><a href="/portal/tickets/${t.id}">${t.number}</a></td><td>${t.subject}</td><td>${CUSTOMER_STATUS[t.status] ?? t.status}${surveyPrompt(prompts.get(t.id), t.number)}</td><td>${formatInstant(t.updated_at, s.user.time_zone)}</td></tr>`) : html`<tr><td colspan="4" class="empty">No tickets${q ? ' match your search' : ''}.</td></tr>`}</tbody>
</table>`;
    res.type('html').send(page({ title: 'My tickets', user: s.user, csrfToken: s.csrfToken, nav: 'portal', body }).value);
  });

  r.get('/portal/new', (req, res) => {
    const s = sessionOf(req);
    // Suggestions need the knowledge base; each form is one suggestion session (what it opened, whether it filed).
    const session = kb ? crypto.randomUUID() : null;
    const body = html`<h1>Ask for help</h1>
<form method="post" action="/portal/tickets" class="stack card"${session ? html` data-suggest="/portal/suggestions" data-suggest-session="${session}"` : ''}>
${csrfField(s.csrfToken)}
${session ? html`<input type="hidden" name="suggestion_session" value="${session}">` : ''}
<label for="subject">Subject</label><input id="subject" name="subject" required maxlength="500" autocomplete="off"${session ? html` role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="kb-suggestions"` : ''}>
<label for="description">What happened?</label><textarea id="description" name="description" rows="6"></textarea>
${session ? html`<section class="kb-suggest" aria-labelledby="kb-suggest-h">
<h2 id="kb-suggest-h">Articles that may answer this</h2>
<p id="kb-suggest-status" class="muted" role="status" aria-live="polite">Suggestions appear as you type.</p>
<ul id="kb-suggestions" role="listbox" aria-labelledby="kb-suggest-h" tabindex="0" hidden></ul>
</section>` : ''}
<button type="submit" class="primary">Send</button>
</form>`;
    res.type('html').send(page({ title: 'Ask for help', user: s.user, csrfToken: s.csrfToken, nav: 'portal', body }).value);
  });

  r.post('/portal/tickets', async (req, res) => {
    const s = sessionOf(req);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const subject = typeof b.subject === 'string' ? b.subject.trim() : '';
    if (!subject) throw new InvalidInput('A subject is needed.');
    const description = typeof b.description === 'string' ? b.description : '';
    const { ticket } = await tickets.create(req.principal!, { subject: subject.slice(0, 500), description: description.slice(0, 100_000), channel: 'web', requester: { email: s.user.email, name: s.user.name } });
    // The articles this form opened did not answer it after all: they are not deflections.
    const session = typeof b.suggestion_session === 'string' && UUID.test(b.suggestion_session) ? b.suggestion_session : null;
    if (session && deflections) await deflections.filed({ sessionId: session, readerKey: `user:${s.user.id}`, ticketId: ticket.id });
    res.redirect(303, `/portal/tickets/${ticket.id}`);
  });

  if (kb) {
    /** The suggestion list for what the customer has written so far, as the listbox's options (an HTML fragment). */
    r.get('/portal/suggestions', async (req, res) => {
      const q = parse(suggestionsQuery, req.query, 'query');
      const s = sessionOf(req);
      const hits = await suggestArticles(kb.search, { kind: 'customer', organizationId: s.user.organization_id }, { subject: q.subject, description: q.description }, PORTAL_SUGGESTIONS);
      res.type('html').send(html`${hits.map((h) => html`<li role="option" id="kb-suggestion-${h.articleId}" aria-selected="false" data-article="${h.articleId}"><a href="/portal/suggested/${h.articleId}?session=${q.session}" target="_blank" rel="noopener" tabindex="-1">${h.title}</a><p class="muted">${raw(h.snippet)}</p></li>`)}`.value);
    });

    /** Opening a suggestion: counted against the form's session (a deflection unless it files), then the article. */
    r.get('/portal/suggested/:articleId', async (req, res) => {
      const articleId = parse(uuid, req.params.articleId, 'params');
      const { session } = parse(z.strictObject({ session: uuid }), req.query, 'query');
      const s = sessionOf(req);
      const article = await kb.articles.articles.find(articleId);
      if (!article || !canRead({ kind: 'customer', organizationId: s.user.organization_id }, article)) throw new NotFound('page', 'no such article');
      await deflections!.opened({ sessionId: session, articleId, readerKey: `user:${s.user.id}`, channel: 'portal' });
      res.redirect(303, `/help/articles/${articleId}`);
    });
  }

  r.get('/portal/tickets/:id', async (req, res) => {
    const s = sessionOf(req);
    const tz = s.user.time_zone;
    const t = await ownTicket(db, req);
    const comments = await listPublicComments(db, t.id);
    const open = !['closed', 'cancelled'].includes(t.status);
    const prompt = (await csat.prompts([t.id])).get(t.id);
    const body = html`<div class="ticket" data-ticket="${t.id}">
<h1><span class="muted">${t.number}</span> ${t.subject}</h1>
<p class="status-line">Status: <strong id="portal-status">${CUSTOMER_STATUS[t.status] ?? t.status}</strong></p>
${await promise(db, t, tz)}
${surveyPrompt(prompt, t.number)}
<h2>Conversation</h2>
<ol class="conversation">
<li class="msg msg-public"><p class="who">${t.requester_name ?? t.requester_email} <span class="muted">${formatInstant(t.created_at, tz)}</span></p><div class="body">${t.description}</div></li>
${comments.map((c) => html`<li class="msg msg-public author-${c.author_type}" data-comment="${c.id}"><p class="who">${c.author_type === 'agent' ? html`${c.author_name} <span class="muted">(support)</span>` : c.author_name} <span class="muted">${formatInstant(c.created_at, tz)}</span></p><div class="body">${c.body}</div></li>`)}
</ol>
${open ? html`<form method="post" action="/portal/tickets/${t.id}/reply" class="stack">
${csrfField(s.csrfToken)}
<label for="reply-body">Your reply</label>
<textarea id="reply-body" name="body" rows="5" required></textarea>
<button type="submit" class="primary">Send reply</button>
</form>` : html`<p class="muted">This ticket is ${t.status}. Open a new one if you need more help.</p>`}
</div>`;
    const notice = typeof req.query.notice === 'string' ? req.query.notice : null;
    res.type('html').send(page({ title: `${t.number} ${t.subject}`, user: s.user, csrfToken: s.csrfToken, nav: 'portal', live: true, notice, body }).value);
  });

  r.post('/portal/tickets/:id/reply', async (req, res) => {
    const t = await ownTicket(db, req);
    const text = typeof req.body?.body === 'string' ? req.body.body.trim() : '';
    if (!text) throw new InvalidInput('Write a reply first.');
    await tickets.comment(req.principal!, t, text, true);
    res.redirect(303, `/portal/tickets/${t.id}${queryString({ notice: 'Thanks — your reply was sent.' })}`);
  });

  return r;
}

