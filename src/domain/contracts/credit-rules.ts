/**
 * What a contract credits, as data: rules checked field by field at the edge
 * (src/http/api/routes/contracts.ts), stored as JSON, applied by statement.ts.
 * - `per_breach`: each breach of `clock` (of `priority`, or any) credits `creditBp` of the
 *   period's fee. A breach is credited by the first per-breach rule in the list that matches
 *   it, so "urgent resolution 5%, then any resolution 2%" reads as written.
 * - `achievement`: when met ÷ measured for `clock` (and `priority`) over the period is below a
 *   tier's `belowBp`, the period credits that tier's `creditBp` (the largest such credit).
 * The contract's cap bounds the period's total.
 */
export const CREDIT_CLOCKS = ['first_response', 'resolution', 'next_reply'] as const;
export type CreditClock = (typeof CREDIT_CLOCKS)[number];
/** Clocks whose met instants the event log records, so their achievement can be measured. */
export const MEASURED_CLOCKS = ['first_response', 'resolution'] as const;
export type MeasuredClock = (typeof MEASURED_CLOCKS)[number];

export interface PerBreachRule {
  kind: 'per_breach';
  clock: CreditClock;
  /** null: any priority. */
  priority: string | null;
  creditBp: number;
}

export interface AchievementTier {
  belowBp: number;
  creditBp: number;
}

export interface AchievementRule {
  kind: 'achievement';
  clock: MeasuredClock;
  priority: string | null;
  tiers: AchievementTier[];
}

export type CreditRule = PerBreachRule | AchievementRule;

export const EXCLUSION_REASONS = ['customer_caused', 'planned_maintenance', 'force_majeure', 'duplicate'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];
