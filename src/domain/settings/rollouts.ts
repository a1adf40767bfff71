/**
 * Rollouts: every saved edit of a calendar, an SLA policy or an organization's tier starts
 * one, a workflow that carries the edit to each open ticket it affects (workflows/rollout).
 * Here: starting one, reading its progress, which tickets it affects, and the snapshots it
 * sends, always read fresh when a page is sent so a late page can only bring a ticket up to
 * date (the ticket's version check refuses anything older than it has).
 */
import crypto from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { NotFound } from '../../core/errors';
import { matchPolicy, policySnapshots } from '../sla/policy-snapshot';
import { FINAL_STATUSES, PRIORITIES, slaInputsQuery, ticketWorkflowId, type Priority, type RolloutRetarget, type SlaInputs, type SlaPolicySnapshot } from '../../../workflows/contract/ticket';
import { rolloutWorkflowId, type RolloutInput, type RolloutKind } from '../../../workflows/contract/rollout';

export interface RolloutStarter {
  start(kind: RolloutKind, targetId: string, editVersion: number, createdBy: string): Promise<string>;
}

/** Who saved, and where rollouts start: what every settings write that reaches tickets needs. */
export interface RolloutHook {
  rollouts: RolloutStarter;
  by: string;
}

export interface RolloutView {
  id: string;
  kind: string;
  targetId: string;
  editVersion: number;
  status: string;
  affected: number;
  done: number;
  unchanged: number;
  failed: number;
  failures: Array<{ ticketId: string; reason: string }>;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export class RolloutService implements RolloutStarter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly client: Client,
    private readonly taskQueue: string,
    /** Tickets per page; tests lower it to see several pages. */
    public pageSize?: number,
  ) {}

  async start(kind: RolloutKind, targetId: string, editVersion: number, createdBy: string): Promise<string> {
    const id = crypto.randomUUID();
    await this.db.insertInto('rollouts').values({ id, kind, target_id: targetId, edit_version: editVersion, created_by: createdBy }).execute();
    const input: RolloutInput = { rolloutId: id, kind, targetId, ...(this.pageSize !== undefined && { pageSize: this.pageSize }) };
    await this.client.workflow.start('rolloutWorkflow', { workflowId: rolloutWorkflowId(id), taskQueue: this.taskQueue, args: [input] });
    return id;
  }

  async view(id: string): Promise<RolloutView> {
    const r = await this.db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFound('rollout');
    return rolloutView(r);
  }

  /** A ticket's live timing inputs (what an impact preview plans from); null once its workflow has ended. */
  async slaInputs(ticketId: string): Promise<SlaInputs | null> {
    try {
      return await this.client.workflow.getHandle(ticketWorkflowId(ticketId)).query(slaInputsQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  /** The latest rollouts, newest first (the admin page's progress line). */
  async recent(limit: number): Promise<RolloutView[]> {
    return (await this.db.selectFrom('rollouts').selectAll().orderBy('created_at', 'desc').limit(limit).execute()).map(rolloutView);
  }
}

function rolloutView(r: { id: string; kind: string; target_id: string; edit_version: number; status: string; affected: number; done: number; unchanged: number; failed: number; failures: Array<{ id: string; reason: string }>; created_by: string; created_at: Date; updated_at: Date; finished_at: Date | null }): RolloutView {
  const iso = (d: Date) => new Date(d).toISOString();
  return {
    id: r.id, kind: r.kind, targetId: r.target_id, editVersion: r.edit_version, status: r.status,
    affected: r.affected, done: r.done, unchanged: r.unchanged, failed: r.failed,
    failures: r.failures.map((f) => ({ ticketId: f.id, reason: f.reason })),
    createdBy: r.created_by, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at), finishedAt: r.finished_at === null ? null : iso(r.finished_at),
  };
}

/** The open tickets an edit affects, by the policy their row names (the workflow checks again before applying). */
export function affectedTickets(db: Kysely<Database>, kind: RolloutKind, targetId: string) {
  let q = db.selectFrom('tickets').where('status', 'not in', [...FINAL_STATUSES]);
  if (kind === 'sla_policy') q = q.where('policy_id', '=', targetId);
  else if (kind === 'calendar') q = q.where('policy_id', 'in', db.selectFrom('sla_policies').select('id').where('calendar_id', '=', targetId));
  else q = q.where('organization_id', '=', targetId);
  return q;
}

/** The next page of affected ticket ids after `after`, in id order. */
export async function affectedTicketPage(db: Kysely<Database>, kind: RolloutKind, targetId: string, after: string | null, limit: number): Promise<string[]> {
  let q = affectedTickets(db, kind, targetId).select('id').orderBy('id').limit(limit);
  if (after !== null) q = q.where('id', '>', after);
  return (await q.execute()).map((r) => r.id);
}

/** What a rollout's re-target carries, read now: the edited policies' snapshots, or the tier's policy per priority. */
export async function rolloutRetarget(db: Kysely<Database>, rolloutId: string, kind: RolloutKind, targetId: string): Promise<{ retarget: RolloutRetarget; tier: string | null }> {
  if (kind === 'organization_tier') {
    const org = await db.selectFrom('organizations').select('tier').where('id', '=', targetId).executeTakeFirst();
    if (!org) return { retarget: { rolloutId, tierPolicies: {} }, tier: null };
    const tierPolicies: Partial<Record<Priority, SlaPolicySnapshot | null>> = {};
    for (const p of PRIORITIES) tierPolicies[p] = await matchPolicy(db, org.tier, p);
    return { retarget: { rolloutId, tierPolicies }, tier: org.tier };
  }
  const snapshots = await policySnapshots(db, kind === 'sla_policy' ? { policyId: targetId } : { calendarId: targetId });
  return { retarget: { rolloutId, policies: Object.fromEntries(snapshots.map((s) => [s.policyId!, s])) }, tier: null };
}
