/**
 * Jira's HTTP endpoints. Authenticated (agents and admins): `GET /tickets/:id/links` shows a
 * ticket's outside records (Jira key and URL among them), `POST /tickets/:id/jira` opens the
 * ticket's issue through the same idempotent service the ladder uses — 201 when it made the
 * issue, 200 with the same link after. Inbound: `POST /integrations/jira/webhook`, checked
 * against the shared secret before anything is read (401 and nothing changed otherwise).
 */
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { principalOf, requireRole } from '../../http/kit/auth';
import { InvalidInput, NotFound, Unauthenticated } from '../../core/errors';
import { text, uuid } from '../../http/kit/schemas';
import { parse, parseInboundJson } from '../../http/kit/validation';
import { findTicket } from '../../db/repositories/tickets';
import { handleJiraWebhook, jiraWebhookSchema } from './issue-done-event';
import { createIssueService, type IssueService } from './issue-service';
import { createJiraApi } from './jira-api';
import type { JiraLink } from './jira-links';
import { SECRET_HEADER, secretMatches } from './shared-secret';
import { openIssueFailure } from './open-issue-failure';
import type { IntegrationRouteDeps } from '../integration-deps';

export const openIssueSchema = z.strictObject({
  syncComments: z.boolean().optional(),
  issueType: text(100).optional(),
});

const linkView = (l: JiraLink) => ({ kind: 'jira', key: l.key, url: l.url, syncComments: l.data.syncComments });

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

function openIssueRoute(deps: IntegrationRouteDeps, service: IssueService, r: Router): void {
  r.post('/tickets/:id/jira', requireRole('admin', 'agent'), async (req, res) => {
    const ticket = await ticketOf(deps, req);
    const body = parse(openIssueSchema, req.body ?? {});
    try {
      const result = await service.openOrUpdate({ ticketId: ticket.id, origin: `agent:${principalOf(req).name}`, escalation: null, issueType: body.issueType, syncComments: body.syncComments });
      res.status(result.outcome === 'created' ? 201 : 200).json(linkView(result.link));
    } catch (err) {
      throw openIssueFailure(err, ticket.id, deps.log);
    }
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
  if (!jira) return { authenticated };
  // An agent is waiting: shorter rate-limit waits and lease waits than the ladder's.
  const api = createJiraApi(jira, { attempts: 3, maxWaitMs: 5_000 });
  const service = createIssueService({ db: deps.db, api, publicUrl: deps.config.publicUrl, log: deps.log, lease: { waitMs: 20_000 } });
  openIssueRoute(deps, service, authenticated);
  if (!jira.webhookSecret) return { authenticated };
  const inbound = Router();
  webhookRoute(deps, jira.webhookSecret, inbound);
  return { inbound, authenticated };
}
