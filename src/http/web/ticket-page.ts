/**
 * The agent's ticket page (read from the repositories, rendered by ticket-view.ts) and its
 * actions. Every action is an update to the ticket's workflow through
 * TicketService (the same calls the API makes), then a redirect back to the page.
 */
import { Router, type Request, type Response } from 'express';
import type { Db, TicketRow } from '../../db/schema';
import { decisionsOfTicket } from '../../db/repositories/routing-decisions';
import { routingPanel } from './routing-panel';
import { findTicket } from '../../db/repositories/tickets';
import { organizationSummary } from '../../db/repositories/organizations';
import { listComments, listTicketEvents, listTicketLinks } from '../../db/repositories/ticket-details';
import { isRefusal, InvalidInput, NotFound } from '../../core/errors';
import { describeSla } from '../../../workflows/ticket/sla-state';
import { PRIORITIES } from '../../../workflows/contract/ticket';
import type { TicketLifecycle } from '../../domain/tickets/ticket-lifecycle';
import type { TicketService } from '../../domain/tickets/ticket-service';
import type { Logger } from '../../core/logger';
import { assigneeOf } from '../../domain/users/users';
import { formValue } from '../kit/form';
import { STATUS_LABELS, formatInstant } from './format';
import { html, queryString, type SafeHtml } from './html';
import type { TicketKb } from './ticket-kb';
import { page } from './layout';
import { sessionOf } from './session';
import type { TicketExtras } from './ticket-extras';
import { isBusinessHours, ticketPageBody } from './ticket-view';
import { UUID } from '../../core/uuid';
import { logSubject } from '../kit/request-observer';
import type { CsatService } from '../../domain/csat/csat-service';
import type { SurveyWithTicket } from '../../db/repositories/csat-surveys';

export interface TicketPageDeps {
  db: Db;
  tickets: TicketService;
  lifecycle: TicketLifecycle;
  extras: TicketExtras;
  csat: CsatService;
  log: Logger;
  /** Suggested articles, insert-a-link and new-article-from-ticket; left out without a knowledge base. */
  kb?: TicketKb;
}

/** The customer's rating beside the clocks, once the survey went out. */
function csatPanel(s: SurveyWithTicket | undefined, tz: string): SafeHtml {
  if (!s) return html``;
  const rated = s.rating === null
    ? html`<p class="muted">Survey sent ${formatInstant(s.sentAt, tz)}; not rated yet.</p>`
    : html`<p><strong id="csat-rating" class="csat-${s.rating >= 4 ? 'satisfied' : s.rating <= 2 ? 'unhappy' : 'neutral'}">${s.rating}/5</strong>${s.reason ? html` — ${s.reason}` : ''}</p>
${s.comment ? html`<blockquote>${s.comment}</blockquote>` : ''}
<p class="muted">Rated ${s.ratedAt ? formatInstant(s.ratedAt, tz) : ''}${s.assignee ? html` while assigned to ${s.assignee}` : ''}</p>`;
  return html`<section aria-labelledby="csat-h" id="csat"><h2 id="csat-h">Customer satisfaction</h2>${rated}</section>`;
}

export async function staffTicket(db: Db, id: string | string[] | undefined): Promise<TicketRow> {
  const ticket = typeof id === 'string' && UUID.test(id) ? await findTicket(db, id) : undefined;
  if (!ticket) throw new NotFound('ticket');
  return ticket;
}

export function ticketPageRoutes(deps: TicketPageDeps): Router {
  const r = Router();
  r.param('id', logSubject('ticket'));
  const { db } = deps;

  r.get('/console/tickets/:id', async (req, res) => {
    const s = sessionOf(req);
    const tz = s.user.time_zone;
    const t = await staffTicket(db, req.params.id);
    const [org, comments, events, inputs, links, extra, survey, decisions] = await Promise.all([
      organizationSummary(db, t.organization_id),
      listComments(db, t.id),
      listTicketEvents(db, t.id),
      deps.lifecycle.slaInputs(t.id).catch(() => null),
      listTicketLinks(db, t.id),
      deps.extras.forTicket(t),
      deps.csat.survey(t.id),
      decisionsOfTicket(db, t.id),
    ]);
    const now = Date.now();
    const sla = inputs ? describeSla(inputs, now) : null;
    const open = !['closed', 'cancelled'].includes(t.status);
    const [suggested, replyDraft] = deps.kb ? await Promise.all([deps.kb.suggestionsFor(t, comments), deps.kb.replyDraft(req, t)]) : [[], ''];
    const body = ticketPageBody({
      t, org, comments, events, links, sla, businessHours: isBusinessHours(sla, inputs), tz, now, me: assigneeOf(s.user), csrfToken: s.csrfToken,
      extraActions: deps.extras.actions(t, s.csrfToken, extra), extraPanels: html`${routingPanel(decisions, tz)}${csatPanel(survey, tz)}${deps.kb ? deps.kb.panel(req, t, suggested, open) : ''}${deps.extras.panels(t, extra)}`, replyDraft,
    });
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
  const field = formValue;
  const principal = (req: Request) => req.principal!;

  action('reply', async (req, t) => {
    const text = field(req, 'body').trim();
    if (!text) throw new InvalidInput('Write a message first.');
    const isPublic = field(req, 'visibility') !== 'internal';
    await deps.tickets.comment(principal(req), t, text, isPublic);
    return isPublic ? 'Reply sent.' : 'Internal note added.';
  });
  action('status', async (req, t) => {
    const status = field(req, 'status');
    if (!['open', 'pending', 'on_hold', 'solved'].includes(status)) throw new InvalidInput('Unknown status.');
    await deps.tickets.patch(principal(req), t, { status: status as TicketRow['status'] });
    return `Status set to ${STATUS_LABELS[status]}.`;
  });
  action('priority', async (req, t) => {
    const priority = field(req, 'priority');
    if (!(PRIORITIES as readonly string[]).includes(priority)) throw new InvalidInput('Unknown priority.');
    await deps.tickets.patch(principal(req), t, { priority: priority as never });
    return `Priority set to ${priority}; the SLA clocks were re-targeted.`;
  });
  action('assign', async (req, t) => {
    const assignee = field(req, 'assignee').trim() || null;
    await deps.tickets.patch(principal(req), t, { assignee });
    return assignee ? `Assigned to ${assignee}.` : 'Unassigned.';
  });
  // Setting or accepting a category is the same edit the API's PATCH makes: the classifier learns it.
  action('category', async (req, t) => {
    const category = field(req, 'category').trim() || null;
    await deps.tickets.patch(principal(req), t, { category });
    return category ? `Category set to ${category}.` : 'Category cleared.';
  });
  action('take', async (req, t) => {
    await deps.tickets.patch(principal(req), t, { assignee: assigneeOf(sessionOf(req).user) });
    return `You took ${t.number}.`;
  });
  deps.extras.routes(r, action);
  deps.kb?.routes(r, (req) => staffTicket(db, req.params.id));
  return r;
}
