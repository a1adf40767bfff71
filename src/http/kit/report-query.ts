/**
 * The query every report takes (API and console alike): the period [from, to) with the time
 * zone its days and weeks are cut in, the bucket size, and optional filters. The period is
 * bounded (MAX_REPORT_SPAN_DAYS) once defaults are applied: the last 30 days up to now.
 */
import { z } from 'zod';
import type { ReportFilters, ReportPeriod } from '../../domain/reports/reports';
import { isoInstant, MAX_REPORT_SPAN_DAYS, priority, safeString, uuid } from './schemas';
import { InvalidInput } from '../../core/errors';

const DAY_MS = 86_400_000;
export const DEFAULT_REPORT_DAYS = 30;

function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const reportQuery = z.strictObject({
  from: isoInstant().optional().describe(`start of the period (inclusive); default ${DEFAULT_REPORT_DAYS} days before to`),
  to: isoInstant().optional().describe('end of the period (exclusive); default now'),
  zone: safeString().max(64).refine(isTimeZone, 'not an IANA time zone').default('UTC').describe('IANA time zone the days and weeks are cut in'),
  interval: z.enum(['day', 'week']).default('day'),
  organizationId: uuid.optional(),
  priority: priority.optional(),
  tier: safeString().trim().min(1).max(100).optional(),
  policyId: uuid.optional(),
});

export type ReportQuery = z.infer<typeof reportQuery>;

/** The period and filters of a parsed query; a 400 naming the field when the period is empty or too wide. */
export function periodOf(q: ReportQuery, now = Date.now()): { period: ReportPeriod; filters: ReportFilters } {
  const to = q.to ? new Date(q.to) : new Date(now);
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_REPORT_DAYS * DAY_MS);
  if (from >= to) throw new InvalidInput('from must be before to', [{ path: 'from', message: 'must be before to' }]);
  if (to.getTime() - from.getTime() > MAX_REPORT_SPAN_DAYS * DAY_MS) {
    throw new InvalidInput(`the period may cover at most ${MAX_REPORT_SPAN_DAYS} days`, [{ path: 'from', message: `at most ${MAX_REPORT_SPAN_DAYS} days before to` }]);
  }
  const filters: ReportFilters = {
    ...(q.organizationId && { organizationId: q.organizationId }),
    ...(q.priority && { priority: q.priority }),
    ...(q.tier && { tier: q.tier }),
    ...(q.policyId && { policyId: q.policyId }),
  };
  return { period: { from, to, zone: q.zone, interval: q.interval }, filters };
}
