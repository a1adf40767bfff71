/**
 * Paging on-call for an incident through the PagerDuty Events API v2. Each ladder level
 * opens its own alert (dedup key `pacer:incident:<id>:<level>`): re-triggering one key while
 * it is open would only add to that alert and wake nobody, so an unacknowledged incident
 * re-escalates by paging a new level. A retried activity lands on the same alert (dedup
 * key) and usually sends nothing at all (once). Acknowledging or resolving the incident in
 * Pacer acknowledges or resolves every alert it opened.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../core/logger';
import { PagerDutyRejected, type PagerDutyEvents, type Severity } from './events-client';
import { incidentAlertDedupKey } from './alert-key';
import { once } from '../../db/effects';
import type { ActionOutcome } from '../../../workflows/contract/records';
import type { IncidentActionInput } from '../../../workflows/contract/incident';
import { incidentUrl } from '../../core/links';

const SEVERITY: Record<string, Severity> = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' };
export const INCIDENT_LINK_KIND = 'pagerduty';

export interface IncidentPagingDeps {
  db: Kysely<Database>;
  events: PagerDutyEvents;
  publicUrl: string;
  log?: Logger;
}

function levelOf(input: IncidentActionInput): number {
  const level = Number(input.action.level ?? 1);
  return Number.isInteger(level) && level >= 1 ? level : 1;
}

export async function pageIncident(deps: IncidentPagingDeps, input: IncidentActionInput): Promise<ActionOutcome> {
  const { db, events } = deps;
  const incident = await db.selectFrom('incidents').selectAll().where('id', '=', input.incidentId).executeTakeFirst();
  if (!incident) throw new Error(`incident ${input.incidentId} has no record yet`);
  if (incident.acknowledged_at !== null || incident.resolved_at !== null || incident.status === 'closed') {
    return { status: 'skipped', detail: 'acknowledged or resolved before the page went out: nobody paged' };
  }
  const level = levelOf(input);
  const dedupKey = incidentAlertDedupKey(input.incidentId, level);
  const link = incidentUrl(deps.publicUrl, incident.id);
  const state = input.clock === 'acknowledgement' ? 'not acknowledged' : 'not resolved';
  try {
    await once(db, `pagerduty:incident-trigger:${input.incidentId}:${input.stepId}:${input.actionIndex}`, async () => {
      await db
        .insertInto('incident_links')
        .values({ incident_id: incident.id, kind: INCIDENT_LINK_KIND, external_key: dedupKey, url: null, data: JSON.stringify({ level, status: 'triggered', step: input.stepId }) })
        .onConflict((oc) => oc.columns(['incident_id', 'kind', 'external_key']).doNothing())
        .execute();
      return events.trigger(
        dedupKey,
        {
          summary: `${incident.number}: ${incident.title} (${incident.severity}, ${state}${level > 1 ? `, escalation level ${level}` : ''})`.slice(0, 1024),
          source: 'pacer',
          severity: SEVERITY[incident.severity] ?? 'warning',
          timestamp: input.at,
          component: 'incident',
          class: `incident.${input.clock}`,
          custom_details: {
            incident_id: incident.id,
            incident_number: incident.number,
            incident_url: link,
            severity: incident.severity,
            status: incident.status,
            impact: incident.impact,
            commander: incident.commander,
            sla: { clock: input.clock, percent: input.percent, step: input.stepId, level, ack_due_at: incident.ack_due_at, resolve_due_at: incident.res_due_at },
          },
        },
        [{ href: link, text: `Incident ${incident.number}` }],
      );
    });
  } catch (err) {
    if (err instanceof PagerDutyRejected) {
      deps.log?.warn({ incidentId: incident.id, status: err.status, errors: err.errors }, 'PagerDuty rejected an incident page');
      await updateIncidentAlert(db, incident.id, dedupKey, { status: 'rejected', error: err.message });
      throw ApplicationFailure.nonRetryable(err.message, 'PagerDutyRejected', { status: err.status, errors: err.errors });
    }
    throw err;
  }
  // Acknowledged or resolved while the trigger was in flight, after the settle looked for alerts: ours to settle.
  const now = await db.selectFrom('incidents').select(['acknowledged_at', 'resolved_at']).where('id', '=', incident.id).executeTakeFirstOrThrow();
  if (now.resolved_at !== null) await settleIncidentAlerts(deps, incident.id, 'resolve');
  else if (now.acknowledged_at !== null) await settleIncidentAlerts(deps, incident.id, 'acknowledge');
  return { status: 'done', detail: `paged PagerDuty level ${level} (dedup key ${dedupKey})` };
}

async function updateIncidentAlert(db: Kysely<Database>, incidentId: string, dedupKey: string, patch: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('incident_links')
    .set({ data: sql`data || ${JSON.stringify(patch)}::jsonb` })
    .where('incident_id', '=', incidentId)
    .where('kind', '=', INCIDENT_LINK_KIND)
    .where('external_key', '=', dedupKey)
    .execute();
}

/** Acknowledge (the open ones) or resolve (every one not resolved) of an incident's alerts; safe to repeat. */
export async function settleIncidentAlerts(deps: IncidentPagingDeps, incidentId: string, how: 'acknowledge' | 'resolve'): Promise<number> {
  const rows = await deps.db.selectFrom('incident_links').select(['external_key', 'data']).where('incident_id', '=', incidentId).where('kind', '=', INCIDENT_LINK_KIND).execute();
  const wanted = how === 'acknowledge' ? ['triggered'] : ['triggered', 'acknowledged'];
  let settled = 0;
  for (const r of rows.filter((row) => wanted.includes(String(row.data.status)))) {
    try {
      await (how === 'acknowledge' ? deps.events.acknowledge(r.external_key) : deps.events.resolve(r.external_key));
    } catch (err) {
      if (!(err instanceof PagerDutyRejected)) throw err;
      deps.log?.warn({ incidentId, dedupKey: r.external_key, status: err.status }, `PagerDuty refused to ${how} an incident alert`);
      continue;
    }
    await updateIncidentAlert(deps.db, incidentId, r.external_key, { status: how === 'acknowledge' ? 'acknowledged' : 'resolved' });
    settled++;
  }
  return settled;
}
