/**
 * Contracts and service credits: an organization's terms, its statements (a draft computed
 * from the event log while a period runs, the frozen one once it closed) and the breaches a
 * manager excludes. A closed period never changes: an exclusion or its undo that would alter
 * it is refused, and a breach that reached the log after its period closed (a worker down at
 * the period's end) is carried into the next statement as a late line.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/schema';
import { PacerError } from '../../core/errors';
import type { Principal } from '../../core/principal';
import {
  appendBookkeepingEvents, breachesOfIncident, clockFacts, findBreachEvent, findContract, findContractOfOrganization, findExclusion, findStatement,
  insertExclusion, insertStatement, lastClosedEnd, liveExclusions, listStatements, markExclusionUndone, upsertContract,
  type BreachEventRow, type ContractFields, type ContractRow, type ExclusionRow,
} from '../../db/repositories/contracts';
import { exclusionEventId } from '../../../workflows/contract/events';
import type { ClockName } from '../../../workflows/contract/ticket';
import { clockOutcomes } from './clock-outcomes';
import type { CreditRule, ExclusionReason } from './credit-rules';
import { formatAmount, formatPercent } from './money';
import { nthPeriod, periodByKey, periodContaining, type Period, type PeriodKind, type PeriodTerms } from './periods';
import { computeStatement, type ClockOutcome, type StatementBody, type StatementTerms } from './statement';

export interface ContractView {
  id: string;
  organizationId: string;
  period: PeriodKind;
  timezone: string;
  currency: string;
  fee: string;
  startsOn: string;
  rules: CreditRule[];
  capPercent: string | null;
  customerVisible: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Who closes periods on time: the contract's period workflow (started or woken on every save). */
export interface PeriodCloser {
  ensure(contractId: string): Promise<void>;
}

const termsOf = (c: ContractRow): PeriodTerms => ({ period: c.period as PeriodKind, timezone: c.timezone, startsOn: c.starts_on });
const statementTerms = (c: ContractRow): StatementTerms => ({
  contractId: c.id, organizationId: c.organization_id, currency: c.currency, feeMinor: BigInt(c.fee_minor), rules: c.rules as CreditRule[], capBp: c.cap_bp, timezone: c.timezone,
});

export function contractView(c: ContractRow): ContractView {
  return {
    id: c.id, organizationId: c.organization_id, period: c.period as PeriodKind, timezone: c.timezone, currency: c.currency, fee: formatAmount(BigInt(c.fee_minor), c.currency),
    startsOn: c.starts_on, rules: c.rules as CreditRule[], capPercent: c.cap_bp === null ? null : formatPercent(c.cap_bp), customerVisible: c.customer_visible,
    createdAt: c.created_at.toISOString(), updatedAt: c.updated_at.toISOString(),
  };
}

export interface ExclusionInput {
  reason: ExclusionReason;
  note: string | null;
}

