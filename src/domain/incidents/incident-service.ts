/**
 * Declaring incidents and turning API requests into incident workflow actions.
 *
 * Creation follows the ticket rule: the number is allocated and the Idempotency-Key recorded
 * first; then the workflow starts (its first step makes sure the row exists); only then does
 * the API write the row itself, for read-your-writes. A crash in between is finished by a
 * retry with the same key, or by the workflow.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, IncidentRow } from '../../db/schema';
import { InvalidInput } from '../../core/errors';
import { IncidentState } from '../../../workflows/incident/incident-state';
import type { IncidentAction, IncidentFields, IncidentImpact, IncidentSeverity, IncidentStatus, IncidentWorkflowInput, Postmortem } from '../../../workflows/contract/incident';
import { TicketNumbers } from '../tickets/ticket-number';
import { actionId, actorOf } from '../tickets/ticket-service';
import { IdempotencyKeys, keyScope, requestHash, sha256 } from '../tickets/idempotency-keys';
import { incidentPolicySnapshot } from '../../db/repositories/incident-policies';
import type { IncidentLifecycle } from './incident-lifecycle';
import type { Principal } from '../../core/principal';
import { newIncidentRow } from '../../db/rows/incident-rows';

export interface CreateIncidentRequest {
  title: string;
  description: string;
  severity: IncidentSeverity;
  impact?: IncidentImpact;
  commander?: string | null;
  responders: string[];
  affectedComponents: string[];
  affectedCustomers?: number | null;
  sourceTicketId?: string;
}

export type PatchIncidentRequest = IncidentFields & { severity?: IncidentSeverity };

/** What an incident does to its components unless the responder says otherwise. */
const DEFAULT_IMPACT: Record<IncidentSeverity, IncidentImpact> = { critical: 'major_outage', high: 'partial_outage', medium: 'degraded', low: 'degraded' };

export class IncidentService {
  private readonly numbers: TicketNumbers;
  private readonly keys: IdempotencyKeys;

  constructor(
    private readonly db: Kysely<Database>,
    readonly lifecycle: IncidentLifecycle,
  ) {
    this.numbers = new TicketNumbers(db, 'INC');
    this.keys = new IdempotencyKeys(db, 'incident');
  }

  async create(principal: Principal, req: CreateIncidentRequest, idempotencyKey?: string): Promise<{ incident: IncidentRow; replayed: boolean }> {
    const scope = keyScope(principal);
    // Creation's hash is the body alone (as recorded by earlier versions, so their retries still replay).
    const hash = sha256(JSON.stringify(req));
    if (idempotencyKey) {
      const prior = await this.keys.replayOf(scope, idempotencyKey, hash);
      if (prior) return { incident: await this.complete(prior.input as IncidentWorkflowInput), replayed: true };
    }
    await this.checkReferences(req.affectedComponents, req.sourceTicketId);
    const policy = await incidentPolicySnapshot(this.db, req.severity);
    const createdAt = new Date();
    const id = crypto.randomUUID();
    let input: IncidentWorkflowInput = {
      version: 1,
      incident: {
        id,
        number: await this.numbers.next(createdAt),
        title: req.title,
        description: req.description,
        severity: req.severity,
        commander: req.commander ?? null,
        responders: req.responders,
        impact: req.impact ?? DEFAULT_IMPACT[req.severity],
        affectedComponents: [...new Set(req.affectedComponents)],
        affectedCustomers: req.affectedCustomers ?? null,
        sourceTicketId: req.sourceTicketId ?? null,
        createdBy: `${principal.role === 'admin' ? 'agent' : principal.role}:${principal.name}`,
        createdAt: createdAt.toISOString(),
      },
      policy,
    };
    if (idempotencyKey) input = (await this.keys.claim(scope, idempotencyKey, hash, id, input)).input as IncidentWorkflowInput;
    return { incident: await this.complete(input), replayed: input.incident.id !== id };
  }

