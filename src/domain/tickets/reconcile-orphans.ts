/**
 * A ticket is never without its workflow, nor a workflow without its row. This pass, run at
 * the worker's start-up and every few minutes, finds both kinds of orphan on its task queue
 * and repairs them:
 * - an open ticket row (not closed or cancelled) with no running workflow gets one, started
 *   under its business id (so two passes, or a pass racing the API, start it once) from the
 *   row's facts, the policy its tier and priority match now, and the clock history and ladder
 *   progress its event log holds (so clocks already met stay met and fired steps stay fired);
 * - a running ticket workflow whose row is missing has the row written from its own state
 *   (the facts it was started with and the live state its query answers). If the store
 *   refuses that row for good, the workflow is terminated with the reason logged: nothing
 *   can ever be stored for it.
 * Both look only at what is older than a grace period, so a ticket being created (the API
 * starts the workflow, then writes the row) is never mistaken for an orphan.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Database, TicketRow } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { classifyFailure } from '../../db/failure-classes';
import { matchPolicy } from '../sla/policy-snapshot';
import { TicketState } from '../../../workflows/ticket/ticket-state';
import { stepIdOfEventId, storedEvent } from '../../../workflows/contract/events';
import {
  FINAL_STATUSES,
  slaInputsQuery,
  ticketWorkflowId,
  type CarriedState,
  type ClockEvent,
  type Priority,
  type SlaInputs,
  type TicketFacts,
  type TicketStatus,
  type TicketWorkflowInput,
} from '../../../workflows/contract/ticket';
import { newTicketRow } from '../../db/rows/ticket-rows';
import { ticketStartAttributes } from '../../../workflows/contract/search-attributes';
import { findableStart } from './findable-start';
import { UUID } from '../../core/uuid';

export interface ReconcileDeps {
  db: Kysely<Database>;
  client: Client;
  namespace: string;
  taskQueue: string;
  /** Event types the worker's integrations listen to, for a workflow restarted mid-life. */
  hookTypes?: string[];
  /** Only rows created and workflows started longer ago than this are considered (default one minute). */
  graceMs?: number;
  log?: Logger;
}

export interface ReconcileReport {
  /** Ticket ids whose workflow was started. */
  workflowsStarted: string[];
  /** Ticket ids whose row was written from their workflow. */
  rowsWritten: string[];
  /** Ticket ids whose workflow was terminated because its row can never be stored. */
  terminated: string[];
}

const PREFIX = 'ticket-';
const BATCH = 500;

/** The running workflows of a type on a task queue, by the record id their workflow id carries. */
export async function runningWorkflows(client: Client, type: string, taskQueue: string, prefix: string): Promise<Map<string, { runId: string; startTime: Date }>> {
  const running = new Map<string, { runId: string; startTime: Date }>();
  const query = `WorkflowType = '${type}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replace(/'/g, "''")}'`;
  for await (const wf of client.workflow.list({ query })) {
    const id = wf.workflowId.startsWith(prefix) ? wf.workflowId.slice(prefix.length) : '';
    if (UUID.test(id)) running.set(id, { runId: wf.runId, startTime: wf.startTime });
  }
  return running;
}

/** The input a run was started with (its first history event), without reading the rest of its history. */
export async function startInputOf<T>(client: Client, namespace: string, workflowId: string, runId: string): Promise<T> {
  const first = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
  const payload = first.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error('the run has no start input');
  return defaultPayloadConverter.fromPayload<T>(payload);
}

