/** The reports' answers (src/domain/reports/reports.ts) and their operations under /api/v1/reports. */
import { z } from 'zod';
import { INCIDENT_SEVERITIES } from '../../../../workflows/contract/incident';
import { REPORT_NAMES } from '../../../domain/reports/report-tables';
import { reportQuery } from '../../kit/report-query';
import { reportName, tableName } from '../routes/reports';
import type { Operation } from './operation';

const instant = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);
const percent = z.number().min(0).max(100).nullable().describe('one decimal; null when there is nothing to divide');
const seconds = z.number().int().nullable();
const clock = z.enum(['first_response', 'resolution', 'next_reply']);
const bucket = z.string().describe('the local date (YYYY-MM-DD) a day or week starts on, in the report zone');
const achievement = { met: count, breached: count, achievementPercent: percent };
const group = z.object({ clock, key: z.string(), label: z.string(), ...achievement });
const period = { from: instant, to: instant, zone: z.string(), interval: z.enum(['day', 'week']) };

export const slaReportResponse = z
  .object({
    ...period,
    totals: z.array(z.object({ clock, ...achievement })),
    byPolicy: z.array(group),
    byPriority: z.array(group),
    byTier: z.array(group),
    byOrganization: z.array(group),
    series: z.array(z.object({ clock, bucket, ...achievement })),
    breaches: z.array(z.object({ ticketId: z.uuid(), number: z.string(), clock, cycle: count, dueAt: instant, metAt: instant.nullable(), policy: z.string().nullable(), priority: z.string(), organizationId: z.uuid() })),
    breachesTotal: count,
  })
  .meta({ id: 'SlaReport', description: 'Clocks decided in the period (met, or unmet with their due passed), by clock and by policy, priority, tier, organization and day or week; the latest breaches.' });

const durations = z.object({ count, medianBusinessSeconds: seconds, p90BusinessSeconds: seconds, medianCalendarSeconds: seconds, p90CalendarSeconds: seconds });
export const timesReportResponse = z
  .object({
    ...period,
    firstReply: durations,
    resolution: durations,
    reopen: z.object({ solved: count, reopened: count, ratePercent: percent }),
    series: z.array(z.object({ bucket, firstReply: durations, resolution: durations })),
  })
  .meta({ id: 'TimesReport', description: 'First reply (tickets first answered in the period) and full resolution (solved in the period): medians and 90th percentiles in business and calendar time; the reopen rate of the solved.' });

export const volumeReportResponse = z
  .object({
    ...period,
    perBucket: z.array(z.object({ bucket, created: count, solved: count })),
    backlog: z.array(z.object({ age: z.string(), label: z.string(), new: count, open: count, pending: count, on_hold: count, total: count })),
  })
  .meta({ id: 'VolumeReport', description: 'Created and solved per day or week; the backlog now by age and status.' });

export const agentsReportResponse = z
  .object({
    ...period,
    agents: z.array(z.object({ agent: z.string(), solved: count, firstReplies: count, ...achievement, csatRatings: count, csatPositive: count, csatScorePercent: percent })),
  })
  .meta({ id: 'AgentsReport', description: 'By assignee: solved, first replies written, SLA achievement of their tickets, CSAT (ratings of 4–5 ÷ all).' });

export const incidentsReportResponse = z
  .object({
    ...period,
    series: z.array(z.object({ bucket, severity: z.enum(INCIDENT_SEVERITIES), incidents: count, acknowledged: count, mttaSeconds: seconds, resolved: count, mttrSeconds: seconds })),
    bySeverity: z.array(z.object({ severity: z.enum(INCIDENT_SEVERITIES), incidents: count, mttaSeconds: seconds, mttrSeconds: seconds })),
    postmortemsOverdue: z.array(z.object({ incidentId: z.uuid(), number: z.string(), title: z.string(), severity: z.string(), resolvedAt: instant, dueAt: instant })),
  })
  .meta({ id: 'IncidentsReport', description: 'MTTA and MTTR by severity, per day or week of declaration; post-mortems owed past their first reminder.' });

const RESPONSES = { sla: slaReportResponse, times: timesReportResponse, volume: volumeReportResponse, agents: agentsReportResponse, incidents: incidentsReportResponse } as const;
const staff = ['admin', 'agent'] as const;

export const REPORT_OPERATIONS: readonly Operation[] = [
  ...REPORT_NAMES.map(
    (name): Operation => ({ method: 'get', path: `/reports/${name}`, tag: 'reports', roles: staff, summary: `The ${name} report`, query: reportQuery, success: { 200: { description: 'over [from, to), by default the last 30 days', schema: RESPONSES[name] } } }),
  ),
  {
    method: 'get', path: '/reports/:report/:table.csv', tag: 'reports', roles: staff, summary: "One of a report's tables as CSV (the table the console prints)", params: { report: reportName, table: tableName }, query: reportQuery,
    description: 'sla: totals, series, by-policy, by-priority, by-tier, by-organization, breaches; times: summary, series; volume: created-solved, backlog; agents: agents; incidents: by-severity, series, postmortems-overdue. A table the report lacks is a 404.',
    success: { 200: { description: 'RFC 4180 CSV with a header row', contentType: 'text/csv', schema: z.string() } },
  },
];
