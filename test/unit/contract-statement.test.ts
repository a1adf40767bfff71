/**
 * A statement from known outcomes: per-breach credits by the first matching rule, achievement
 * tiers, exclusions left out of both, late breaches credited but not measured, and the cap.
 */
import assert from 'node:assert/strict';
import type { CreditRule } from '../../src/domain/contracts/credit-rules';
import { computeStatement, type ClockOutcome, type StatementTerms } from '../../src/domain/contracts/statement';

const period = { key: '2026-11', start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') };
let n = 0;
function outcome(clock: ClockOutcome['clock'], priority: string, breached: boolean, extra: Partial<ClockOutcome> = {}): ClockOutcome {
  n += 1;
  return { ticketId: `t${n}`, number: `TKT-${n}`, clock, cycle: 0, priority, breachEventId: breached ? `t${n}:sla:${clock}:0:100` : null, at: new Date('2026-11-10T00:00:00Z'), exclusion: null, ...extra };
}
const terms = (rules: CreditRule[], capBp: number | null = null): StatementTerms => ({ contractId: 'c', organizationId: 'o', currency: 'USD', feeMinor: 100_000n, rules, capBp, timezone: 'UTC' });
const now = new Date('2026-11-20T00:00:00Z');

describe('contracts: a statement from known outcomes', () => {
  const perBreach: CreditRule[] = [
    { kind: 'per_breach', clock: 'resolution', priority: 'urgent', creditBp: 500 },
    { kind: 'per_breach', clock: 'resolution', priority: null, creditBp: 200 },
    { kind: 'per_breach', clock: 'first_response', priority: null, creditBp: 200 },
  ];

  it('credits each breach by the first rule that matches it, and no line for a rule with none', () => {
    const s = computeStatement(terms(perBreach), period, [outcome('resolution', 'urgent', true), outcome('resolution', 'urgent', true), outcome('resolution', 'high', true), outcome('resolution', 'high', false)], 'draft', now);
    assert.deepEqual(s.lines.map((l) => [l.rule, l.breaches, l.creditPercent, l.amount]), [[0, 2, '10.00', '100.00'], [1, 1, '2.00', '20.00']]);
    assert.equal(s.subtotal, '120.00');
    assert.equal(s.total, '120.00');
    assert.equal(s.capped, false);
  });

  it('caps the total at the contract\'s share of the fee', () => {
    const s = computeStatement(terms(perBreach, 1_000), period, [outcome('resolution', 'urgent', true), outcome('resolution', 'urgent', true), outcome('resolution', 'high', true)], 'final', now);
    assert.equal(s.subtotal, '120.00');
    assert.deepEqual(s.cap, { percent: '10.00', amount: '100.00' });
    assert.equal(s.capped, true);
    assert.equal(s.total, '100.00');
    assert.equal(s.status, 'final');
  });

  it('an achievement rule credits its largest tier whose threshold the period is under', () => {
    const rules: CreditRule[] = [{ kind: 'achievement', clock: 'first_response', priority: null, tiers: [{ belowBp: 9_900, creditBp: 1_000 }, { belowBp: 9_500, creditBp: 2_500 }] }];
    const clocks = (met: number, breached: number) => [...Array.from({ length: met }, () => outcome('first_response', 'high', false)), ...Array.from({ length: breached }, () => outcome('first_response', 'high', true))];
    assert.deepEqual(computeStatement(terms(rules), period, clocks(99, 1), 'draft', now).lines, [], '99% is not below 99%');
    const ten = computeStatement(terms(rules), period, clocks(97, 3), 'draft', now);
    assert.deepEqual(ten.lines.map((l) => [l.achievementPercent, l.creditPercent, l.amount]), [['97.00', '10.00', '100.00']]);
    const quarter = computeStatement(terms(rules), period, clocks(9, 1), 'draft', now);
    assert.deepEqual(quarter.lines.map((l) => [l.achievementPercent, l.creditPercent, l.amount]), [['90.00', '25.00', '250.00']]);
    assert.deepEqual(quarter.achievement, [{ clock: 'first_response', priority: 'high', measured: 10, met: 9, breached: 1, excluded: 0, achievementPercent: '90.00' }]);
    assert.deepEqual(computeStatement(terms(rules), period, [], 'draft', now).lines, [], 'nothing measured, nothing credited');
  });

  it('an excluded breach is neither credited nor measured; a late one is credited but not measured', () => {
    const rules: CreditRule[] = [...perBreach, { kind: 'achievement', clock: 'resolution', priority: null, tiers: [{ belowBp: 9_000, creditBp: 1_000 }] }];
    const excluded = outcome('resolution', 'urgent', true, { exclusion: { reason: 'customer_caused', note: 'waited on them', by: 'lee', at: now } });
    const late = outcome('resolution', 'high', true, { late: true, at: new Date('2026-10-31T23:00:00Z') });
    const s = computeStatement(terms(rules), period, [excluded, late, outcome('resolution', 'high', false)], 'draft', now);
    assert.deepEqual(s.lines.map((l) => [l.rule, l.breaches, l.amount]), [[1, 1, '20.00']], 'only the late breach, at 2%; achievement 1 of 1 met');
    assert.deepEqual(s.achievement, [
      { clock: 'resolution', priority: 'high', measured: 1, met: 1, breached: 0, excluded: 0, achievementPercent: '100.00' },
      { clock: 'resolution', priority: 'urgent', measured: 0, met: 0, breached: 0, excluded: 1, achievementPercent: null },
    ]);
    assert.deepEqual(s.breaches.map((b) => [b.late, b.excluded?.reason ?? null]), [[false, 'customer_caused'], [true, null]]);
  });
});
