/**
 * Routing rules: kept in evaluation order; each sends the tickets it matches to a group with
 * the skills they need. Here are the checks that need the store (the group, organizations and
 * tiers a rule names exist; a reorder names every rule once) and the order's upkeep.
 */
import crypto from 'node:crypto';
import type { Db, RoutingRuleRow } from '../../db/schema';
import { deleteRoutingRule, findRoutingRule, insertRoutingRule, listRoutingRules, lockRuleOrder, setRuleOrder, updateRoutingRule, type RoutingRuleFields } from '../../db/repositories/routing-rules';
import { findRoutingGroup } from '../../db/repositories/routing-groups';
import { organizationExists, tierExists } from '../../db/repositories/organizations';
import { InvalidInput, NotFound, type FieldProblem } from '../../core/errors';
import type { MatchableRule } from './rule-match';

export type RoutingRuleInput = RoutingRuleFields;

/** A stored rule as the matcher reads it. */
export const ruleOfRow = (r: RoutingRuleRow): MatchableRule => ({ id: r.id, name: r.name, enabled: r.enabled, conditions: r.conditions, groupId: r.group_id, requiredSkills: r.required_skills });

async function checkReferences(db: Db, input: RoutingRuleInput): Promise<void> {
  const problems: FieldProblem[] = [];
  if (!(await findRoutingGroup(db, input.groupId))) problems.push({ path: 'groupId', message: 'no such routing group' });
  for (const [i, id] of (input.conditions.organizationIds ?? []).entries()) {
    if (!(await organizationExists(db, id))) problems.push({ path: `conditions.organizationIds.${i}`, message: 'no such organization' });
  }
  for (const [i, tier] of (input.conditions.tiers ?? []).entries()) {
    if (!(await tierExists(db, tier))) problems.push({ path: `conditions.tiers.${i}`, message: 'no such tier' });
  }
  if (problems.length > 0) throw new InvalidInput(`invalid body: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

/** Appends the rule at the end of the order. */
export async function createRoutingRule(db: Db, input: RoutingRuleInput): Promise<RoutingRuleRow> {
  await checkReferences(db, input);
  return db.transaction().execute(async (tx) => {
    await lockRuleOrder(tx);
    return insertRoutingRule(tx, crypto.randomUUID(), input);
  });
}

export async function editRoutingRule(db: Db, id: string, input: RoutingRuleInput): Promise<RoutingRuleRow> {
  if (!(await findRoutingRule(db, id))) throw new NotFound('routing rule');
  await checkReferences(db, input);
  const r = await updateRoutingRule(db, id, input);
  if (!r) throw new NotFound('routing rule');
  return r;
}

export async function removeRoutingRule(db: Db, id: string): Promise<void> {
  const gone = await db.transaction().execute(async (tx) => {
    await lockRuleOrder(tx);
    return deleteRoutingRule(tx, id);
  });
  if (!gone) throw new NotFound('routing rule');
}

/** Puts the rules in this order; the list must name every rule exactly once (a stale list is refused, not guessed at). */
export async function reorderRoutingRules(db: Db, ruleIds: string[]): Promise<RoutingRuleRow[]> {
  await db.transaction().execute(async (tx) => {
    await lockRuleOrder(tx);
    const existing = new Set((await listRoutingRules(tx)).map((r) => r.id));
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    for (const [i, id] of ruleIds.entries()) {
      if (!existing.has(id)) problems.push({ path: `ruleIds.${i}`, message: 'no such routing rule' });
      else if (seen.has(id)) problems.push({ path: `ruleIds.${i}`, message: 'named twice' });
      seen.add(id);
    }
    const missing = [...existing].filter((id) => !seen.has(id));
    if (missing.length > 0) problems.push({ path: 'ruleIds', message: `must name every rule; missing ${missing.join(', ')}` });
    if (problems.length > 0) throw new InvalidInput(`invalid body: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
    await setRuleOrder(tx, ruleIds);
  });
  return listRoutingRules(db);
}
