/**
 * Rollouts: every saved edit of a calendar, an SLA policy, an incident policy or an
 * organization's tier starts one, a workflow that carries the edit to each open ticket (or
 * incident not yet closed) it affects (workflows/rollout). Here: recording and starting one,
 * reading its progress, which tickets or incidents it affects, and the snapshots it sends,
 * always read fresh when a page is sent so a late page can only bring a ticket up to date (the
 * ticket's version check refuses anything older than it has).
 *
 * Nothing is lost between a save and its rollout: the rollout's row is written `pending` in the
 * edit's own transaction, then its workflow is started under the rollout's id (a second start
 * is refused by Temporal, so starting twice runs it once); a process that dies between the two
 * leaves a pending row, which the worker's reconciliation pass starts (at start-up, then every
 * interval).
 */
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { NotFound } from '../../core/errors';
import { matchPolicy, policySnapshots } from '../sla/policy-snapshot';
import { FINAL_STATUSES, PRIORITIES, slaInputsQuery, ticketWorkflowId, type Priority, type RolloutRetarget, type SlaInputs, type SlaPolicySnapshot } from '../../../workflows/contract/ticket';
import { rolloutWorkflowId, type RolloutInput, type RolloutKind } from '../../../workflows/contract/rollout';

export interface RolloutStarter {
  /** Writes the rollout's row, `pending`, with the executor given: the edit's transaction, so the two commit together. */
  record(db: Kysely<Database>, kind: RolloutKind, targetId: string, editVersion: number, createdBy: string): Promise<string>;
  /** Starts the recorded rollout's workflow (once, however often asked) and marks it running. */
  launch(rolloutId: string): Promise<void>;
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

  async record(db: Kysely<Database>, kind: RolloutKind, targetId: string, editVersion: number, createdBy: string): Promise<string> {
    const id = crypto.randomUUID();
    await db.insertInto('rollouts').values({ id, kind, target_id: targetId, edit_version: editVersion, created_by: createdBy, status: 'pending' }).execute();
    return id;
  }

  async launch(rolloutId: string): Promise<void> {
    await launchRollout(this.db, this.client, this.taskQueue, rolloutId, this.pageSize);
  }

  /** Records and starts at once: for a change whose own write is not a settings row (a tier change). */
  async start(kind: RolloutKind, targetId: string, editVersion: number, createdBy: string): Promise<string> {
    const id = await this.record(this.db, kind, targetId, editVersion, createdBy);
    await this.launch(id);
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

/**
 * Starts a recorded rollout's workflow under its own id and marks the row running. A second
 * start (the save and the reconciler racing, or a pass repeated) is refused by Temporal, even
 * after the first run finished, so every rollout runs once; the row moves only from pending.
 */
export async function launchRollout(db: Kysely<Database>, client: Client, taskQueue: string, rolloutId: string, pageSize?: number): Promise<void> {
  const row = await db.selectFrom('rollouts').select(['kind', 'target_id']).where('id', '=', rolloutId).executeTakeFirst();
  if (!row) throw new NotFound('rollout');
  const input: RolloutInput = { rolloutId, kind: row.kind as RolloutKind, targetId: row.target_id, ...(pageSize !== undefined && { pageSize }) };
  try {
    await client.workflow.start('rolloutWorkflow', { workflowId: rolloutWorkflowId(rolloutId), taskQueue, args: [input], workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  await db.updateTable('rollouts').set({ status: 'running', updated_at: new Date() }).where('id', '=', rolloutId).where('status', '=', 'pending').execute();
}

/**
 * Records the rollout in the edit's transaction and starts it after the commit. A start that
 * fails (Temporal unreachable, the process stopping) leaves the rollout pending for the
 * reconciler: the edit is saved either way, and says which rollout carries it.
 */
export async function saveWithRollout<T>(
  db: Kysely<Database>,
  hook: RolloutHook,
  write: (trx: Kysely<Database>) => Promise<{ saved: T; kind: RolloutKind; targetId: string; editVersion: number }>,
): Promise<T & { rolloutId: string }> {
  const { saved, rolloutId } = await db.transaction().execute(async (trx) => {
    const w = await write(trx);
    return { saved: w.saved, rolloutId: await hook.rollouts.record(trx, w.kind, w.targetId, w.editVersion, hook.by) };
  });
  await hook.rollouts.launch(rolloutId).catch(() => undefined);
  return { ...saved, rolloutId };
}

/** The reconciliation pass for rollouts: every one still pending (its save committed, its start lost) is started. */
export async function reconcilePendingRollouts(deps: { db: Kysely<Database>; client: Client; taskQueue: string }): Promise<string[]> {
  const pending = await deps.db.selectFrom('rollouts').select('id').where('status', '=', 'pending').orderBy('created_at').execute();
  for (const { id } of pending) await launchRollout(deps.db, deps.client, deps.taskQueue, id);
  return pending.map((r) => r.id);
}

/** The open tickets an edit affects, by the policy their row names (the workflow checks again before applying). */
export function affectedTickets(db: Kysely<Database>, kind: Exclude<RolloutKind, 'incident_policy'>, targetId: string) {
  let q = db.selectFrom('tickets').where('status', 'not in', [...FINAL_STATUSES]);
  if (kind === 'sla_policy') q = q.where('policy_id', '=', targetId);
  else if (kind === 'calendar') q = q.where('policy_id', 'in', db.selectFrom('sla_policies').select('id').where('calendar_id', '=', targetId));
  else q = q.where('organization_id', '=', targetId);
  return q;
}

/** The incidents an edit of a severity's policy affects: every one not closed (a resolved one still owes its post-mortem and may reopen). */
export function affectedIncidents(db: Kysely<Database>, severity: string) {
  return db.selectFrom('incidents').where('severity', '=', severity).where('status', '!=', 'closed');
}

/** How many tickets (or incidents) an edit affects now. */
export async function countAffected(db: Kysely<Database>, kind: RolloutKind, targetId: string): Promise<number> {
  const { n } = await (kind === 'incident_policy'
    ? affectedIncidents(db, targetId).select((eb) => eb.fn.countAll<string>().as('n'))
    : affectedTickets(db, kind, targetId).select((eb) => eb.fn.countAll<string>().as('n'))
  ).executeTakeFirstOrThrow();
  return Number(n);
}

/** The next page of affected ticket (or incident) ids after `after`, in id order. */
export async function affectedTicketPage(db: Kysely<Database>, kind: RolloutKind, targetId: string, after: string | null, limit: number): Promise<string[]> {
  if (kind === 'incident_policy') {
    let q = affectedIncidents(db, targetId).select('id').orderBy('id').limit(limit);
    if (after !== null) q = q.where('id', '>', after);
    return (await q.execute()).map((r) => r.id);
  }
  let q = affectedTickets(db, kind, targetId).select('id').orderBy('id').limit(limit);
  if (after !== null) q = q.where('id', '>', after);
  return (await q.execute()).map((r) => r.id);
}

/** What a rollout's re-target carries, read now: the edited policies' snapshots, or the tier's policy per priority. */
export async function rolloutRetarget(db: Kysely<Database>, rolloutId: string, kind: Exclude<RolloutKind, 'incident_policy'>, targetId: string): Promise<{ retarget: RolloutRetarget; tier: string | null }> {
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