export class ContractService {
  constructor(
    private readonly db: Db,
    private readonly closer: PeriodCloser | null,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(organizationId: string, fields: ContractFields): Promise<ContractView> {
    const row = await upsertContract(this.db, randomUUID(), organizationId, fields);
    // The period workflow re-reads the terms; a lost wake-up is made good by the worker's start-up pass.
    await this.closer?.ensure(row.id);
    return contractView(row);
  }

  async get(organizationId: string): Promise<ContractView> {
    return contractView(await this.contractOf(organizationId));
  }

  /** The periods of a contract up to the running one, newest first, each draft or final. */
  async periods(organizationId: string): Promise<Array<{ key: string; start: string; end: string; status: 'draft' | 'final'; closedAt: string | null }>> {
    const c = await this.contractOf(organizationId);
    const closed = new Map((await listStatements(this.db, c.id)).map((s) => [s.period_key, s]));
    const out = [];
    for (let n = 0; ; n++) {
      const p = nthPeriod(termsOf(c), n);
      if (p.start > this.now()) break;
      const s = closed.get(p.key);
      out.push({ key: p.key, start: p.start.toISOString(), end: p.end.toISOString(), status: s ? ('final' as const) : ('draft' as const), closedAt: s ? s.closed_at.toISOString() : null });
    }
    return out.reverse();
  }

  /** A period's statement ("current" = the one running now): frozen if closed, else computed now. */
  async statement(organizationId: string, periodKey: string): Promise<StatementBody> {
    const c = await this.contractOf(organizationId);
    const p = periodKey === 'current' ? periodContaining(termsOf(c), this.now()) : periodByKey(termsOf(c), periodKey);
    if (!p) throw new PacerError('not_found', 'not_found', `no period "${periodKey}" in this contract (it starts ${c.starts_on}, ${c.period})`);
    const frozen = await findStatement(this.db, c.id, p.start);
    if (frozen) return frozen.body as StatementBody;
    return this.compute(c, p, 'draft');
  }

  /** The first period not yet closed, or null when the contract is gone. */
  async nextOpenPeriod(contractId: string): Promise<Period | null> {
    const c = await findContract(this.db, contractId);
    if (!c) return null;
    const last = await lastClosedEnd(this.db, c.id);
    return last === null ? nthPeriod(termsOf(c), 0) : periodContaining(termsOf(c), last);
  }

  /**
   * Freezes the period starting at `start` once its end has passed by `asOf` (the period
   * workflow's clock, whose timer decided it is time); a repeat is harmless.
   */
  async closePeriod(contractId: string, start: Date, asOf: Date): Promise<'closed' | 'already_closed' | 'not_due' | 'no_contract'> {
    const c = await findContract(this.db, contractId);
    if (!c) return 'no_contract';
    const p = periodContaining(termsOf(c), start);
    if (!p || p.start.getTime() !== start.getTime()) return 'not_due';
    if (p.end > asOf) return 'not_due';
    const body = await this.compute(c, p, 'final', asOf);
    const inserted = await insertStatement(this.db, { contract_id: c.id, period_start: p.start, period_end: p.end, period_key: p.key, organization_id: c.organization_id, body });
    return inserted ? 'closed' : 'already_closed';
  }

  async exclude(principal: Principal, breachEventId: string, input: ExclusionInput, incidentId: string | null = null): Promise<ExclusionRow> {
    const breach = await findBreachEvent(this.db, breachEventId);
    if (!breach) throw new PacerError('not_found', 'not_found', `no breach "${breachEventId}"`);
    await this.refuseIfClosed(breach);
    const id = randomUUID();
    const data = breachData(breach);
    try {
      await this.db.transaction().execute(async (trx) => {
        await insertExclusion(trx, { id, breach_event_id: breach.id, ticket_id: breach.ticket_id, reason: input.reason, note: input.note, incident_id: incidentId, excluded_by: principal.name });
        await appendBookkeepingEvents(trx, breach.ticket_id, [{
          id: exclusionEventId(breach.ticket_id, id, 'excluded'), type: 'sla.breach_excluded', at: this.now().toISOString(), actor: principal.name, visibility: 'internal',
          data: { exclusionId: id, breachEventId: breach.id, clock: data.clock, cycle: data.cycle, reason: input.reason, note: input.note, incidentId },
        }]);
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new PacerError('conflict', 'already_excluded', 'this breach is already excluded; undo that exclusion first');
      throw err;
    }
    return (await findExclusion(this.db, id))!;
  }

  async undo(principal: Principal, exclusionId: string): Promise<ExclusionRow> {
    const x = await findExclusion(this.db, exclusionId);
    if (!x) throw new PacerError('not_found', 'not_found', `no exclusion "${exclusionId}"`);
    const breach = (await findBreachEvent(this.db, x.breach_event_id))!;
    await this.refuseIfClosed(breach);
    const data = breachData(breach);
    await this.db.transaction().execute(async (trx) => {
      if (!(await markExclusionUndone(trx, x.id, principal.name))) throw new PacerError('conflict', 'already_undone', 'this exclusion was already undone');
      await appendBookkeepingEvents(trx, x.ticket_id, [{
        id: exclusionEventId(x.ticket_id, x.id, 'undone'), type: 'sla.breach_exclusion_undone', at: this.now().toISOString(), actor: principal.name, visibility: 'internal',
        data: { exclusionId: x.id, breachEventId: x.breach_event_id, clock: data.clock, cycle: data.cycle, reason: x.reason, note: x.note, incidentId: x.incident_id },
      }]);
    });
    return (await findExclusion(this.db, x.id))!;
  }

  /** Excludes every breach of the incident's linked tickets that is not excluded yet and whose period is open. */
  async excludeIncident(principal: Principal, incidentId: string, input: ExclusionInput): Promise<{ excluded: string[]; skipped: Array<{ breachEventId: string; reason: string }> }> {
    const breaches = await breachesOfIncident(this.db, incidentId);
    const live = await liveExclusions(this.db, breaches.map((b) => b.id));
    const excluded: string[] = [];
    const skipped: Array<{ breachEventId: string; reason: string }> = [];
    for (const b of breaches) {
      if (live.has(b.id)) {
        skipped.push({ breachEventId: b.id, reason: 'already_excluded' });
        continue;
      }
      try {
        excluded.push((await this.exclude(principal, b.id, input, incidentId)).id);
      } catch (err) {
        if (!(err instanceof PacerError) || err.kind !== 'conflict') throw err;
        skipped.push({ breachEventId: b.id, reason: err.code });
      }
    }
    return { excluded, skipped };
  }

  private async contractOf(organizationId: string): Promise<ContractRow> {
    const c = await findContractOfOrganization(this.db, organizationId);
    if (!c) throw new PacerError('not_found', 'not_found', 'this organization has no contract');
    return c;
  }

  private async refuseIfClosed(breach: BreachEventRow): Promise<void> {
    const c = await findContractOfOrganization(this.db, breach.organization_id);
    if (!c) return;
    const p = periodContaining(termsOf(c), new Date(breachData(breach).dueAt));
    if (p && (await findStatement(this.db, c.id, p.start))) {
      throw new PacerError('conflict', 'period_closed', `the breach falls in ${p.key}, whose statement is final; a closed period never changes`);
    }
  }

  private async compute(c: ContractRow, p: Period, status: 'draft' | 'final', asOf = this.now()): Promise<StatementBody> {
    const outcomes: Array<Omit<ClockOutcome, 'exclusion'>> = clockOutcomes(await clockFacts(this.db, c.organization_id, p.start, p.end), p.start, p.end);
    // Breaches of the previous period that its frozen statement does not list reached the log late.
    const previous = periodContaining(termsOf(c), new Date(p.start.getTime() - 1));
    const frozen = previous && (await findStatement(this.db, c.id, previous.start));
    if (previous && frozen) {
      const listed = new Set((frozen.body as StatementBody).breaches.map((b) => b.eventId));
      const before = clockOutcomes(await clockFacts(this.db, c.organization_id, previous.start, previous.end), previous.start, previous.end);
      outcomes.push(...before.filter((o) => o.breachEventId !== null && !listed.has(o.breachEventId)).map((o) => ({ ...o, late: true })));
    }
    const exclusions = await liveExclusions(this.db, outcomes.flatMap((o) => (o.breachEventId ? [o.breachEventId] : [])));
    const withExclusions: ClockOutcome[] = outcomes.map((o) => {
      const x = o.breachEventId ? exclusions.get(o.breachEventId) : undefined;
      return { ...o, exclusion: x ? { reason: x.reason as ExclusionReason, note: x.note, by: x.excluded_by, at: x.excluded_at } : null };
    });
    return computeStatement(statementTerms(c), p, withExclusions, status, asOf);
  }
}

function breachData(b: BreachEventRow): { clock: ClockName; cycle: number; dueAt: string } {
  return b.data as { clock: ClockName; cycle: number; dueAt: string };
}
