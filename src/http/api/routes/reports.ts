/**
 * /api/v1/reports: the reports agents and admins read (src/domain/reports), as JSON, and each
 * of their tables as CSV (`/reports/:report/:table.csv`), the same tables the console prints.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../../db/schema';
import { readReport, REPORT_NAMES, REPORT_TABLES, type ReportName } from '../../../domain/reports/report-tables';
import { requireRole } from '../../kit/auth';
import { csvDisposition, tableCsv } from '../../kit/csv';
import { periodOf, reportQuery } from '../../kit/report-query';
import { parse } from '../../kit/validation';
import { PacerError } from '../../../core/errors';

export const reportName = z.enum(REPORT_NAMES);
export const tableName = z.enum([...new Set(Object.values(REPORT_TABLES).flat())] as [string, ...string[]]);

export function reportRoutes(db: Db): Router {
  const r = Router();
  r.use(requireRole('admin', 'agent'));
  const json = (name: ReportName) => async (req: Request, res: Response) => {
    const { period, filters } = periodOf(parse(reportQuery, req.query, 'query'));
    const report = await readReport(db, name, period, filters);
    res.json({ from: period.from.toISOString(), to: period.to.toISOString(), zone: period.zone, interval: period.interval, ...report.data });
  };
  for (const name of REPORT_NAMES) r.get(`/${name}`, json(name));
  r.get('/:report/:table.csv', async (req, res) => {
    const report = parse(reportName, req.params.report, 'params');
    const table = parse(tableName, req.params.table, 'params');
    if (!REPORT_TABLES[report].includes(table)) throw new PacerError('not_found', 'not_found', `the ${report} report has no table ${table}`, [{ path: 'table', message: `one of ${REPORT_TABLES[report].join(', ')}` }]);
    const { period, filters } = periodOf(parse(reportQuery, req.query, 'query'));
    const loaded = await readReport(db, report, period, filters);
    res.type('text/csv; charset=utf-8').set('Content-Disposition', csvDisposition(report, table)).send(tableCsv(loaded.tables.find((t) => t.id === table)!));
  });
  return r;
}