export async function reconcileTicketOrphans(deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { workflowsStarted: [], rowsWritten: [], terminated: [] };
  const cutoff = new Date(Date.now() - (deps.graceMs ?? 60_000));

  const running = await runningWorkflows(deps.client, 'ticketWorkflow', deps.taskQueue, PREFIX);

  // Open rows with no running workflow, a page at a time.
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await deps.db
      .selectFrom('tickets')
      .selectAll()
      .where('status', 'not in', [...FINAL_STATUSES])
      .where('created_at', '<', cutoff)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      if (running.has(row.id)) continue;
      if (await startFromRow(deps, row)) report.workflowsStarted.push(row.id);
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1]!.id;
  }

  // Running workflows with no row.
  const candidates = [...running].filter(([, r]) => r.startTime < cutoff).map(([id]) => id);
  for (let i = 0; i < candidates.length; i += BATCH) {
    const ids = candidates.slice(i, i + BATCH);
    const present = new Set((await deps.db.selectFrom('tickets').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
    for (const id of ids.filter((x) => !present.has(x))) {
      const outcome = await writeRowFromWorkflow(deps, id, running.get(id)!.runId);
      if (outcome === 'written') report.rowsWritten.push(id);
      if (outcome === 'terminated') report.terminated.push(id);
    }
  }
  if (report.workflowsStarted.length || report.rowsWritten.length || report.terminated.length) deps.log?.warn({ ...report }, 'repaired orphaned tickets');
  return report;
}

/** Starts the workflow of an open row that has none; false when one turned out to be running. */
async function startFromRow(deps: ReconcileDeps, row: TicketRow): Promise<boolean> {
  const handle = deps.client.workflow.getHandle(ticketWorkflowId(row.id));
  // Visibility lags: ask the workflow itself before starting one.
  try {
    if ((await handle.describe()).status.name === 'RUNNING') return false;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const org = await deps.db.selectFrom('organizations').select('tier').where('id', '=', row.organization_id).executeTakeFirst();
  const tier = org?.tier ?? 'community';
  const policy = await matchPolicy(deps.db, tier, row.priority);
  const ticket: TicketFacts = {
    id: row.id,
    number: row.number,
    subject: row.subject,
    description: row.description,
    priority: row.priority as Priority,
    status: row.status as TicketStatus,
    channel: row.channel,
    category: row.category,
    requesterEmail: row.requester_email,
    requesterName: row.requester_name,
    assignee: row.assignee,
    organizationId: row.organization_id,
    tier,
    createdAt: new Date(row.created_at).toISOString(),
  };
  // A row no workflow ever changed starts as new (its first record is idempotent); one with history resumes it.
  const carried = row.state_version > 0 ? await carriedFromLog(deps, row, tier, policy) : undefined;
  const input: TicketWorkflowInput = { version: 1, ticket, policy, ...(carried && { carried }) };
  try {
    await deps.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(row.id), taskQueue: deps.taskQueue, ...(await findableStart(deps.client, input, ticketStartAttributes)) });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
  deps.log?.warn({ ticketId: row.id, number: row.number, resumed: carried !== undefined }, 'started the workflow of an open ticket that had none');
  return true;
}

/** The clock history, ladder progress and acknowledgements the ticket's event log holds. */
async function carriedFromLog(deps: ReconcileDeps, row: TicketRow, tier: string, policy: TicketWorkflowInput['policy']): Promise<CarriedState> {
  const events = await deps.db.selectFrom('ticket_events').select(['id', 'type', 'at', 'data']).where('ticket_id', '=', row.id).orderBy('seq').execute();
  const clock: ClockEvent[] = [];
  const fired: string[] = [];
  const acknowledged: NonNullable<CarriedState['acknowledged']> = {};
  for (const e of events.map(storedEvent)) {
    const at = new Date(e.at).getTime();
    switch (e.type) {
      case 'sla.first_response_met':
        clock.push({ at, type: 'agent_reply' });
        break;
      case 'ticket.reopened':
        clock.push({ at, type: 'reopen' });
        break;
      case 'comment.public':
        // The next-reply and update clocks listen to every public comment of an agent or a customer.
        if (e.data.authorType === 'agent' || e.data.authorType === 'customer') clock.push({ at, type: 'public_reply', by: e.data.authorType });
        break;
      case 'ticket.status_changed':
        clock.push({ at, type: 'status', status: e.data.to });
        break;
      case 'ticket.waiting_on_incident':
      case 'ticket.incident_wait_ended':
        clock.push({ at, type: 'incident_wait', incidentId: String(e.data.incidentId), waiting: e.type === 'ticket.waiting_on_incident' });
        break;
      case 'sla.escalation':
      case 'sla.breached': {
        const stepId = stepIdOfEventId(row.id, e.id);
        if (stepId !== null) fired.push(stepId);
        break;
      }
      case 'sla.acknowledged':
        for (const c of e.data.clocks ?? []) acknowledged[c] ??= { by: String(e.data.by), at: new Date(e.at).toISOString(), source: String(e.data.source) };
        break;
      default:
        break;
    }
  }
  return {
    status: row.status as TicketStatus,
    priority: row.priority as Priority,
    assignee: row.assignee,
    tier,
    policy,
    events: clock,
    fired,
    recentActionIds: [],
    stateVersion: row.state_version,
    acknowledged,
    hookTypes: deps.hookTypes ?? [],
  };
}

type RowOutcome = 'written' | 'terminated' | 'skipped';

/** Writes the missing row of a running workflow from its start input and live state. */
async function writeRowFromWorkflow(deps: ReconcileDeps, ticketId: string, runId: string): Promise<RowOutcome> {
  const workflowId = ticketWorkflowId(ticketId);
  const handle = deps.client.workflow.getHandle(workflowId, runId);
  let input: TicketWorkflowInput;
  let live: SlaInputs;
  try {
    input = await startInputOf<TicketWorkflowInput>(deps.client, deps.namespace, workflowId, runId);
    // A worker that is down or busy answers no query: try again on the next pass, never terminate for that.
    live = await handle.query(slaInputsQuery);
  } catch (err) {
    deps.log?.warn({ ticketId, err }, 'could not read an orphaned ticket workflow; will try again');
    return 'skipped';
  }
  const carried = input.carried;
  const facts: TicketFacts = { ...input.ticket, status: live.status, priority: live.priority, tier: live.tier, assignee: carried ? carried.assignee : input.ticket.assignee };
  const state = new TicketState(facts, live.policy, { status: live.status, priority: live.priority, assignee: facts.assignee, tier: live.tier, policy: live.policy, events: live.events, fired: live.fired, recentActionIds: [], stateVersion: live.stateVersion, acknowledged: live.acknowledged });
  const row = { ...newTicketRow(facts, live.policy?.policyId ?? null, state.slaSnapshot()), state_version: live.stateVersion, ...(live.solvedAt && { solved_at: live.solvedAt }) };
  try {
    await deps.db.insertInto('tickets').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
  } catch (err) {
    const permanent = classifyFailure(err);
    if (!permanent) throw err;
    const reason = `its ticket row can never be stored: ${permanent.message}`;
    deps.log?.error({ ticketId, failure: permanent.type, reason }, 'terminating a ticket workflow whose row the store refuses');
    await handle.terminate(reason);
    return 'terminated';
  }
  deps.log?.warn({ ticketId, number: facts.number, stateVersion: live.stateVersion }, 'wrote the missing row of a running ticket workflow');
  return 'written';
}

export interface Reconciler {
  /** The pass in progress (if any) and then no more. */
  stop(): Promise<void>;
  /** One pass now (tests; start-up). */
  runOnce(): Promise<ReconcileReport>;
}

/**
 * Runs the passes (tickets, then any others such as incidents) at once and then every
 * `everyMs`, one at a time; a failed pass is logged and the next one tries again.
 */
export function startOrphanReconciler(deps: ReconcileDeps & { everyMs: number; also?: Array<(deps: ReconcileDeps) => Promise<unknown>> }): Reconciler {
  let current: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const runOnce = () => {
    const pass = current.then(async () => {
      const report = await reconcileTicketOrphans(deps);
      for (const other of deps.also ?? []) await other(deps);
      return report;
    });
    current = pass.catch((err: unknown) => deps.log?.warn({ err }, 'orphan reconciliation failed; the next pass tries again'));
    return pass;
  };
  void runOnce().catch(() => undefined);
  // 0: the start-up pass only.
  const timer =
    deps.everyMs > 0
      ? setInterval(() => {
          if (!stopped) void runOnce().catch(() => undefined);
        }, deps.everyMs)
      : undefined;
  timer?.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
