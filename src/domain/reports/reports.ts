/**
 * The reports, read from the summary tables (report_tickets, report_clocks) that the
 * refresher keeps current from the event log. A clock counts in the period in which it was
 * decided: when it was met, or (unmet) when its due passed. Breached follows the ticket page
 * (workflows/ticket/clock-plan describeClock): met after its due, or unmet with its due past.
 * Days and weeks are cut in the period's time zone. Every query reads the refreshed rows, so
 * callers run refreshReports first.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema';
import { INCIDENT_SEVERITIES } from '../../../workflows/contract/incident';

export type Interval = 'day' | 'week';

export interface ReportPeriod {
  from: Date;
  to: Date;
  zone: string;
  interval: Interval;
}

/** Narrows every ticket report (incidents ignore it). */
export interface ReportFilters {
  organizationId?: string;
  priority?: string;
  tier?: string;
  policyId?: string;
}

export const CLOCKS = ['first_response', 'resolution', 'next_reply'] as const;
export type ReportClock = (typeof CLOCKS)[number];

export interface Achievement {
  met: number;
  breached: number;
  /** met ÷ (met + breached) × 100, one decimal; null when nothing was decided. */
  achievementPercent: number | null;
}

export interface SlaGroupRow extends Achievement {
  clock: ReportClock;
  key: string;
  label: string;
}

export interface SlaReport {
  totals: Array<Achievement & { clock: ReportClock }>;
  byPolicy: SlaGroupRow[];
  byPriority: SlaGroupRow[];
  byTier: SlaGroupRow[];
  byOrganization: SlaGroupRow[];
  series: Array<Achievement & { clock: ReportClock; bucket: string }>;
  breaches: Array<{ ticketId: string; number: string; clock: ReportClock; cycle: number; dueAt: string; metAt: string | null; policy: string | null; priority: string; organizationId: string }>;
  breachesTotal: number;
}

type Db = Kysely<Database>;
const num = (v: unknown): number => Number(v ?? 0);
const pct = (met: number, breached: number): number | null => (met + breached === 0 ? null : Math.round((met / (met + breached)) * 1000) / 10);
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const nullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v)));

function filterSql(f: ReportFilters, alias: string): RawBuilder<unknown> {
  const parts: Array<RawBuilder<unknown>> = [sql`true`];
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  if (f.organizationId) parts.push(sql`${col('organization_id')} = ${f.organizationId}::uuid`);
  if (f.priority) parts.push(sql`${col('priority')} = ${f.priority}`);
  if (f.tier) parts.push(sql`${col('tier')} = ${f.tier}`);
  if (f.policyId) parts.push(sql`${col('policy_id')} = ${f.policyId}::uuid`);
  return sql.join(parts, sql` and `);
}

/** The bucket (local day or week start, "YYYY-MM-DD") of an instant column. */
function bucketOf(p: ReportPeriod, column: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`to_char(date_trunc(${p.interval}, ${column} at time zone ${p.zone}), 'YYYY-MM-DD')`;
}

/** Every bucket of the period, in order, so charts show empty days as zero rather than skip them. */
export async function bucketsOf(db: Db, p: ReportPeriod): Promise<string[]> {
  const { rows } = await sql<{ b: string }>`
    select to_char(d, 'YYYY-MM-DD') as b
    from generate_series(date_trunc(${p.interval}, ${p.from} at time zone ${p.zone}), date_trunc(${p.interval}, (${p.to}::timestamptz - interval '1 microsecond') at time zone ${p.zone}), ${`1 ${p.interval}`}::interval) d`.execute(db);
  return rows.map((r) => r.b);
}

