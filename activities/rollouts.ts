/**
 * The rollout workflow's activities: count and page the affected tickets (or incidents), send
 * each a re-target update, record the totals. Idempotent: a page sent again carries the same
 * action id per ticket or incident (its workflow answers a repeat with its state, applying
 * nothing), and totals are written as absolute values.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema';
import { affectedTicketPage, countAffected, rolloutRetarget } from '../src/domain/settings/rollouts';
import { incidentPolicySnapshot } from '../src/db/repositories/incident-policies';
import { ticketActionUpdate, ticketWorkflowId, type Priority, type TicketAction } from '../workflows/contract/ticket';
import { incidentActionUpdate, incidentWorkflowId, type IncidentAction, type IncidentPolicySnapshot, type IncidentSeverity } from '../workflows/contract/incident';
import type { RetargetOutcome, RolloutKind, RolloutProgress } from '../workflows/contract/rollout';

/** Updates in flight at once per page: enough to keep the worker busy without starving tickets' own tasks. */
const CONCURRENCY = 16;
/** Refusals that mean the ticket already is what the edit wants, or is no longer the edit's. */
const UNCHANGED = new Set(['not_affected', 'stale_version', 'up_to_date', 'ticket_closed', 'incident_closed']);

export function rolloutActionId(rolloutId: string): string {
  return `rollout:${rolloutId}`;
}

export function createRolloutActivities(db: Kysely<Database>) {
  return {
    async countRolloutTargets(input: { rolloutId: string; kind: RolloutKind; targetId: string }): Promise<number> {
      const n = await countAffected(db, input.kind, input.targetId);
      await db.updateTable('rollouts').set({ affected: n, updated_at: new Date() }).where('id', '=', input.rolloutId).execute();
      return n;
    },

    async readRolloutPage(input: { kind: RolloutKind; targetId: string; after: string | null; limit: number }): Promise<{ ticketIds: string[] }> {
      return { ticketIds: await affectedTicketPage(db, input.kind, input.targetId, input.after, input.limit) };
    },

    async retargetRolloutPage(input: { rolloutId: string; kind: RolloutKind; targetId: string; ticketIds: string[] }): Promise<RetargetOutcome[]> {
      const client = Context.current().client;
      if (input.kind === 'incident_policy') {
        // Read once per page, now: a page sent late carries the newest edit, never an older one.
        const policy = await incidentPolicySnapshot(db, input.targetId as IncidentSeverity);
        return inParallel(input.ticketIds, (id) => retargetIncident(client, input.rolloutId, policy, id));
      }
      const { retarget, tier } = await rolloutRetarget(db, input.rolloutId, input.kind, input.targetId);
      const rows = await db
        .selectFrom('tickets as t')
        .innerJoin('organizations as o', 'o.id', 't.organization_id')
        .select(['t.id', 't.priority', 't.policy_id', 'o.tier'])
        .where('t.id', 'in', input.ticketIds.length ? input.ticketIds : ['00000000-0000-0000-0000-000000000000'])
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      const one = async (ticketId: string): Promise<RetargetOutcome> => {
        const row = byId.get(ticketId);
        if (!row) return { ticketId, outcome: 'unchanged', reason: 'ticket_gone' };
        // Priority, tier and policy here are the row's; the workflow keeps its own priority and picks the edit's snapshot itself.
        const action: TicketAction = {
          kind: 'retarget',
          actionId: rolloutActionId(input.rolloutId),
          actor: { type: 'system', name: 'rollout' },
          priority: row.priority as Priority,
          tier: tier ?? row.tier,
          policy: retarget.policies?.[row.policy_id ?? ''] ?? retarget.tierPolicies?.[row.priority as Priority] ?? null,
          rollout: retarget,
        };
        return outcomeOf(ticketId, 'ticket_closed', () => client.workflow.getHandle(ticketWorkflowId(ticketId)).executeUpdate(ticketActionUpdate, { args: [action] }));
      };
      return inParallel(input.ticketIds, one);
    },

    async recordRolloutProgress(input: { rolloutId: string; progress: RolloutProgress; finished: boolean }): Promise<void> {
      const p = input.progress;
      const now = new Date();
      await db
        .updateTable('rollouts')
        .set({ done: p.done, unchanged: p.unchanged, failed: p.failed, failures: JSON.stringify(p.failures), updated_at: now, ...(input.finished && { status: 'finished', finished_at: now }) })
        .where('id', '=', input.rolloutId)
        .execute();
    },
  };
}

type TemporalClient = ReturnType<typeof Context.current>['client'];

/** An incident gets its severity's policy as saved now, with the rollout's action id: the workflow refuses an older or equal edit version. */
function retargetIncident(client: TemporalClient, rolloutId: string, policy: IncidentPolicySnapshot, incidentId: string): Promise<RetargetOutcome> {
  // The workflow checks the severity itself: one changed since the page was read is no longer the edit's.
  const action: IncidentAction = { kind: 'retarget', actionId: rolloutActionId(rolloutId), actor: { type: 'system', name: 'rollout' }, policy, rollout: { rolloutId } };
  return outcomeOf(incidentId, 'incident_closed', () => client.workflow.getHandle(incidentWorkflowId(incidentId)).executeUpdate(incidentActionUpdate, { args: [action] }));
}

/** An update's answer as the rollout counts it: applied, a refusal that means nothing to do (or one for good), or thrown (the page is tried again). */
async function outcomeOf(id: string, endedReason: string, send: () => Promise<unknown>): Promise<RetargetOutcome> {
  try {
    await send();
    return { ticketId: id, outcome: 'done' };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { ticketId: id, outcome: 'unchanged', reason: endedReason };
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const type = err.cause.type ?? 'refused';
      if (UNCHANGED.has(type)) return { ticketId: id, outcome: 'unchanged', reason: type };
      return { ticketId: id, outcome: 'failed', reason: `${type}: ${err.cause.message}` };
    }
    // Anything else is the moment (a server restarting, a timeout): the page is tried again.
    throw err;
  }
}

/** Up to CONCURRENCY updates in flight, answers in the page's order, a heartbeat after each. */
async function inParallel(ids: string[], one: (id: string) => Promise<RetargetOutcome>): Promise<RetargetOutcome[]> {
  const out: RetargetOutcome[] = new Array(ids.length);
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const i = next++;
      out[i] = await one(ids[i]!);
      Context.current().heartbeat(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, lane));
  return out;
}
