/**
 * The incident side of orphan reconciliation (see src/domain/tickets/reconcile-orphans.ts): an
 * incident row that is not closed and has no running workflow gets one, resumed from the
 * row, its links, its post-mortem and its event log (acknowledgement, resolution, fired
 * steps and reminders, state version); a running incident workflow whose row is missing has
 * it written from its start input and live state, or is terminated when the store refuses
 * that row for good.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Database } from '../../db/schema';
import type { Selectable } from 'kysely';
import { classifyFailure } from '../../db/failure-classes';
import { incidentPolicySnapshot } from '../../db/repositories/incident-policies';
import { runningWorkflows, startInputOf, type ReconcileDeps } from '../tickets/reconcile-orphans';
import {
  incidentStateQuery,
  incidentWorkflowId,
  type IncidentCarried,
  type IncidentFacts,
  type IncidentImpact,
  type IncidentSeverity,
  type IncidentView,
  type IncidentStatus,
  type IncidentWorkflowInput,
} from '../../../workflows/contract/incident';
import { newIncidentRow } from '../../db/rows/incident-rows';
import { firedKeyOfEventId, stepIdOfEventId, storedEvent } from '../../../workflows/contract/events';
import { incidentStartAttributes } from '../../../workflows/contract/search-attributes';
import { findableStart } from '../tickets/findable-start';

export interface IncidentReconcileReport {
  workflowsStarted: string[];
  rowsWritten: string[];
  terminated: string[];
}

type IncidentRow = Selectable<Database['incidents']>;

const PREFIX = 'incident-';
const BATCH = 500;

export async function reconcileIncidentOrphans(deps: ReconcileDeps): Promise<IncidentReconcileReport> {
  const report: IncidentReconcileReport = { workflowsStarted: [], rowsWritten: [], terminated: [] };
  const cutoff = new Date(Date.now() - (deps.graceMs ?? 60_000));
  const running = await runningWorkflows(deps.client, 'incidentWorkflow', deps.taskQueue, PREFIX);

  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await deps.db.selectFrom('incidents').selectAll().where('status', '<>', 'closed').where('created_at', '<', cutoff).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    for (const row of rows) {
      if (!running.has(row.id) && (await startFromRow(deps, row))) report.workflowsStarted.push(row.id);
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1]!.id;
  }

  const candidates = [...running].filter(([, r]) => r.startTime < cutoff).map(([id]) => id);
  for (let i = 0; i < candidates.length; i += BATCH) {
    const ids = candidates.slice(i, i + BATCH);
    const present = new Set((await deps.db.selectFrom('incidents').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
    for (const id of ids.filter((x) => !present.has(x))) {
      const outcome = await writeRowFromWorkflow(deps, id, running.get(id)!.runId);
      if (outcome !== 'skipped') report[outcome === 'written' ? 'rowsWritten' : 'terminated'].push(id);
    }
  }
  if (report.workflowsStarted.length || report.rowsWritten.length || report.terminated.length) deps.log?.warn({ ...report }, 'repaired orphaned incidents');
  return report;
}

function factsOf(row: IncidentRow): IncidentFacts {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    description: row.description,
    severity: row.severity as IncidentSeverity,
    commander: row.commander,
    responders: row.responders,
    impact: row.impact as IncidentImpact,
    affectedComponents: row.affected_components,
    affectedCustomers: row.affected_customers,
    sourceTicketId: row.source_ticket_id,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

async function startFromRow(deps: ReconcileDeps, row: IncidentRow): Promise<boolean> {
  const handle = deps.client.workflow.getHandle(incidentWorkflowId(row.id));
  try {
    if ((await handle.describe()).status.name === 'RUNNING') return false;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const incident = factsOf(row);
  const policy = await incidentPolicySnapshot(deps.db, incident.severity);
  const carried = row.state_version > 0 ? await carriedFromRecords(deps, row, policy) : undefined;
  const input: IncidentWorkflowInput = { version: 1, incident, policy, ...(carried && { carried }) };
  try {
    await deps.client.workflow.start('incidentWorkflow', { workflowId: incidentWorkflowId(row.id), taskQueue: deps.taskQueue, ...(await findableStart(deps.client, input, incidentStartAttributes)) });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
  deps.log?.warn({ incidentId: row.id, number: row.number, resumed: carried !== undefined }, 'started the workflow of an open incident that had none');
  return true;
}

async function carriedFromRecords(deps: ReconcileDeps, row: IncidentRow, policy: IncidentCarried['policy']): Promise<IncidentCarried> {
  const [events, links, postmortem] = await Promise.all([
    deps.db.selectFrom('incident_events').select(['id', 'type', 'at', 'data']).where('incident_id', '=', row.id).orderBy('seq').execute(),
    deps.db.selectFrom('incident_tickets').select('ticket_id').where('incident_id', '=', row.id).orderBy('linked_at').execute(),
    deps.db.selectFrom('incident_postmortems').select('recorded_at').where('incident_id', '=', row.id).executeTakeFirst(),
  ]);
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  const fired: string[] = [];
  let firstResolvedAt: string | null = null;
  let ackSource = 'reconciled';
  for (const e of events.map(storedEvent)) {
    const stepId = e.type === 'incident.escalation' || e.type === 'incident.sla_breached' ? stepIdOfEventId(row.id, e.id) : null;
    if (stepId !== null) fired.push(stepId);
    const reminder = e.type === 'incident.postmortem_reminder' ? firedKeyOfEventId(row.id, e.id) : null;
    if (reminder !== null) fired.push(reminder);
    if (e.type === 'incident.resolved') firstResolvedAt ??= iso(e.at);
    if (e.type === 'incident.acknowledged') ackSource = String(e.data.source ?? ackSource);
  }
  return {
    status: row.status as IncidentStatus,
    policy,
    fields: {
      title: row.title,
      description: row.description,
      commander: row.commander,
      responders: row.responders,
      impact: row.impact as IncidentImpact,
      affectedComponents: row.affected_components,
      affectedCustomers: row.affected_customers,
    },
    linkedTickets: links.map((l) => l.ticket_id),
    acknowledged: row.acknowledged_at && row.acknowledged_by ? { by: row.acknowledged_by, at: iso(row.acknowledged_at)!, source: ackSource } : null,
    resolvedAt: iso(row.resolved_at),
    firstResolvedAt: firstResolvedAt ?? iso(row.resolved_at),
    postmortemAt: postmortem ? iso(postmortem.recorded_at) : null,
    fired,
    recentActionIds: [],
    stateVersion: row.state_version,
  };
}

async function writeRowFromWorkflow(deps: ReconcileDeps, incidentId: string, runId: string): Promise<'written' | 'terminated' | 'skipped'> {
  const workflowId = incidentWorkflowId(incidentId);
  const handle = deps.client.workflow.getHandle(workflowId, runId);
  let input: IncidentWorkflowInput;
  let live: IncidentView;
  try {
    input = await startInputOf<IncidentWorkflowInput>(deps.client, deps.namespace, workflowId, runId);
    live = await handle.query(incidentStateQuery);
  } catch (err) {
    deps.log?.warn({ incidentId, err }, 'could not read an orphaned incident workflow; will try again');
    return 'skipped';
  }
  const fields = input.carried?.fields;
  const facts: IncidentFacts = { ...input.incident, ...(fields && { ...fields }), severity: live.severity };
  const row = {
    ...newIncidentRow(facts, { ...input.policy, postmortemRequired: live.postmortemRequired }, { ackDueAt: live.acknowledgement.dueAt, resDueAt: live.resolution.dueAt }),
    status: live.status,
    state_version: live.stateVersion,
    acknowledged_at: live.acknowledged?.at ?? null,
    acknowledged_by: live.acknowledged?.by ?? null,
    resolved_at: live.resolvedAt,
  };
  try {
    await deps.db.insertInto('incidents').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
  } catch (err) {
    const permanent = classifyFailure(err);
    if (!permanent) throw err;
    const reason = `its incident row can never be stored: ${permanent.message}`;
    deps.log?.error({ incidentId, failure: permanent.type, reason }, 'terminating an incident workflow whose row the store refuses');
    await handle.terminate(reason);
    return 'terminated';
  }
  deps.log?.warn({ incidentId, number: facts.number, stateVersion: live.stateVersion }, 'wrote the missing row of a running incident workflow');
  return 'written';
}
