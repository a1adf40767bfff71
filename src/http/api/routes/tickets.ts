/** /api/v1/tickets: create, list, read, patch; comments; the event timeline; live SLA state. */
import { Router, type Request } from 'express';
import type { Db } from '../../../db/schema';
import { encodeCursor, findTicket, listTickets } from '../../../db/repositories/tickets';
import { findComment, findManualEscalation, listComments, listPublicComments, listVisibleTicketEvents } from '../../../db/repositories/ticket-details';
import { describeSla } from '../../../../workflows/ticket/sla-state';
import type { TicketLifecycle } from '../../../domain/tickets/ticket-lifecycle';
import { actorOf, type TicketService } from '../../../domain/tickets/ticket-service';
import { customerEventView, customerSlaView, customerStatusFilter, customerTicketView, ticketView } from '../../../domain/tickets/ticket-view';
import crypto from 'node:crypto';
import { z } from 'zod';
import { principalOf, requireRole } from '../../kit/auth';
import { commentSchema, createTicketSchema, CUSTOMER_FORBIDDEN_CREATE_FIELDS, listTicketsQuery, patchTicketSchema, uuid } from '../../kit/schemas';
import { idempotencyKeyOf, parse, parseCursor, refuseFields } from '../../kit/validation';
import { MAX_SUGGESTIONS, suggestArticles, type SuggestionSearch } from '../../../domain/search/suggestions';
import type { SearchHit } from '../../../domain/search/search-types';
import { logSubject } from '../../kit/request-observer';
import { Conflict, InvalidInput, NotFound } from '../../../core/errors';

export interface TicketRouteDeps {
  db: Db;
  tickets: TicketService;
  lifecycle: TicketLifecycle;
  /** Where `?suggest=N` finds articles (the knowledge base's search). */
  suggestions: SuggestionSearch;
}

/** `POST /tickets?suggest=N`: up to N articles the requester may read, for the new ticket's text. */
export const createTicketQuery = z.strictObject({
  suggest: z.coerce.number().int().min(0).max(MAX_SUGGESTIONS).optional().describe(`answer up to this many suggested articles (0–${MAX_SUGGESTIONS}) in suggestedArticles`),
});

/** A suggested article as the ticket answer carries it (the search hit's fields, with its help-centre path). */
export const suggestedArticleView = (h: SearchHit) => ({ id: h.articleId, title: h.title, snippet: h.snippet, url: `/help/articles/${h.articleId}` });

export { idempotencyKeyOf };

/** Acknowledge and escalate take the same body: optionally, which clock. */
const clockChoice = () => z.strictObject({ clock: z.enum(['first_response', 'resolution']).optional() });
export const acknowledgeSchema = clockChoice();
export const escalateSchema = clockChoice();

