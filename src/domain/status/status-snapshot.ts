/**
 * Everything the public status page shows, read in four queries however many components and
 * incidents there are: the components, every impact stretch open or ended inside the uptime
 * window, the active and recently resolved incidents, and their public updates. Only public
 * information leaves here: never internal updates, commanders, responders, descriptions or
 * linked tickets. Concurrent requests share one read in flight.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { STATUS_LABELS, OVERALL_LABELS, type ComponentStatus } from './component-status';
import { currentComponentStatus, overallStatus } from './current-status';
import { componentUptime, DAY_MS, utcDayStart, type DayUptime } from './uptime';

export const UPTIME_DAYS = 90;
export const RECENT_DAYS = 7;
/** Incident statuses after which an incident is no longer active. */
const ENDED_STATUSES = ['resolved', 'closed'];

export interface PublicComponent {
  id: string;
  name: string;
  group: string | null;
  description: string | null;
  status: ComponentStatus;
  statusLabel: string;
  uptime: { percent: number | null; days: Array<Pick<DayUptime, 'date' | 'uptimePercent'> & { downtimeMinutes: number }> };
}

export interface PublicIncident {
  id: string;
  number: string;
  title: string;
  severity: string;
  status: string;
  createdAt: string;
  resolvedAt: string | null;
  components: Array<{ id: string; name: string; impact: string }>;
  /** Newest first. */
  updates: Array<{ id: string; status: string; body: string; createdAt: string }>;
}

export interface StatusSnapshot {
  generatedAt: string;
  status: ComponentStatus;
  statusLabel: string;
  components: PublicComponent[];
  activeIncidents: PublicIncident[];
  recentIncidents: PublicIncident[];
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function loadStatusSnapshot(db: Kysely<Database>, now = new Date()): Promise<StatusSnapshot> {
  const windowStart = new Date(utcDayStart(now.getTime()) - (UPTIME_DAYS - 1) * DAY_MS);
  const recentSince = new Date(now.getTime() - RECENT_DAYS * DAY_MS);
  const [components, impacts, incidents] = await Promise.all([
    db.selectFrom('components').select(['id', 'name', 'group_name', 'description', 'position', 'status', 'created_at']).orderBy('position').orderBy('name').execute(),
    db
      .selectFrom('component_impacts')
      .select(['component_id', 'incident_id', 'impact', 'started_at', 'ended_at'])
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', windowStart)]))
      .where('started_at', '<', now)
      .execute(),
    db
      .selectFrom('incidents')
      .select(['id', 'number', 'title', 'severity', 'status', 'created_at', 'resolved_at', 'closed_at'])
      .where((eb) =>
        eb.or([
          eb('status', 'not in', ENDED_STATUSES),
          eb(eb.fn.coalesce('resolved_at', 'closed_at', 'updated_at'), '>=', recentSince),
        ]),
      )
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute(),
  ]);
  const updates =
    incidents.length === 0
      ? []
      : await db
          .selectFrom('incident_updates')
          .select(['id', 'incident_id', 'status', 'body', 'created_at'])
          .where('incident_id', 'in', incidents.map((i) => i.id))
          .where('public', '=', true)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .execute();

  const byComponent = new Map<string, typeof impacts>();
  for (const i of impacts) byComponent.set(i.component_id, [...(byComponent.get(i.component_id) ?? []), i]);
  const publicComponents: PublicComponent[] = components.map((c) => {
    const own = byComponent.get(c.id) ?? [];
    const status = currentComponentStatus(c.status, own.filter((i) => i.ended_at === null).map((i) => i.impact));
    const uptime = componentUptime({ createdAt: new Date(c.created_at), now, days: UPTIME_DAYS, stretches: own.map((i) => ({ impact: i.impact, startedAt: new Date(i.started_at), endedAt: i.ended_at === null ? null : new Date(i.ended_at) })) });
    return {
      id: c.id,
      name: c.name,
      group: c.group_name,
      description: c.description,
      status,
      statusLabel: STATUS_LABELS[status],
      uptime: { percent: uptime.uptimePercent, days: uptime.days.map((d) => ({ date: d.date, uptimePercent: d.uptimePercent, downtimeMinutes: Math.ceil(d.downtimeMs / 60_000) })) },
    };
  });

  const names = new Map(components.map((c) => [c.id, c.name]));
  const view = (i: (typeof incidents)[number]): PublicIncident => {
    // The components an incident touches, each at the worst impact it held there.
    const touched = new Map<string, string>();
    for (const imp of impacts) {
      if (imp.incident_id !== i.id || !names.has(imp.component_id)) continue;
      const active = !ENDED_STATUSES.includes(i.status);
      if (active && imp.ended_at !== null) continue;
      touched.set(imp.component_id, currentComponentStatus(touched.get(imp.component_id) ?? 'operational', [imp.impact]));
    }
    return {
      id: i.id,
      number: i.number,
      title: i.title,
      severity: i.severity,
      status: i.status,
      createdAt: iso(i.created_at)!,
      resolvedAt: iso(i.resolved_at ?? i.closed_at),
      components: [...touched].map(([id, impact]) => ({ id, name: names.get(id)!, impact })).sort((a, b) => a.name.localeCompare(b.name)),
      updates: updates.filter((u) => u.incident_id === i.id).map((u) => ({ id: u.id, status: u.status, body: u.body, createdAt: iso(u.created_at)! })),
    };
  };
  const overall = overallStatus(publicComponents.map((c) => c.status));
  return {
    generatedAt: now.toISOString(),
    status: overall,
    statusLabel: OVERALL_LABELS[overall],
    components: publicComponents,
    activeIncidents: incidents.filter((i) => !ENDED_STATUSES.includes(i.status)).map(view),
    recentIncidents: incidents.filter((i) => ENDED_STATUSES.includes(i.status)).map(view),
  };
}

/** Shares one read among the requests that arrive while it runs; nothing is kept after. */
export function sharedSnapshots(db: Kysely<Database>): () => Promise<StatusSnapshot> {
  let inFlight: Promise<StatusSnapshot> | undefined;
  return () => {
    inFlight ??= loadStatusSnapshot(db).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
