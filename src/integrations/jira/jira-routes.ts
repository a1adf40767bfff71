/**
 * Jira's HTTP endpoints. Authenticated (agents and admins): `GET /tickets/:id/links` shows a
 * ticket's outside records (Jira key and URL among them), `POST /tickets/:id/jira` opens the
 * ticket's issue through the same idempotent service the ladder uses — 201 when it made the
 * issue, 200 with the same link after. Inbound: `POST /integrations/jira/webhook`, checked
 * against the shared secret before anything is read (401 and nothing changed otherwise).
 */
import express, { Router, type Request } from 'express';
import { principalOf, requireRole } from '../../http/kit/auth';
import { InvalidInput, NotFound, Unauthenticated } from '../../core/errors';
import { uuid } from '../../http/kit/schemas';
import { parse, parseInboundJson } from '../../http/kit/validation';
import { findTicket } from '../../db/repositories/tickets';
import { handleJiraWebhook, jiraWebhookSchema } from './issue-done-event';
import { SECRET_HEADER, secretMatches } from './shared-secret';
import { jiraOpenIssue, openIssueSchema } from './open-issue';
import type { IntegrationRouteDeps, IssueOpener, OpenedIssue } from '../integration-deps';

const linkView = (i: OpenedIssue) => ({ kind: 'jira', key: i.key, url: i.url, syncComments: i.syncComments });

async function ticketOf(deps: IntegrationRouteDeps, req: Request) {
  const ticket = await findTicket(deps.db, parse(uuid, req.params.id, 'params'));
  if (!ticket) throw new NotFound('ticket');
  return ticket;
}

function linksRoute(deps: IntegrationRouteDeps, r: Router): void {
  r.get('/tickets/:id/links', requireRole('admin', 'agent'), async (req, res) => {
    const ticket = await ticketOf(deps, req);
    const rows = await deps.db.selectFrom('ticket_links').select(['kind', 'external_key', 'url', 'created_at']).where('ticket_id', '=', ticket.id).orderBy('created_at').orderBy('kind').execute();
    res.json({ data: rows.map((l) => ({ kind: l.kind, key: l.external_key, url: l.url, createdAt: new Date(l.created_at).toISOString() })) });
  });
}

function openIssueRoute(deps: IntegrationRouteDeps, opener: IssueOpener, r: Router): void {
  r.post('/tickets/:id/jira', requireRole('admin', 'agent'), async (req, res) => {
    const ticket = await ticketOf(deps, req);
    const body = parse(openIssueSchema, req.body ?? {});
    const issue = await opener.open({ ticketId: ticket.id, origin: `agent:${principalOf(req).name}`, issueType: body.issueType, syncComments: body.syncComments });
    res.status(issue.created ? 201 : 200).json(linkView(issue));
  });
}

function webhookRoute(deps: IntegrationRouteDeps, secret: string, r: Router): void {
  r.post('/jira/webhook', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const given = req.get(SECRET_HEADER) ?? req.query.secret;
    if (!secretMatches(secret, given)) throw new Unauthenticated('missing or wrong webhook secret', 'invalid_secret');
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let json: unknown;
    try {
      json = parseInboundJson(raw.toString('utf8'));
    } catch {
      throw new InvalidInput('request body is not valid JSON', undefined, 'invalid_json');
    }
    const parsed = jiraWebhookSchema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidInput('not a Jira webhook event', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    const status = await handleJiraWebhook({ db: deps.db, lifecycle: deps.lifecycle }, parsed.data, req.get('x-atlassian-webhook-identifier'));
    res.json({ status });
  });
}

export function jiraRoutes(deps: IntegrationRouteDeps): { inbound?: Router; authenticated?: Router } {
  const authenticated = Router();
  linksRoute(deps, authenticated);
  const jira = deps.config.jira;
  const opener = jiraOpenIssue.opener(deps);
  if (!jira || !opener) return { authenticated };
  openIssueRoute(deps, opener, authenticated);
  if (!jira.webhookSecret) return { authenticated };
  const inbound = Router();
  webhookRoute(deps, jira.webhookSecret, inbound);
  return { inbound, authenticated };
}
