/**
 * Every report as it is read (refreshed summaries first) and as tables: the console draws its
 * charts from the report and prints the tables beside them, and a CSV export is one of these
 * tables, cell for cell. So the API, the page and the file show the same numbers.
 */
import { sql, type Kysely } from 'kysely';
import { InvalidInput } from '../../core/errors';
import type { Database } from '../../db/schema';
import { agentsReport, incidentsReport, slaReport, timesReport, volumeReport, type AgentRow, type Durations, type IncidentsReport, type ReportFilters, type ReportPeriod, type SlaReport, type TimesReport, type VolumeReport } from './reports';
import { refreshReports } from './summary-refresh';

export const REPORT_NAMES = ['sla', 'times', 'volume', 'agents', 'incidents'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export type Cell = string | number | null;
export interface ReportTable {
  id: string;
  title: string;
  columns: string[];
  rows: Cell[][];
}

export type ReportData = { sla: SlaReport; times: TimesReport; volume: VolumeReport; agents: { agents: AgentRow[] }; incidents: IncidentsReport };

/** The tables of each report, by id (the CSV export's `table`). */
export const REPORT_TABLES: Record<ReportName, readonly string[]> = {
  sla: ['totals', 'series', 'by-policy', 'by-priority', 'by-tier', 'by-organization', 'breaches'],
  times: ['summary', 'series'],
  volume: ['created-solved', 'backlog'],
  agents: ['agents'],
  incidents: ['by-severity', 'series', 'postmortems-overdue'],
};

const CLOCK_LABEL: Record<string, string> = { first_response: 'first response', resolution: 'resolution', next_reply: 'next reply' };
const clockLabel = (c: string) => CLOCK_LABEL[c] ?? c;
const achievementColumns = ['met', 'breached', 'achievement %'];

function slaTables(r: SlaReport): ReportTable[] {
  const group = (id: string, title: string, what: string, rows: SlaReport['byPolicy']): ReportTable => ({
    id,
    title,
    columns: ['clock', what, ...achievementColumns],
    rows: rows.map((g) => [clockLabel(g.clock), g.label, g.met, g.breached, g.achievementPercent]),
  });
  return [
    { id: 'totals', title: 'SLA achievement by clock', columns: ['clock', ...achievementColumns], rows: r.totals.map((t) => [clockLabel(t.clock), t.met, t.breached, t.achievementPercent]) },
    { id: 'series', title: 'SLA achievement over time', columns: ['period', 'clock', ...achievementColumns], rows: r.series.map((s) => [s.bucket, clockLabel(s.clock), s.met, s.breached, s.achievementPercent]) },
    group('by-policy', 'By policy', 'policy', r.byPolicy),
    group('by-priority', 'By priority', 'priority', r.byPriority),
    group('by-tier', 'By tier', 'tier', r.byTier),
    group('by-organization', 'By organization', 'organization', r.byOrganization),
    {
      id: 'breaches',
      title: `Breaches (latest ${r.breaches.length} of ${r.breachesTotal})`,
      columns: ['ticket', 'clock', 'cycle', 'due', 'met', 'policy', 'priority', 'ticket id'],
      rows: r.breaches.map((b) => [b.number, clockLabel(b.clock), b.cycle, b.dueAt, b.metAt, b.policy, b.priority, b.ticketId]),
    },
  ];
}

const durationCells = (d: Durations): Cell[] => [d.count, d.medianBusinessSeconds, d.p90BusinessSeconds, d.medianCalendarSeconds, d.p90CalendarSeconds];
const durationColumns = ['count', 'median business s', 'p90 business s', 'median calendar s', 'p90 calendar s'];

function timesTables(r: TimesReport): ReportTable[] {
  return [
    {
      id: 'summary',
      title: 'First reply and full resolution',
      columns: ['measure', ...durationColumns, 'reopened', 'reopen rate %'],
      rows: [
        ['first reply', ...durationCells(r.firstReply), null, null],
        ['full resolution', ...durationCells(r.resolution), r.reopen.reopened, r.reopen.ratePercent],
      ],
    },
    {
      id: 'series',
      title: 'Times over time',
      columns: ['period', 'measure', ...durationColumns],
      rows: r.series.flatMap((s) => [
        [s.bucket, 'first reply', ...durationCells(s.firstReply)],
        [s.bucket, 'full resolution', ...durationCells(s.resolution)],
      ]),
    },
  ];
}

function volumeTables(r: VolumeReport): ReportTable[] {
  return [
    { id: 'created-solved', title: 'Created and solved', columns: ['period', 'created', 'solved'], rows: r.perBucket.map((b) => [b.bucket, b.created, b.solved]) },
    { id: 'backlog', title: 'Backlog by age and status (now)', columns: ['age', 'new', 'open', 'pending', 'on hold', 'total'], rows: r.backlog.map((b) => [b.label, b.new, b.open, b.pending, b.on_hold, b.total]) },
  ];
}

function agentTables(r: { agents: AgentRow[] }): ReportTable[] {
  return [
    {
      id: 'agents',
      title: 'By assignee',
      columns: ['agent', 'solved', 'first replies', ...achievementColumns, 'CSAT ratings', 'CSAT 4–5', 'CSAT score %'],
      rows: r.agents.map((a) => [a.agent, a.solved, a.firstReplies, a.met, a.breached, a.achievementPercent, a.csatRatings, a.csatPositive, a.csatScorePercent]),
    },
  ];
}

function incidentTables(r: IncidentsReport): ReportTable[] {
  return [
    { id: 'by-severity', title: 'MTTA and MTTR by severity', columns: ['severity', 'incidents', 'MTTA s', 'MTTR s'], rows: r.bySeverity.map((s) => [s.severity, s.incidents, s.mttaSeconds, s.mttrSeconds]) },
    {
      id: 'series',
      title: 'MTTA and MTTR over time',
      columns: ['period', 'severity', 'incidents', 'acknowledged', 'MTTA s', 'resolved', 'MTTR s'],
      rows: r.series.map((s) => [s.bucket, s.severity, s.incidents, s.acknowledged, s.mttaSeconds, s.resolved, s.mttrSeconds]),
    },
    { id: 'postmortems-overdue', title: 'Post-mortems overdue', columns: ['incident', 'title', 'severity', 'resolved', 'due', 'incident id'], rows: r.postmortemsOverdue.map((o) => [o.number, o.title, o.severity, o.resolvedAt, o.dueAt, o.incidentId]) },
  ];
}

export interface LoadedReport<N extends ReportName = ReportName> {
  name: N;
  data: ReportData[N];
  tables: ReportTable[];
}

async function load(db: Kysely<Database>, name: ReportName, p: ReportPeriod, f: ReportFilters): Promise<LoadedReport> {
  switch (name) {
    case 'sla': {
      const data = await slaReport(db, p, f);
      return { name, data, tables: slaTables(data) };
    }
    case 'times': {
      const data = await timesReport(db, p, f);
      return { name, data, tables: timesTables(data) };
    }
    case 'volume': {
      const data = await volumeReport(db, p, f);
      return { name, data, tables: volumeTables(data) };
    }
    case 'agents': {
      const data = { agents: await agentsReport(db, p, f) };
      return { name, data, tables: agentTables(data) };
    }
    case 'incidents': {
      const data = await incidentsReport(db, p);
      return { name, data, tables: incidentTables(data) };
    }
  }
}

let zones: Promise<Set<string>> | null = null;

/** The time zones PostgreSQL knows (read once: the view reads the zone files), which may lag the runtime's. */
async function checkZone(db: Kysely<Database>, zone: string): Promise<void> {
  zones ??= sql<{ name: string }>`select name from pg_timezone_names`.execute(db).then((r) => new Set(r.rows.map((x) => x.name.toLowerCase())));
  const known = await zones.catch((err: unknown) => {
    zones = null;
    throw err;
  });
  if (!known.has(zone.toLowerCase())) throw new InvalidInput(`the database does not know the time zone ${zone}`, [{ path: 'zone', message: 'not a time zone the database knows' }]);
}

/** A report over the period, after bringing the summaries up to the event log. */
export async function readReport<N extends ReportName>(db: Kysely<Database>, name: N, p: ReportPeriod, f: ReportFilters): Promise<LoadedReport<N>> {
  await checkZone(db, p.zone);
  await refreshReports(db);
  return (await load(db, name, p, f)) as LoadedReport<N>;
}
