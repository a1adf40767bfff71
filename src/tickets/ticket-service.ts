/**
 * Creating tickets and turning API requests into workflow actions.
 *
 * Creation never leaves a ticket without its workflow nor a workflow without its ticket:
 * the number is allocated and the Idempotency-Key recorded first; then the workflow starts
 * (its first step makes sure the ticket row exists); only then does the API write the row
 * itself, for read-your-writes. A crash anywhere in between is finished by a retry with the
 * same key, or by the workflow.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, TicketRow } from '../db/schema';
import { ApiError } from '../api/errors';
import type { Principal } from '../api/auth';
import { slaColumns } from '../../activities/ticket-records';
import { TicketState } from '../../workflows/ticket/ticket-state';
import { ticketWorkflowId, type Actor, type Priority, type TicketAction, type TicketWorkflowInput } from '../../workflows/ticket/contract';
import { canTransition } from '../../workflows/ticket/status-rules';
import { matchPolicy } from '../sla/policy-snapshot';
import { findTicket } from '../db/repositories/tickets';
import { inferPriority } from './priority-inference';
import { allocateTicketNumber } from './ticket-number';
import type { TicketLifecycle } from './ticket-lifecycle';

export interface CreateTicketRequest {
  subject: string;
  description: string;
  priority?: Priority;
  channel: string;
  category?: string | null;
  requester: { email: string; name?: string | null };
  assignee?: string | null;
  organizationId?: string;
}

export interface PatchTicketRequest {
  status?: TicketRow['status'];
  priority?: Priority;
  assignee?: string | null;
  subject?: string;
  description?: string;
  category?: string | null;
}

export class TicketService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly lifecycle: TicketLifecycle,
  ) {}

  async create(principal: Principal, req: CreateTicketRequest, idempotencyKey?: string): Promise<{ ticket: TicketRow; replayed: boolean }> {
    const scope = principal.keyId ?? `role:${principal.role}`;
    const requestHash = crypto.createHash('sha256').update(JSON.stringify(req)).digest('hex');
    if (idempotencyKey) {
      const existing = await this.db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', idempotencyKey).executeTakeFirst();
      if (existing) {
        if (existing.request_hash !== requestHash) throw new ApiError(409, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
        return { ticket: await this.complete(existing.ticket_input as TicketWorkflowInput), replayed: true };
      }
    }

    const organizationId = principal.role === 'customer' ? principal.organizationId! : req.organizationId;
    if (principal.role === 'customer' && req.organizationId && req.organizationId !== principal.organizationId) {
      throw new ApiError(403, 'forbidden', 'a customer key can only create tickets for its own organization');
    }
    if (!organizationId) throw new ApiError(400, 'validation_failed', 'organizationId is required', [{ path: 'organizationId', message: 'Required' }]);
    const org = await this.db.selectFrom('organizations').select(['id', 'tier']).where('id', '=', organizationId).executeTakeFirst();
    if (!org) throw new ApiError(400, 'validation_failed', 'unknown organization', [{ path: 'organizationId', message: 'no such organization' }]);

    const priority = req.priority ?? inferPriority(req.subject, req.description);
    const policy = await matchPolicy(this.db, org.tier, priority);
    const createdAt = new Date();
    const ticketId = crypto.randomUUID();

    const input = await this.db.transaction().execute(async (tx) => {
      const number = await allocateTicketNumber(tx, createdAt);
      const wfInput: TicketWorkflowInput = {
        version: 1,
        ticket: {
          id: ticketId,
          number,
          subject: req.subject,
          description: req.description,
          priority,
          status: 'new',
          channel: req.channel,
          category: req.category ?? null,
          requesterEmail: req.requester.email,
          requesterName: req.requester.name ?? null,
          assignee: req.assignee ?? null,
          organizationId,
          tier: org.tier,
          createdAt: createdAt.toISOString(),
        },
        policy,
      };
      if (!idempotencyKey) return wfInput;
      const inserted = await tx
        .insertInto('idempotency_keys')
        .values({ scope, key: idempotencyKey, request_hash: requestHash, ticket_id: ticketId, ticket_input: JSON.stringify(wfInput) })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .returning('ticket_id')
        .executeTakeFirst();
      if (inserted) return wfInput;
      // A concurrent request with the same key won the race: finish theirs instead.
      const winner = await tx.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', idempotencyKey).executeTakeFirstOrThrow();
      if (winner.request_hash !== requestHash) throw new ApiError(409, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
      return winner.ticket_input as TicketWorkflowInput;
    });
    const replayed = input.ticket.id !== ticketId;
    return { ticket: await this.complete(input), replayed };
  }

  /** Starts the workflow (idempotently) and makes sure the row exists. */
  private async complete(input: TicketWorkflowInput): Promise<TicketRow> {
    await this.lifecycle.start(input);
    const t = input.ticket;
    const sla = new TicketState(t, input.policy).slaSnapshot();
    await this.db
      .insertInto('tickets')
      .values({
        id: t.id,
        number: t.number,
        subject: t.subject,
        description: t.description,
        priority: t.priority,
        status: t.status,
        channel: t.channel,
        category: t.category,
        requester_email: t.requesterEmail,
        requester_name: t.requesterName,
        assignee: t.assignee,
        organization_id: t.organizationId,
        policy_id: input.policy?.policyId ?? null,
        workflow_id: ticketWorkflowId(t.id),
        state_version: 0,
        created_at: t.createdAt,
        updated_at: t.createdAt,
        ...slaColumns(sla),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return (await findTicket(this.db, t.id))!;
  }

  /** Applies a PATCH as a sequence of workflow actions; a status change is checked before anything is sent. */
  async patch(principal: Principal, ticket: TicketRow, req: PatchTicketRequest, idempotencyKey?: string): Promise<void> {
    if (principal.role === 'customer') {
      const keys = Object.keys(req);
      if (keys.some((k) => k !== 'status') || (req.status !== undefined && req.status !== 'cancelled')) {
        throw new ApiError(403, 'forbidden', 'customers may only cancel their tickets');
      }
    }
    if (req.status !== undefined && req.status !== ticket.status && !canTransition(ticket.status as never, req.status as never)) {
      throw new ApiError(409, 'invalid_transition', `cannot change status from ${ticket.status} to ${req.status}`);
    }
    const actor = actorOf(principal);
    const id = (part: string) => actionId(principal, idempotencyKey, `${ticket.id}:${part}`);
    const actions: TicketAction[] = [];
    const edit: Record<string, unknown> = {};
    if (req.subject !== undefined) edit.subject = req.subject;
    if (req.description !== undefined) edit.description = req.description;
    if (req.category !== undefined) edit.category = req.category;
    if (Object.keys(edit).length) actions.push({ kind: 'edit', actionId: id('edit'), actor, fields: edit });
    if (req.assignee !== undefined && req.assignee !== ticket.assignee) actions.push({ kind: 'assign', actionId: id('assign'), actor, assignee: req.assignee });
    if (req.priority !== undefined && req.priority !== ticket.priority) {
      const org = await this.db.selectFrom('organizations').select('tier').where('id', '=', ticket.organization_id).executeTakeFirstOrThrow();
      actions.push({ kind: 'retarget', actionId: id('retarget'), actor, priority: req.priority, tier: org.tier, policy: await matchPolicy(this.db, org.tier, req.priority) });
    }
    if (req.status !== undefined && req.status !== ticket.status) actions.push({ kind: 'set_status', actionId: id(`status-${req.status}`), actor, status: req.status as never });
    for (const action of actions) await this.lifecycle.act(ticket.id, action);
  }

  async comment(principal: Principal, ticket: TicketRow, body: string, isPublic: boolean, idempotencyKey?: string): Promise<string> {
    if (principal.role === 'customer' && !isPublic) throw new ApiError(403, 'forbidden', 'customers cannot write internal notes');
    const commentId = actionId(principal, idempotencyKey, `${ticket.id}:comment`);
    await this.lifecycle.act(ticket.id, { kind: 'comment', actionId: commentId, actor: actorOf(principal), body, public: isPublic });
    return commentId;
  }

  /** Re-targets every open ticket of an organization after its tier changed. */
  async retargetOrganization(organizationId: string, tier: string): Promise<number> {
    const open = await this.db.selectFrom('tickets').select(['id', 'priority']).where('organization_id', '=', organizationId).where('status', 'not in', ['closed', 'cancelled']).execute();
    const actor: Actor = { type: 'system', name: 'tier-change' };
    for (const t of open) {
      const policy = await matchPolicy(this.db, tier, t.priority);
      await this.lifecycle.act(t.id, { kind: 'retarget', actionId: crypto.randomUUID(), actor, priority: t.priority as Priority, tier, policy }).catch(() => undefined);
    }
    return open.length;
  }
}

export function actorOf(p: Principal): Actor {
  return { type: p.role === 'customer' ? 'customer' : 'agent', name: p.name };
}

/** A caller's Idempotency-Key makes the action id deterministic (a UUID derived from it); otherwise a fresh one. */
function actionId(p: Principal, idempotencyKey: string | undefined, salt: string): string {
  if (!idempotencyKey) return crypto.randomUUID();
  const h = crypto.createHash('sha256').update(`${p.keyId ?? p.role}|${idempotencyKey}|${salt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
