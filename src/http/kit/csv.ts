/**
 * A report table as CSV (RFC 4180, by csv-stringify): a header row of the column names, then
 * one line per row; an empty cell is a missing value. Both the API and the console export
 * through here, so the files are the same.
 */
import { stringify } from 'csv-stringify/sync';
import type { ReportTable } from '../../domain/reports/report-tables';

export function tableCsv(table: ReportTable): string {
  return stringify(table.rows, { header: true, columns: table.columns, record_delimiter: 'windows', cast: { number: (n) => String(n) } });
}

/** `Content-Disposition` for a download named after the report and table. */
export function csvDisposition(report: string, table: string): string {
  return `attachment; filename="pacer-${report}-${table}.csv"`;
}
