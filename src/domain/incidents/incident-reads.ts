/** Incident reads: the row as the API shows it, the filtered list, and MTTA/MTTR by severity. */
import { sql, type Kysely } from 'kysely';
import type { Database, IncidentRow } from '../../db/schema';
import { ACTIVE_INCIDENT_STATUSES, INCIDENT_SEVERITIES } from '../../../workflows/contract/incident';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export function incidentView(i: IncidentRow) {
  return {
    id: i.id,
    number: i.number,
    title: i.title,
    description: i.description,
    severity: i.severity,
    status: i.status,
    commander: i.commander,
    responders: i.responders,
    impact: i.impact,
    affectedComponents: i.affected_components,
    affectedCustomers: i.affected_customers,
    sourceTicketId: i.source_ticket_id,
    createdBy: i.created_by,
    createdAt: iso(i.created_at),
    updatedAt: iso(i.updated_at),
    acknowledgement: { dueAt: iso(i.ack_due_at), acknowledgedAt: iso(i.acknowledged_at), acknowledgedBy: i.acknowledged_by },
    resolution: { dueAt: iso(i.res_due_at), resolvedAt: iso(i.resolved_at) },
    closedAt: iso(i.closed_at),
    postmortemRequired: i.postmortem_required,
  };
}

export interface IncidentFilter {
  status?: string[];
  severity?: string[];
  active?: boolean;
  cursor?: { createdAt: string; id: string };
  limit: number;
}

export async function listIncidents(db: Kysely<Database>, f: IncidentFilter): Promise<IncidentRow[]> {
  let q = db.selectFrom('incidents').selectAll();
  if (f.status?.length) q = q.where('status', 'in', f.status);
  if (f.severity?.length) q = q.where('severity', 'in', f.severity);
  if (f.active !== undefined) q = q.where('status', f.active ? 'in' : 'not in', [...ACTIVE_INCIDENT_STATUSES]);
  if (f.cursor) {
    const c = f.cursor;
    q = q.where((eb) => eb.or([eb('created_at', '<', new Date(c.createdAt)), eb.and([eb('created_at', '=', new Date(c.createdAt)), eb('id', '<', c.id)])]));
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export interface SeverityMetrics {
  severity: string;
  incidents: number;
  acknowledged: number;
  /** Mean and median seconds from detection to the first acknowledgement (MTTA). */
  mttaSeconds: number | null;
  medianTtaSeconds: number | null;
  resolved: number;
  /** Mean and median seconds from detection to the first resolution (MTTR). */
  mttrSeconds: number | null;
  medianTtrSeconds: number | null;
}

/**
 * MTTA and MTTR of the incidents detected in [from, to), by severity. Each is measured from
 * the timeline's once-only `incident.acknowledged` / `incident.resolved` entries, so a
 * reopened incident counts its first resolution; one resolved without an acknowledgement
 * has no acknowledgement time.
 */
export async function incidentMetrics(db: Kysely<Database>, from: Date, to: Date): Promise<SeverityMetrics[]> {
  const { rows } = await sql<{ severity: string; incidents: string; acknowledged: string; mtta: string | null; p50a: string | null; resolved: string; mttr: string | null; p50r: string | null }>`
    select i.severity,
           count(*) as incidents,
           count(a.tta) as acknowledged, avg(a.tta) as mtta, percentile_cont(0.5) within group (order by a.tta) as p50a,
           count(r.ttr) as resolved, avg(r.ttr) as mttr, percentile_cont(0.5) within group (order by r.ttr) as p50r
    from incidents i
    left join lateral (select (e.data->>'secondsToAcknowledge')::numeric as tta from incident_events e where e.incident_id = i.id and e.type = 'incident.acknowledged' limit 1) a on true
    left join lateral (select (e.data->>'secondsToResolve')::numeric as ttr from incident_events e where e.incident_id = i.id and e.type = 'incident.resolved' limit 1) r on true
    where i.created_at >= ${from} and i.created_at < ${to}
    group by i.severity`.execute(db);
  const num = (v: string | null) => (v === null ? null : Math.round(Number(v)));
  return INCIDENT_SEVERITIES.map((severity) => {
    const r = rows.find((row) => row.severity === severity);
    return {
      severity,
      incidents: Number(r?.incidents ?? 0),
      acknowledged: Number(r?.acknowledged ?? 0),
      mttaSeconds: num(r?.mtta ?? null),
      medianTtaSeconds: num(r?.p50a ?? null),
      resolved: Number(r?.resolved ?? 0),
      mttrSeconds: num(r?.mttr ?? null),
      medianTtrSeconds: num(r?.p50r ?? null),
    };
  });
}
