/**
 * A statement, computed: from the clocks a period measured (each met or breached once, keyed
 * by ticket, clock and cycle) and the contract's rules, the achievement per clock and priority,
 * one credit line per rule that produced money, the cap, and the total — all in integers.
 * Pure, so the draft a manager reads mid-period and the final one the close freezes are the
 * same function of the same facts.
 */
import type { CreditClock, CreditRule, ExclusionReason } from './credit-rules';
import { achievementBp, formatAmount, formatPercent, isBelow, shareOf } from './money';
import type { Period } from './periods';

/** One clock of one ticket in the period: breached (at its due instant) or met (at its met instant). */
export interface ClockOutcome {
  ticketId: string;
  number: string;
  clock: CreditClock;
  cycle: number;
  priority: string;
  /** The `sla.breached` event's id when breached; null when met in time. */
  breachEventId: string | null;
  /** Due instant of a breach, met instant otherwise: what places it in a period. */
  at: Date;
  exclusion: { reason: ExclusionReason; note: string | null; by: string; at: Date } | null;
  /** A breach of the previous period that reached the log after its statement was frozen. */
  late?: boolean;
}

export interface StatementTerms {
  contractId: string;
  organizationId: string;
  currency: string;
  feeMinor: bigint;
  rules: CreditRule[];
  capBp: number | null;
  timezone: string;
}

export interface StatementLine {
  rule: number;
  description: string;
  clock: CreditClock;
  priority: string | null;
  breaches?: number;
  achievementPercent?: string;
  creditPercent: string;
  amount: string;
}

export interface ClockAchievement {
  clock: CreditClock;
  priority: string;
  measured: number;
  met: number;
  breached: number;
  excluded: number;
  /** met ÷ measured, two decimals (rounded down); null when nothing was measured. */
  achievementPercent: string | null;
}

export interface StatementBody {
  contractId: string;
  organizationId: string;
  period: { key: string; start: string; end: string; timezone: string };
  status: 'draft' | 'final';
  currency: string;
  fee: string;
  achievement: ClockAchievement[];
  breaches: Array<{
    eventId: string; ticketId: string; number: string; clock: CreditClock; cycle: number; priority: string; dueAt: string; late: boolean;
    excluded: { reason: ExclusionReason; note: string | null; by: string; at: string } | null;
  }>;
  lines: StatementLine[];
  subtotal: string;
  cap: { percent: string; amount: string } | null;
  capped: boolean;
  total: string;
  computedAt: string;
}

const clockLabel = (c: CreditClock) => c.replace('_', ' ');
const matches = (rule: { clock: CreditClock; priority: string | null }, o: ClockOutcome) => rule.clock === o.clock && (rule.priority === null || rule.priority === o.priority);

export function computeStatement(terms: StatementTerms, period: Period, outcomes: ClockOutcome[], status: 'draft' | 'final', now: Date): StatementBody {
  const counted = outcomes.filter((o) => o.exclusion === null);
  const breaches = counted.filter((o) => o.breachEventId !== null);
  const lines: StatementLine[] = [];
  const amounts: bigint[] = [];
  const fee = terms.feeMinor;
  const credit = (line: Omit<StatementLine, 'amount'>, minor: bigint) => {
    lines.push({ ...line, amount: formatAmount(minor, terms.currency) });
    amounts.push(minor);
  };

  // Per-breach rules: the first matching rule credits each breach.
  const perRule = new Map<number, number>();
  for (const b of breaches) {
    const i = terms.rules.findIndex((r) => r.kind === 'per_breach' && matches(r, b));
    if (i >= 0) perRule.set(i, (perRule.get(i) ?? 0) + 1);
  }
  terms.rules.forEach((rule, i) => {
    const priority = rule.priority === null ? 'any priority' : rule.priority;
    if (rule.kind === 'per_breach') {
      const n = perRule.get(i) ?? 0;
      if (n === 0) return;
      credit({
        rule: i, clock: rule.clock, priority: rule.priority, breaches: n, creditPercent: formatPercent(rule.creditBp * n),
        description: `${n} ${clockLabel(rule.clock)} breach${n === 1 ? '' : 'es'} (${priority}) × ${formatPercent(rule.creditBp)}%`,
      }, shareOf(fee, rule.creditBp, n));
      return;
    }
    // Late breaches were measured with their own period; achievement is this period's alone.
    const measured = counted.filter((o) => !o.late && matches(rule, o));
    if (measured.length === 0) return;
    const met = measured.filter((o) => o.breachEventId === null).length;
    const hit = rule.tiers.filter((t) => isBelow(met, measured.length, t.belowBp)).sort((a, b) => b.creditBp - a.creditBp)[0];
    if (!hit) return;
    const achieved = formatPercent(achievementBp(met, measured.length));
    credit({
      rule: i, clock: rule.clock, priority: rule.priority, achievementPercent: achieved, creditPercent: formatPercent(hit.creditBp),
      description: `${clockLabel(rule.clock)} (${priority}) achieved ${achieved}%, below ${formatPercent(hit.belowBp)}% → ${formatPercent(hit.creditBp)}%`,
    }, shareOf(fee, hit.creditBp));
  });

  const subtotal = amounts.reduce((sum, a) => sum + a, 0n);
  const capMinor = terms.capBp === null ? null : shareOf(fee, terms.capBp);
  const capped = capMinor !== null && subtotal > capMinor;
  return {
    contractId: terms.contractId,
    organizationId: terms.organizationId,
    period: { key: period.key, start: period.start.toISOString(), end: period.end.toISOString(), timezone: terms.timezone },
    status,
    currency: terms.currency,
    fee: formatAmount(fee, terms.currency),
    achievement: achievementOf(outcomes.filter((o) => !o.late)),
    breaches: outcomes
      .filter((o) => o.breachEventId !== null)
      .map((o) => ({
        eventId: o.breachEventId!, ticketId: o.ticketId, number: o.number, clock: o.clock, cycle: o.cycle, priority: o.priority, dueAt: o.at.toISOString(), late: o.late === true,
        excluded: o.exclusion && { reason: o.exclusion.reason, note: o.exclusion.note, by: o.exclusion.by, at: o.exclusion.at.toISOString() },
      })),
    lines,
    subtotal: formatAmount(subtotal, terms.currency),
    cap: capMinor === null ? null : { percent: formatPercent(terms.capBp!), amount: formatAmount(capMinor, terms.currency) },
    capped,
    total: formatAmount(capped ? capMinor : subtotal, terms.currency),
    computedAt: now.toISOString(),
  };
}

function achievementOf(outcomes: ClockOutcome[]): ClockAchievement[] {
  const groups = new Map<string, ClockAchievement>();
  for (const o of outcomes) {
    const key = `${o.clock}\u0000${o.priority}`;
    const g = groups.get(key) ?? { clock: o.clock, priority: o.priority, measured: 0, met: 0, breached: 0, excluded: 0, achievementPercent: null };
    if (o.exclusion !== null) g.excluded++;
    else {
      g.measured++;
      if (o.breachEventId === null) g.met++;
      else g.breached++;
    }
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, achievementPercent: g.measured === 0 ? null : formatPercent(achievementBp(g.met, g.measured)) }))
    .sort((a, b) => a.clock.localeCompare(b.clock) || a.priority.localeCompare(b.priority));
}
