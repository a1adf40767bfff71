/**
 * A statement as CSV for an account manager's spreadsheet: one row per section line (the
 * achievement per clock and priority, each breach with its exclusion, each credit line, the
 * cap and the total), the section in the first column so one sheet holds all of it.
 */
import { stringify } from 'csv-stringify/sync';
import type { StatementBody } from './statement';

export function statementCsv(s: StatementBody): string {
  const rows: string[][] = [['section', 'period', 'clock', 'priority', 'ticket', 'due_at', 'measured', 'met', 'breached', 'excluded', 'achievement_percent', 'description', 'credit_percent', 'amount', 'currency']];
  const row = (section: string, f: Partial<Record<'clock' | 'priority' | 'ticket' | 'dueAt' | 'measured' | 'met' | 'breached' | 'excluded' | 'achievement' | 'description' | 'creditPercent' | 'amount', string | number | null>>) =>
    rows.push([section, s.period.key, ...(['clock', 'priority', 'ticket', 'dueAt', 'measured', 'met', 'breached', 'excluded', 'achievement', 'description', 'creditPercent', 'amount'] as const).map((k) => String(f[k] ?? '')), s.currency]);
  for (const a of s.achievement) row('achievement', { clock: a.clock, priority: a.priority, measured: a.measured, met: a.met, breached: a.breached, excluded: a.excluded, achievement: a.achievementPercent });
  for (const b of s.breaches) row(b.late ? 'late_breach' : 'breach', { clock: b.clock, priority: b.priority, ticket: b.number, dueAt: b.dueAt, excluded: b.excluded ? b.excluded.reason : '', description: b.excluded?.note ?? '' });
  for (const l of s.lines) row('credit', { clock: l.clock, priority: l.priority ?? 'any', description: l.description, creditPercent: l.creditPercent, amount: l.amount });
  if (s.cap) row('cap', { description: s.capped ? 'credits capped' : 'cap not reached', creditPercent: s.cap.percent, amount: s.cap.amount });
  row('total', { description: `${s.status} statement; subtotal ${s.subtotal}`, amount: s.total });
  return stringify(rows);
}
