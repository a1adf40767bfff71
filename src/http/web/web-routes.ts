/**
 * The console and the portal as one express router, server-rendered: sign-in, the agents'
 * queue and ticket pages, incidents, admin pages, the customer portal, live updates, and the
 * two static files (one script, one stylesheet). Forms post url-encoded bodies behind the
 * session's CSRF token; a refused page request renders an HTML error page, not JSON.
 */
import path from 'node:path';
import express, { Router, type ErrorRequestHandler } from 'express';
import type { Db } from '../../db/schema';
import { errorAnswer } from '../kit/errors';
import { PacerError, NotFound } from '../../core/errors';
import type { IntegrationConfig } from '../../integrations/config';
import type { Logger } from '../../core/logger';
import type { IncidentService } from '../../domain/incidents/incident-service';
import { incidentRoutes } from './incidents-page';
import type { TicketLifecycle } from '../../domain/tickets/ticket-lifecycle';
import type { TicketService } from '../../domain/tickets/ticket-service';
import { adminPageRoutes } from './admin-pages';
import { checkCsrf } from './csrf';
import { streamTickets, TicketEventTail } from './event-stream';
import { html } from './html';
import { page } from './layout';
import { loginRoutes } from './login-page';
import { portalRoutes } from './portal-pages';
import { queueRoutes } from './queue-page';
import { loadSession, requireCustomer, requireManager, requireStaff, sessionOf } from './session';
import { TicketExtras } from './ticket-extras';
import { slaSettingsPageRoutes } from './sla-settings-pages';
import { incidentPolicyPageRoutes } from './incident-policy-pages';
import { ticketPageRoutes } from './ticket-page';
import { TicketKb } from './ticket-kb';
import { helpRoutes, type HelpDeps } from './help-pages';
import { kbArticlePageRoutes } from './kb-article-pages';
import { kbHistoryPageRoutes } from './kb-history-pages';
import { kbReportPageRoutes } from './kb-report-page';
import { consoleContractRoutes, portalContractRoutes } from './contract-pages';
import { kbSynonymPageRoutes } from './kb-synonyms-page';
import { reportsPageRoutes } from './reports-page';
import { csatPageRoutes } from './csat-pages';
import type { CsatService } from '../../domain/csat/csat-service';
import type { AgentStatusListener } from '../../domain/routing/agent-status';
import { agentsPageRoutes } from './agents-page';
import { routingPageRoutes } from './routing-pages';

export interface WebDeps {
  db: Db;
  tickets: TicketService;
  lifecycle: TicketLifecycle;
  integrations: IntegrationConfig | undefined;
  incidents: IncidentService;
  /** Satisfaction surveys: the survey page, the portal's prompt and the ticket page's rating. */
  csat: CsatService;
  log: Logger;
  /** The public help centre (/help) and the console's knowledge-base pages; left out when absent. */
  kb?: HelpDeps;
  /** Hears agents' status changes (console switch, sign-out) and routing settings changes. */
  agentStatus: AgentStatusListener;
}

/**
 * A refused or failed page request as an HTML page, with the status and code the API answers for
 * the same error (the one mapping in http/kit/errors): a Jira that does not answer is a 502 here
 * as it is from `POST /api/v1/tickets/:id/jira`. Anything that is not a PacerError (a bug, a
 * backing service down, body-parser's refusals) goes on to the API's error middleware.
 */
const htmlErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (!(err instanceof PacerError) || res.headersSent) return next(err);
  const { status, body } = errorAnswer(err);
  const title = status === 404 ? 'Not found' : status === 403 ? 'Refused' : status >= 500 ? 'Not done' : 'Cannot do that';
  const s = req.webSession;
  res
    .status(status)
    .set('X-Pacer-Error', body.error.code)
    .type('html')
    .send(page({ title, user: s?.user, csrfToken: s?.csrfToken, body: html`<h1>${title}</h1><p>${status === 404 ? 'There is no such page, or it is not yours to see.' : body.error.message}</p><p><a href="/">Back to the start</a></p>` }).value);
};

export function webRoutes(deps: WebDeps): Router {
  const r = Router();
  const tail = new TicketEventTail(deps.db, deps.log);
  r.use('/assets', express.static(path.join(__dirname, 'assets'), { maxAge: '1h', index: false, fallthrough: false }));
  r.use(express.urlencoded({ extended: false, limit: '200kb' }));
  r.use((_req, res, next) => {
    // Pages are per person and never framed by another site.
    res.set({ 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'Referrer-Policy': 'same-origin' });
    next();
  });
  // The survey page needs no session: its signed link is the credential (and no cookie means no CSRF).
  r.use(csatPageRoutes(deps.csat));
  r.use(loadSession(deps.db));
  r.use(checkCsrf);
  r.use(loginRoutes(deps.db, { agentStatus: deps.agentStatus, log: deps.log }));

  r.use('/console', requireStaff);
  r.get('/console/stream', (req, res) => streamTickets(tail, req, res, null));
  r.use(queueRoutes(deps.db, deps.log));
  r.use(ticketPageRoutes({ db: deps.db, csat: deps.csat, tickets: deps.tickets, lifecycle: deps.lifecycle, extras: new TicketExtras({ db: deps.db, integrations: deps.integrations, incidents: deps.incidents, lifecycle: deps.lifecycle, log: deps.log }), log: deps.log, kb: deps.kb && new TicketKb({ db: deps.db, search: deps.kb.search, articles: deps.kb.articles, publicUrl: deps.integrations?.publicUrl }) }));
  r.use(incidentRoutes(deps.db, deps.incidents));
  r.use(reportsPageRoutes(deps.db));
  r.use(agentsPageRoutes(deps.db, deps.agentStatus));
  r.use(consoleContractRoutes(deps.db));
  if (deps.kb) {
    r.use(kbArticlePageRoutes(deps.db, deps.kb.articles));
    r.use(kbHistoryPageRoutes(deps.kb.articles));
    r.use(kbSynonymPageRoutes(deps.kb.search));
    r.use(kbReportPageRoutes(deps.db));
  }
  r.use('/console/admin', requireManager);
  r.use(adminPageRoutes(deps.db, deps.tickets));
  r.use(slaSettingsPageRoutes(deps.db, deps.tickets));
  r.use(incidentPolicyPageRoutes(deps.db, deps.tickets));
  r.use(routingPageRoutes(deps.db, deps.agentStatus));

  r.use('/portal', requireCustomer);
  r.get('/portal/stream', (req, res) => streamTickets(tail, req, res, sessionOf(req).user.organization_id));
  r.use(portalRoutes(deps.db, deps.tickets, deps.csat, deps.kb));
  r.use(portalContractRoutes(deps.db));

  if (deps.kb) r.use(helpRoutes(deps.kb));

  r.use(['/console', '/portal', '/help'], (_req, _res, next) => next(new NotFound('page', 'no such page')));
  r.use(htmlErrors);
  return r;
}
