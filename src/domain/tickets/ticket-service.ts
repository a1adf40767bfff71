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
import type { Database, TicketRow } from '../../db/schema';
import { Conflict, Forbidden, InvalidInput } from '../../core/errors';
import { TicketState } from '../../../workflows/ticket/ticket-state';
import { type Actor, type Priority, type TicketAction, type TicketIntake, type TicketWorkflowInput } from '../../../workflows/contract/ticket';
import { CategoryClassifier } from '../classify/category-classifier';
import { detectLanguage } from '../classify/language-detection';
import { exampleText, upsertCategoryExample } from '../../db/repositories/category-examples';
import { canTransition } from '../../../workflows/ticket/status-rules';
import { matchPolicy, organizationWithPolicy, type OrganizationWithPolicy } from '../sla/policy-snapshot';
import { TtlCache } from '../../core/ttl-cache';
import { findTicket } from '../../db/repositories/tickets';
import { inferPriority } from './priority-inference';
import { TicketNumbers } from './ticket-number';
import type { TicketLifecycle } from './ticket-lifecycle';
import type { RolloutService } from '../settings/rollouts';
import { IdempotencyKeys, keyScope, requestHash, sha256 } from './idempotency-keys';
// The API's schemas refuse unstorable text at the edge; the console, the portal and inbound mail
// call this service directly, so the rule holds here too: a NUL reaching a workflow would put a
// write PostgreSQL can never accept in front of the ticket's later changes.
import { refuseUnstorable } from '../../core/storable-text';
import type { Principal } from '../../core/principal';
import { newTicketRow } from '../../db/rows/ticket-rows';

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
  private readonly numbers: TicketNumbers;
  private readonly keys: IdempotencyKeys;
  /** Every saved edit of a calendar, policy or tier starts one here (src/domain/settings/rollouts). */
  readonly rollouts: RolloutService;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly lifecycle: TicketLifecycle,
    /** Organization + policy lookups on the intake path; cleared by every settings write. */
    readonly settingsCache = new TtlCache<OrganizationWithPolicy | null>(),
    /** Suggests or sets a category when the request has none (src/domain/classify). */
    readonly classifier = new CategoryClassifier(db),
  ) {
    this.numbers = new TicketNumbers(db);
    this.keys = new IdempotencyKeys(db, 'ticket');
    this.rollouts = lifecycle.rollouts(db);
  }

  private async organizationWithPolicy(organizationId: string, priority: string): Promise<OrganizationWithPolicy | null> {
    const key = `${organizationId}|${priority}`;
    const cached = this.settingsCache.get(key);
    if (cached !== undefined) return cached;
    const found = await organizationWithPolicy(this.db, organizationId, priority);
    this.settingsCache.set(key, found);
    return found;
  }

  async create(principal: Principal, req: CreateTicketRequest, idempotencyKey?: string): Promise<{ ticket: TicketRow; replayed: boolean }> {
    const scope = keyScope(principal);
    // Creation's hash is the body alone (as recorded by earlier versions, so their retries still replay).
    const hash = sha256(JSON.stringify(req));
    if (idempotencyKey) {
      const prior = await this.keys.replayOf(scope, idempotencyKey, hash);
      if (prior) return { ticket: await this.complete(prior.input as TicketWorkflowInput), replayed: true };
    }
    refuseUnstorable({ subject: req.subject, description: req.description, category: req.category, 'requester.email': req.requester.email, 'requester.name': req.requester.name, assignee: req.assignee, channel: req.channel });

    const organizationId = principal.role === 'customer' ? principal.organizationId! : req.organizationId;
    if (principal.role === 'customer' && req.organizationId && req.organizationId !== principal.organizationId) {
      throw new Forbidden('a customer key can only create tickets for its own organization');
    }
    if (!organizationId) throw new InvalidInput('organizationId is required', [{ path: 'organizationId', message: 'Required' }]);
    const priority = req.priority ?? inferPriority(req.subject, req.description);
    const org = await this.organizationWithPolicy(organizationId, priority);
    if (!org) throw new InvalidInput('unknown organization', [{ path: 'organizationId', message: 'no such organization' }]);
    const policy = org.policy;
    const createdAt = new Date();
    const ticketId = crypto.randomUUID();

    const intake = await this.intakeOf(principal, req);
    const number = await this.numbers.next(createdAt);
    let input: TicketWorkflowInput = {
      version: 1,
      ticket: {
        id: ticketId,
        number,
        subject: req.subject,
        description: req.description,
        priority,
        status: 'new',
        channel: req.channel,
        category: intake.category,
        requesterEmail: req.requester.email,
        requesterName: req.requester.name ?? null,
        assignee: req.assignee ?? null,
        organizationId,
        tier: org.tier,
        createdAt: createdAt.toISOString(),
        intake: intake.facts,
      },
      policy,
    };
    if (idempotencyKey) {
      // A concurrent request with the same key may have won the race: finish theirs instead
      // (this request's number stays unused: numbers may have gaps, never duplicates).
      input = (await this.keys.claim(scope, idempotencyKey, hash, ticketId, input)).input as TicketWorkflowInput;
    }
    const replayed = input.ticket.id !== ticketId;
    const ticket = await this.complete(input);
    // A category the support team gave at creation teaches the classifier as a correction would.
    if (!replayed && input.ticket.intake?.categorySource === 'agent' && input.ticket.category) {
      await upsertCategoryExample(this.db, { ticketId, category: input.ticket.category, text: exampleText(req.subject, req.description), labelledBy: `agent:${principal.name}`, at: createdAt });
      this.classifier.retrainSoon();
    }
    return { ticket, replayed };
  }

  /**
   * The language of the text, and the category: the caller's, else the classifier's (set when
   * at or above the threshold, otherwise only suggested). Decided before the workflow starts
   * and carried in its input, so whichever writes the row first (API or workflow) writes it.
   * A classifier failure never fails the ticket: it is created uncategorised.
   */
  private async intakeOf(principal: Principal, req: CreateTicketRequest): Promise<{ category: string | null; facts: TicketIntake }> {
    const language = detectLanguage(`${req.subject}\n${req.description}`);
    const none: TicketIntake = { language, categorySource: null, categoryConfidence: null, categorySuggestion: null };
    if (req.category !== undefined && req.category !== null) return { category: req.category, facts: { ...none, categorySource: principal.role === 'customer' ? 'customer' : 'agent' } };
    const guess = await this.classifier.categorize(req.subject, req.description).catch(() => null);
    if (!guess) return { category: null, facts: none };
    if (guess.automatic) return { category: guess.category, facts: { ...none, categorySource: guess.by, categoryConfidence: guess.confidence } };
    return { category: null, facts: { ...none, categoryConfidence: guess.confidence, categorySuggestion: guess.category } };
  }

  /** Starts the workflow (idempotently) and makes sure the row exists. */
  private async complete(input: TicketWorkflowInput): Promise<TicketRow> {
    await this.lifecycle.start(input);
    const t = input.ticket;
    const sla = new TicketState(t, input.policy).slaSnapshot();
    const inserted = await this.db
      .insertInto('tickets')
      .values(newTicketRow(t, input.policy?.policyId ?? null, sla))
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    // On a retry the row is already there (written by the first attempt or the workflow).
    return inserted ?? (await findTicket(this.db, t.id))!;
  }

  /** Applies a PATCH as a sequence of workflow actions; a status change is checked before anything is sent. */
  async patch(principal: Principal, ticket: TicketRow, req: PatchTicketRequest, idempotencyKey?: string): Promise<void> {
    await this.keys.guard(keyScope(principal), idempotencyKey, requestHash('ticket.patch', ticket.id, req), ticket.id, {
      check: () => this.checkPatch(principal, ticket, req),
      run: (applied) => this.applyPatch(principal, ticket, req, idempotencyKey, applied),
    });
  }

  private checkPatch(principal: Principal, ticket: TicketRow, req: PatchTicketRequest): void {
    if (principal.role === 'customer') {
      const keys = Object.keys(req);
      if (keys.some((k) => k !== 'status') || (req.status !== undefined && req.status !== 'cancelled')) {
        throw new Forbidden('customers may only cancel their tickets');
      }
    }
    if (req.status !== undefined && req.status !== ticket.status && !canTransition(ticket.status as never, req.status as never)) {
      throw new Conflict('invalid_transition', `cannot change status from ${ticket.status} to ${req.status}`);
    }
    refuseUnstorable({ subject: req.subject, description: req.description, category: req.category, assignee: req.assignee });
  }

  private async applyPatch(principal: Principal, ticket: TicketRow, req: PatchTicketRequest, idempotencyKey: string | undefined, applied: { count: number }): Promise<void> {
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
    for (const action of actions) {
      await this.lifecycle.act(ticket.id, action);
      applied.count++;
    }
    // The edit's activity recorded the example with the category; this process learns it now, others within refreshSeconds.
    if (req.category !== undefined) this.classifier.retrainSoon();
  }

  async comment(principal: Principal, ticket: TicketRow, body: string, isPublic: boolean, idempotencyKey?: string): Promise<string> {
    const commentId = actionId(principal, idempotencyKey, `${ticket.id}:comment`);
    await this.keys.guard(keyScope(principal), idempotencyKey, requestHash('ticket.comment', ticket.id, { body, public: isPublic }), ticket.id, {
      check: () => {
        if (principal.role === 'customer' && !isPublic) throw new Forbidden('customers cannot write internal notes');
        refuseUnstorable({ body });
      },
      run: async () => {
        await this.lifecycle.act(ticket.id, { kind: 'comment', actionId: commentId, actor: actorOf(principal), body, public: isPublic });
      },
    });
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
export function actionId(p: Principal, idempotencyKey: string | undefined, salt: string): string {
  if (!idempotencyKey) return crypto.randomUUID();
  const h = crypto.createHash('sha256').update(`${p.keyId ?? p.role}|${idempotencyKey}|${salt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