export async function slaReport(db: Db, p: ReportPeriod, f: ReportFilters, breachLimit = 100): Promise<SlaReport> {
  const decided = sql`
    select c.*, coalesce(c.met_at, c.due_at) as decided_at, ${bucketOf(p, sql`coalesce(c.met_at, c.due_at)`)} as bucket,
           (c.met_at is null or (c.due_at is not null and c.met_at > c.due_at)) as breached
    from report_clocks c
    where ((c.met_at >= ${p.from} and c.met_at < ${p.to})
        or (c.met_at is null and c.due_at >= ${p.from} and c.due_at < ${p.to} and c.due_at <= now()))
      and ${filterSql(f, 'c')}`;
  const { rows } = await sql<{ g: number; clock: ReportClock; key: string | null; label: string | null; met: string; breached: string }>`
    with d as (${decided})
    select grouping(d.policy_name, d.priority, d.tier, d.organization_id, d.bucket) as g, d.clock,
           coalesce(d.policy_id::text, d.priority, d.tier, d.organization_id::text, d.bucket) as key,
           coalesce(d.policy_name, o.name) as label,
           count(*) filter (where not d.breached) as met, count(*) filter (where d.breached) as breached
    from d left join organizations o on o.id = d.organization_id
    group by grouping sets ((d.clock), (d.clock, d.policy_id, d.policy_name), (d.clock, d.priority), (d.clock, d.tier), (d.clock, d.organization_id, o.name), (d.clock, d.bucket))`.execute(db);
  // grouping() bits, left to right: policy, priority, tier, organization, bucket (1 = not grouped by it).
  const ALL = 0b11111;
  const only = (bit: number) => ALL & ~bit;
  const group = (bit: number, labelOf: (r: (typeof rows)[number]) => string) =>
    rows
      .filter((r) => Number(r.g) === only(bit))
      .map((r) => ({ clock: r.clock, key: r.key ?? '', label: labelOf(r), met: num(r.met), breached: num(r.breached), achievementPercent: pct(num(r.met), num(r.breached)) }))
      .sort((a, b) => a.clock.localeCompare(b.clock) || a.label.localeCompare(b.label));
  const totals = CLOCKS.map((clock) => {
    const r = rows.find((x) => Number(x.g) === ALL && x.clock === clock);
    const met = num(r?.met);
    const breached = num(r?.breached);
    return { clock, met, breached, achievementPercent: pct(met, breached) };
  });
  const buckets = await bucketsOf(db, p);
  const seriesRows = rows.filter((r) => Number(r.g) === only(0b00001));
  const series = CLOCKS.flatMap((clock) =>
    buckets.map((bucket) => {
      const r = seriesRows.find((x) => x.clock === clock && x.key === bucket);
      const met = num(r?.met);
      const breached = num(r?.breached);
      return { clock, bucket, met, breached, achievementPercent: pct(met, breached) };
    }),
  );
  const { rows: breachRows } = await sql<{ ticket_id: string; number: string; clock: ReportClock; cycle: number; due_at: Date; met_at: Date | null; policy_name: string | null; priority: string; organization_id: string }>`
    select c.ticket_id, c.number, c.clock, c.cycle, c.due_at, c.met_at, c.policy_name, c.priority, c.organization_id from report_clocks c
    where ((c.met_at >= ${p.from} and c.met_at < ${p.to} and c.met_at > c.due_at)
        or (c.met_at is null and c.due_at >= ${p.from} and c.due_at < ${p.to} and c.due_at <= now()))
      and ${filterSql(f, 'c')}
    order by coalesce(c.met_at, c.due_at) desc, c.number, c.clock, c.cycle limit ${breachLimit}`.execute(db);
  return {
    totals,
    byPolicy: group(0b10000, (r) => r.label ?? 'no policy'),
    byPriority: group(0b01000, (r) => r.key ?? ''),
    byTier: group(0b00100, (r) => r.key ?? ''),
    byOrganization: group(0b00010, (r) => r.label ?? r.key ?? ''),
    series,
    breaches: breachRows.map((b) => ({ ticketId: b.ticket_id, number: b.number, clock: b.clock, cycle: Number(b.cycle), dueAt: iso(b.due_at)!, metAt: iso(b.met_at), policy: b.policy_name, priority: b.priority, organizationId: b.organization_id })),
    breachesTotal: totals.reduce((s, t) => s + t.breached, 0),
  };
}

export interface Durations {
  count: number;
  medianBusinessSeconds: number | null;
  p90BusinessSeconds: number | null;
  medianCalendarSeconds: number | null;
  p90CalendarSeconds: number | null;
}