  /** Starts the workflow (idempotently) and makes sure the row exists. */
  private async complete(input: IncidentWorkflowInput): Promise<IncidentRow> {
    await this.lifecycle.start(input);
    const initial = new IncidentState(input.incident, input.policy).initialChange();
    const inserted = await this.db.insertInto('incidents').values(newIncidentRow(input.incident, input.policy, initial)).onConflict((oc) => oc.column('id').doNothing()).returningAll().executeTakeFirst();
    return inserted ?? (await this.db.selectFrom('incidents').selectAll().where('id', '=', input.incident.id).executeTakeFirstOrThrow());
  }

  /** Unknown components or a missing ticket are the caller's mistake: a 400 before anything starts. */
  private async checkReferences(components: string[] | undefined, ticketId: string | undefined): Promise<void> {
    if (components?.length) {
      const found = await this.db.selectFrom('components').select('id').where('id', 'in', components).execute();
      const missing = components.filter((c) => !found.some((f) => f.id === c));
      if (missing.length) throw new InvalidInput('unknown components', missing.map((m) => ({ path: `affectedComponents.${components.indexOf(m)}`, message: 'no such component' })));
    }
    if (ticketId && !(await this.db.selectFrom('tickets').select('id').where('id', '=', ticketId).executeTakeFirst())) {
      throw new InvalidInput('unknown ticket', [{ path: 'sourceTicketId', message: 'no such ticket' }]);
    }
  }

  /** A PATCH as workflow actions: field edits, then a severity change that re-targets both clocks. */
  async patch(principal: Principal, incident: IncidentRow, req: PatchIncidentRequest, idempotencyKey?: string): Promise<void> {
    const { severity, ...fields } = req;
    await this.keys.guard(keyScope(principal), idempotencyKey, requestHash('incident.patch', incident.id, req), incident.id, {
      check: () => this.checkReferences(fields.affectedComponents, undefined),
      run: async (applied) => {
        const actor = actorOf(principal);
        const id = (part: string) => actionId(principal, idempotencyKey, `${incident.id}:${part}`);
        const actions: IncidentAction[] = [];
        if (Object.keys(fields).length) actions.push({ kind: 'edit', actionId: id('edit'), actor, fields });
        if (severity !== undefined && severity !== incident.severity) actions.push({ kind: 'retarget', actionId: id(`severity-${severity}`), actor, policy: await incidentPolicySnapshot(this.db, severity) });
        for (const action of actions) {
          await this.lifecycle.act(incident.id, action);
          applied.count++;
        }
      },
    });
  }

  async postUpdate(principal: Principal, incident: IncidentRow, req: { body?: string; status?: IncidentStatus; public: boolean }, idempotencyKey?: string): Promise<string> {
    const updateId = actionId(principal, idempotencyKey, `${incident.id}:update`);
    await this.keys.guard(keyScope(principal), idempotencyKey, requestHash('incident.update', incident.id, req), incident.id, {
      run: () => this.lifecycle.act(incident.id, { kind: 'update', actionId: updateId, actor: actorOf(principal), ...req }),
    });
    return updateId;
  }

  async acknowledge(principal: Principal, incident: IncidentRow, source: string): Promise<void> {
    await this.lifecycle.act(incident.id, { kind: 'acknowledge', actionId: crypto.randomUUID(), actor: actorOf(principal), source });
  }

  async link(principal: Principal, incident: IncidentRow, ticketId: string): Promise<void> {
    await this.checkReferences(undefined, ticketId);
    await this.lifecycle.act(incident.id, { kind: 'link_ticket', actionId: crypto.randomUUID(), actor: actorOf(principal), ticketId });
  }

  async unlink(principal: Principal, incident: IncidentRow, ticketId: string): Promise<void> {
    await this.lifecycle.act(incident.id, { kind: 'unlink_ticket', actionId: crypto.randomUUID(), actor: actorOf(principal), ticketId });
  }

  async recordPostmortem(principal: Principal, incident: IncidentRow, postmortem: Postmortem, idempotencyKey?: string): Promise<void> {
    await this.keys.guard(keyScope(principal), idempotencyKey, requestHash('incident.postmortem', incident.id, postmortem), incident.id, {
      run: () => this.lifecycle.act(incident.id, { kind: 'record_postmortem', actionId: actionId(principal, idempotencyKey, `${incident.id}:postmortem`), actor: actorOf(principal), postmortem }),
    });
  }
}