export function ticketRoutes(deps: TicketRouteDeps): Router {
  const r = Router();
  r.param('id', logSubject('ticket'));

  /** How the caller sees a ticket: a customer without its internal parts (ticket-view). */
  const viewFor = (req: Request) => (principalOf(req).role === 'customer' ? customerTicketView : ticketView);

  /** The ticket, if the caller may see it; a customer sees another organization's ticket as missing. */
  const visibleTicket = async (req: Request) => {
    const id = parse(uuid, req.params.id, 'params');
    const p = principalOf(req);
    const ticket = await findTicket(deps.db, id, p.role === 'customer' ? p.organizationId : undefined);
    if (!ticket) throw new NotFound('ticket');
    return ticket;
  };

  r.post('/', async (req, res) => {
    const p = principalOf(req);
    if (p.role === 'customer') refuseFields(req.body, CUSTOMER_FORBIDDEN_CREATE_FIELDS, 'a customer may not set this field');
    const q = parse(createTicketQuery, req.query, 'query');
    const body = parse(createTicketSchema, req.body);
    const { ticket, replayed } = await deps.tickets.create(p, body, idempotencyKeyOf(req));
    if (replayed) res.set('Idempotent-Replayed', 'true');
    const view = viewFor(req)(ticket);
    // What the requester may read (their organization's customers' view), whoever filed the ticket.
    const suggested = q.suggest ? await suggestArticles(deps.suggestions, { kind: 'customer', organizationId: ticket.organization_id }, ticket, q.suggest) : null;
    res
      .status(replayed ? 200 : 201)
      .location(`/api/v1/tickets/${ticket.id}`)
      .json(suggested ? { ...view, suggestedArticles: suggested.map(suggestedArticleView) } : view);
  });

  r.get('/', async (req, res) => {
    const q = parse(listTicketsQuery, req.query, 'query');
    const p = principalOf(req);
    const cursor = q.cursor === undefined ? undefined : parseCursor(q.cursor);
    if (p.role === 'customer' && q.organizationId && q.organizationId !== p.organizationId) {
      return void res.json({ data: [], nextCursor: null });
    }
    // Routing is internal: a filter on it would answer what the view blanks.
    if (p.role === 'customer' && q.assignee !== undefined) throw new InvalidInput('a customer may not filter by assignee', [{ path: 'assignee', message: 'a customer may not filter by this field' }]);
    if (p.role === 'customer' && q.status) q.status = customerStatusFilter(q.status);
    if (q.status && q.status.length === 0) return void res.json({ data: [], nextCursor: null });
    const rows = await listTickets(deps.db, {
      ...q,
      organizationId: p.role === 'customer' ? p.organizationId! : q.organizationId,
      cursor,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const now = Date.now();
    const view = viewFor(req);
    res.json({ data: page.map((t) => view(t, now)), nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null });
  });

  r.get('/:id', async (req, res) => {
    res.json(viewFor(req)(await visibleTicket(req)));
  });

  r.patch('/:id', async (req, res) => {
    const ticket = await visibleTicket(req);
    const body = parse(patchTicketSchema, req.body);
    await deps.tickets.patch(principalOf(req), ticket, body, idempotencyKeyOf(req));
    res.json(viewFor(req)((await findTicket(deps.db, ticket.id))!));
  });

  r.post('/:id/comments', async (req, res) => {
    const ticket = await visibleTicket(req);
    const body = parse(commentSchema, req.body);
    const id = await deps.tickets.comment(principalOf(req), ticket, body.body, body.public, idempotencyKeyOf(req));
    const comment = (await findComment(deps.db, id))!;
    res.status(201).json(commentView(comment));
  });

  r.post('/:id/acknowledge', requireRole('admin', 'agent'), async (req, res) => {
    const ticket = await visibleTicket(req);
    const body = parse(acknowledgeSchema, req.body ?? {});
    const p = principalOf(req);
    await deps.lifecycle.act(ticket.id, { kind: 'acknowledge', actionId: crypto.randomUUID(), actor: { type: 'agent', name: p.name }, clock: body.clock ?? null, source: 'api' });
    const inputs = await deps.lifecycle.slaInputs(ticket.id);
    res.json({ acknowledged: inputs?.acknowledged ?? {} });
  });

  /** Escalate now: the next ladder step's actions run at once; the ladder keeps its schedule. */
  r.post('/:id/escalate', requireRole('admin', 'agent'), async (req, res) => {
    const ticket = await visibleTicket(req);
    const body = parse(escalateSchema, req.body ?? {});
    const actionId = crypto.randomUUID();
    await deps.lifecycle.act(ticket.id, { kind: 'escalate', actionId, actor: actorOf(principalOf(req)), clock: body.clock ?? null });
    const d = await findManualEscalation(deps.db, ticket.id, actionId);
    // The workflow wrote it before the update answered.
    if (!d) throw new Error(`escalation ${actionId} left no event`);
    res.json({ escalated: { clock: d.clock, percent: d.percent, step: d.step } });
  });

  r.get('/:id/comments', async (req, res) => {
    const ticket = await visibleTicket(req);
    const rows = await (principalOf(req).role === 'customer' ? listPublicComments : listComments)(deps.db, ticket.id);
    res.json({ data: rows.map(commentView) });
  });

  r.get('/:id/events', async (req, res) => {
    const ticket = await visibleTicket(req);
    const rows = await listVisibleTicketEvents(deps.db, ticket.id, principalOf(req).role === 'customer');
    const events = rows.map((e) => ({ id: e.id, seq: Number(e.seq), type: e.type, at: new Date(e.at).toISOString(), actor: e.actor, visibility: e.visibility, data: e.data }));
    res.json({ data: principalOf(req).role === 'customer' ? events.map(customerEventView).filter((e) => e !== null) : events });
  });

  r.get('/:id/sla', async (req, res) => {
    const ticket = await visibleTicket(req);
    const inputs = await deps.lifecycle.slaInputs(ticket.id);
    if (!inputs) throw new Conflict('no_workflow', 'this ticket has no running workflow');
    // Who owns each clock (acknowledged through the API, Slack or PagerDuty) belongs with its timing.
    const sla = { ...describeSla(inputs, Date.now()), acknowledged: inputs.acknowledged ?? {} };
    res.json(principalOf(req).role === 'customer' ? customerSlaView(sla) : sla);
  });

  return r;
}

function commentView(c: { id: string; ticket_id: string; author_type: string; author_name: string; body: string; public: boolean; created_at: Date }) {
  return { id: c.id, ticketId: c.ticket_id, author: { type: c.author_type, name: c.author_name }, body: c.body, public: c.public, createdAt: new Date(c.created_at).toISOString() };
}