export interface TimesReport {
  firstReply: Durations;
  resolution: Durations;
  /** Solved in the period: how many, how many of them had been reopened, and the share (%). */
  reopen: { solved: number; reopened: number; ratePercent: number | null };
  series: Array<{ bucket: string; firstReply: Durations; resolution: Durations }>;
}

function durationsOf(r: Record<string, unknown> | undefined): Durations {
  const s = (k: string) => (r?.[k] === null || r?.[k] === undefined ? null : Math.round(Number(r[k]) / 1000));
  return { count: num(r?.n), medianBusinessSeconds: s('mb'), p90BusinessSeconds: s('pb'), medianCalendarSeconds: s('mc'), p90CalendarSeconds: s('pc') };
}

export async function timesReport(db: Db, p: ReportPeriod, f: ReportFilters): Promise<TimesReport> {
  const measure = (at: string, business: string) => {
    const col = sql.ref(`t.${at}`);
    const b = sql.ref(`t.${business}`);
    return sql<Record<string, unknown>>`
      select grouping(t.bucket) as g, t.bucket, count(*) as n,
             percentile_cont(0.5) within group (order by t.business) as mb, percentile_cont(0.9) within group (order by t.business) as pb,
             percentile_cont(0.5) within group (order by t.calendar) as mc, percentile_cont(0.9) within group (order by t.calendar) as pc,
             count(*) filter (where t.reopens > 0) as reopened
      from (select ${bucketOf(p, col)} as bucket, ${b} as business, extract(epoch from ${col} - t.created_at) * 1000 as calendar, t.reopens
            from report_tickets t where ${col} >= ${p.from} and ${col} < ${p.to} and ${filterSql(f, 't')}) t
      group by grouping sets ((), (t.bucket))`.execute(db);
  };
  const [fr, res, buckets] = await Promise.all([measure('first_reply_at', 'first_reply_business_ms'), measure('solved_at', 'resolution_business_ms'), bucketsOf(db, p)]);
  const total = (rows: Array<Record<string, unknown>>) => rows.find((r) => Number(r.g) === 1);
  const at = (rows: Array<Record<string, unknown>>, bucket: string) => rows.find((r) => Number(r.g) === 0 && r.bucket === bucket);
  const solved = num(total(res.rows)?.n);
  const reopened = num(total(res.rows)?.reopened);
  return {
    firstReply: durationsOf(total(fr.rows)),
    resolution: durationsOf(total(res.rows)),
    reopen: { solved, reopened, ratePercent: solved === 0 ? null : Math.round((reopened / solved) * 1000) / 10 },
    series: buckets.map((bucket) => ({ bucket, firstReply: durationsOf(at(fr.rows, bucket)), resolution: durationsOf(at(res.rows, bucket)) })),
  };
}

export const BACKLOG_STATUSES = ['new', 'open', 'pending', 'on_hold'] as const;
/** Age buckets of the backlog, by the upper bound in days (the last has none). */
export const AGE_BUCKETS = [
  { key: 'under_1d', label: 'under 1 day', maxDays: 1 },
  { key: '1_3d', label: '1–3 days', maxDays: 3 },
  { key: '3_7d', label: '3–7 days', maxDays: 7 },
  { key: '7_30d', label: '7–30 days', maxDays: 30 },
  { key: 'over_30d', label: 'over 30 days', maxDays: null },
] as const;

export interface VolumeReport {
  perBucket: Array<{ bucket: string; created: number; solved: number }>;
  backlog: Array<{ age: string; label: string } & Record<(typeof BACKLOG_STATUSES)[number] | 'total', number>>;
}

export async function volumeReport(db: Db, p: ReportPeriod, f: ReportFilters): Promise<VolumeReport> {
  const per = (col: 'created_at' | 'solved_at') =>
    sql<{ bucket: string; n: string }>`
      select ${bucketOf(p, sql.ref(`t.${col}`))} as bucket, count(*) as n from report_tickets t
      where t.${sql.ref(col)} >= ${p.from} and t.${sql.ref(col)} < ${p.to} and ${filterSql(f, 't')} group by 1`.execute(db);
  const ageCase = sql.join(
    AGE_BUCKETS.map((b) => (b.maxDays === null ? sql`else ${b.key}` : sql`when t.created_at > now() - ${`${b.maxDays} days`}::interval then ${b.key}`)),
    sql` `,
  );
  const [created, solved, buckets, backlog] = await Promise.all([
    per('created_at'),
    per('solved_at'),
    bucketsOf(db, p),
    sql<{ age: string; status: string; n: string }>`
      select case ${ageCase} end as age, t.status, count(*) as n from report_tickets t
      where t.status in ('new', 'open', 'pending', 'on_hold') and ${filterSql(f, 't')} group by 1, 2`.execute(db),
  ]);
  const count = (rows: Array<{ bucket: string; n: string }>, b: string) => num(rows.find((r) => r.bucket === b)?.n);
  return {
    perBucket: buckets.map((bucket) => ({ bucket, created: count(created.rows, bucket), solved: count(solved.rows, bucket) })),
    backlog: AGE_BUCKETS.map((b) => {
      const n = (status: string) => num(backlog.rows.find((r) => r.age === b.key && r.status === status)?.n);
      const row = { age: b.key, label: b.label, new: n('new'), open: n('open'), pending: n('pending'), on_hold: n('on_hold'), total: 0 };
      row.total = row.new + row.open + row.pending + row.on_hold;
      return row;
    }),
  };
}

export interface AgentRow extends Achievement {
  agent: string;
  solved: number;
  firstReplies: number;
  csatRatings: number;
  csatPositive: number;
  /** Ratings of 4–5 ÷ all ratings × 100, one decimal; null without ratings. */
  csatScorePercent: number | null;
}

/**
 * By assignee: tickets solved and clocks decided in the period on the tickets they hold, first
 * replies they wrote, and CSAT ratings credited to them (the assignee when the customer rated).
 */
export async function agentsReport(db: Db, p: ReportPeriod, f: ReportFilters): Promise<AgentRow[]> {
  const { rows } = await sql<{ agent: string; solved: string; first_replies: string; met: string; breached: string; ratings: string; positive: string }>`
    with solved as (
      select t.assignee as agent, count(*) as n from report_tickets t
      where t.assignee is not null and t.solved_at >= ${p.from} and t.solved_at < ${p.to} and ${filterSql(f, 't')} group by 1
    ), replies as (
      select t.first_reply_by as agent, count(*) as n from report_tickets t
      where t.first_reply_by is not null and t.first_reply_at >= ${p.from} and t.first_reply_at < ${p.to} and ${filterSql(f, 't')} group by 1
    ), clocks as (
      select c.assignee as agent,
             count(*) filter (where not (c.met_at is null or (c.due_at is not null and c.met_at > c.due_at))) as met,
             count(*) filter (where c.met_at is null or (c.due_at is not null and c.met_at > c.due_at)) as breached
      from report_clocks c
      where c.assignee is not null and ${filterSql(f, 'c')}
        and ((c.met_at >= ${p.from} and c.met_at < ${p.to}) or (c.met_at is null and c.due_at >= ${p.from} and c.due_at < ${p.to} and c.due_at <= now()))
      group by 1
    ), csat as (
      select s.assignee as agent, count(*) as ratings, count(*) filter (where s.rating >= 4) as positive
      from csat_surveys s join report_tickets t on t.ticket_id = s.ticket_id
      where s.assignee is not null and s.rating is not null and s.rated_at >= ${p.from} and s.rated_at < ${p.to} and ${filterSql(f, 't')} group by 1
    ), agents as (select agent from solved union select agent from replies union select agent from clocks union select agent from csat)
    select a.agent, coalesce(solved.n, 0) as solved, coalesce(replies.n, 0) as first_replies, coalesce(clocks.met, 0) as met, coalesce(clocks.breached, 0) as breached,
           coalesce(csat.ratings, 0) as ratings, coalesce(csat.positive, 0) as positive
    from agents a left join solved using (agent) left join replies using (agent) left join clocks using (agent) left join csat using (agent)
    order by a.agent`.execute(db);
  return rows.map((r) => {
    const ratings = num(r.ratings);
    const positive = num(r.positive);
    return {
      agent: r.agent,
      solved: num(r.solved),
      firstReplies: num(r.first_replies),
      met: num(r.met),
      breached: num(r.breached),
      achievementPercent: pct(num(r.met), num(r.breached)),
      csatRatings: ratings,
      csatPositive: positive,
      csatScorePercent: ratings === 0 ? null : Math.round((positive / ratings) * 1000) / 10,
    };
  });
}

export interface IncidentsReport {
  series: Array<{ bucket: string; severity: string; incidents: number; acknowledged: number; mttaSeconds: number | null; resolved: number; mttrSeconds: number | null }>;
  bySeverity: Array<{ severity: string; incidents: number; mttaSeconds: number | null; mttrSeconds: number | null }>;
  postmortemsOverdue: Array<{ incidentId: string; number: string; title: string; severity: string; resolvedAt: string; dueAt: string }>;
}

/**
 * MTTA and MTTR by severity and bucket of declaration, from the seconds the incident workflow
 * recorded on its acknowledged and resolved events (what GET /incidents/metrics averages), and
 * the post-mortems still owed past their first reminder.
 */
export async function incidentsReport(db: Db, p: ReportPeriod): Promise<IncidentsReport> {
  const { rows } = await sql<{ g: number; bucket: string | null; severity: string; n: string; acked: string; mtta: string | null; resolved: string; mttr: string | null }>`
    select grouping(x.bucket) as g, x.bucket, x.severity, count(*) as n, count(x.tta) as acked, avg(x.tta) as mtta, count(x.ttr) as resolved, avg(x.ttr) as mttr
    from (
      select i.severity, ${bucketOf(p, sql`i.created_at`)} as bucket, a.tta, r.ttr
      from incidents i
      left join lateral (select (e.data->>'secondsToAcknowledge')::numeric as tta from incident_events e where e.incident_id = i.id and e.type = 'incident.acknowledged' order by e.seq limit 1) a on true
      left join lateral (select (e.data->>'secondsToResolve')::numeric as ttr from incident_events e where e.incident_id = i.id and e.type = 'incident.resolved' order by e.seq desc limit 1) r on true
      where i.created_at >= ${p.from} and i.created_at < ${p.to}
    ) x
    group by grouping sets ((x.severity), (x.severity, x.bucket))`.execute(db);
  const buckets = await bucketsOf(db, p);
  const series = buckets.flatMap((bucket) =>
    INCIDENT_SEVERITIES.map((severity) => {
      const r = rows.find((x) => Number(x.g) === 0 && x.bucket === bucket && x.severity === severity);
      return { bucket, severity, incidents: num(r?.n), acknowledged: num(r?.acked), mttaSeconds: nullableNumber(r?.mtta), resolved: num(r?.resolved), mttrSeconds: nullableNumber(r?.mttr) };
    }),
  );
  const bySeverity = INCIDENT_SEVERITIES.map((severity) => {
    const r = rows.find((x) => Number(x.g) === 1 && x.severity === severity);
    return { severity, incidents: num(r?.n), mttaSeconds: nullableNumber(r?.mtta), mttrSeconds: nullableNumber(r?.mttr) };
  });
  const { rows: overdue } = await sql<{ id: string; number: string; title: string; severity: string; resolved_at: Date; due_at: Date }>`
    select i.id, i.number, i.title, i.severity, i.resolved_at,
           i.resolved_at + make_interval(hours => coalesce((select min(h::numeric) from jsonb_array_elements_text(p.postmortem_reminder_hours) h), 24)::int) as due_at
    from incidents i
    left join incident_policies p on p.severity = i.severity
    where i.postmortem_required and i.resolved_at is not null
      and not exists (select 1 from incident_postmortems m where m.incident_id = i.id)
      and i.resolved_at + make_interval(hours => coalesce((select min(h::numeric) from jsonb_array_elements_text(p.postmortem_reminder_hours) h), 24)::int) < now()
    order by due_at limit 200`.execute(db);
  return {
    series,
    bySeverity,
    postmortemsOverdue: overdue.map((o) => ({ incidentId: o.id, number: o.number, title: o.title, severity: o.severity, resolvedAt: iso(o.resolved_at)!, dueAt: iso(o.due_at)! })),
  };
}
