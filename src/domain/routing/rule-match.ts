/**
 * Which routing rule a ticket falls under: the first enabled rule, in order, whose every
 * present condition matches. Pure (no I/O), so intake, the console's preview and the tests
 * evaluate it alike.
 *
 * A condition is a list; the ticket matches it when its value is one of the list's values.
 * An absent or empty list places no condition. A ticket without the value a condition asks
 * about (no category, no known language) does not match that condition. Priorities, tiers,
 * channels and organizations compare exactly (they are names the API normalises); categories
 * compare without case or surrounding space; languages by their primary subtag, so a rule for
 * `en` takes `en-GB`; subject words are whole words (or phrases of whole words) in any case.
 */
import type { RequiredSkill, RoutingConditions } from '../../db/schema';

/** What a rule looks at in a ticket. */
export interface RoutableTicket {
  organizationId: string;
  tier: string;
  priority: string;
  category: string | null;
  channel: string;
  language: string | null;
  subject: string;
}

/** The part of a rule the matcher reads (a repository row maps onto it; see ruleOfRow). */
export interface MatchableRule {
  id: string;
  name: string;
  enabled: boolean;
  conditions: RoutingConditions;
  groupId: string;
  requiredSkills: RequiredSkill[];
}

export interface RuleMatch<R extends MatchableRule> {
  rule: R;
  groupId: string;
  requiredSkills: RequiredSkill[];
}

/** The ticket's words, lower case, in order: letters and digits of any script, split at everything else. */
export function wordsOf(text: string): string[] {
  return text.toLocaleLowerCase('en-US').match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
}

/** Whether `phrase` (one word or several) occurs in `words` as whole consecutive words. */
function containsPhrase(words: readonly string[], phrase: string): boolean {
  const wanted = wordsOf(phrase);
  if (wanted.length === 0) return false;
  for (let i = 0; i + wanted.length <= words.length; i++) {
    if (wanted.every((w, j) => words[i + j] === w)) return true;
  }
  return false;
}

const primaryLanguage = (tag: string) => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
const categoryKey = (c: string) => c.trim().toLocaleLowerCase('en-US');

/** A list that places a condition: present and not empty. */
const active = (list: readonly string[] | undefined): list is readonly string[] => list !== undefined && list.length > 0;

/** Whether the ticket meets every condition present. */
export function conditionsMatch(c: RoutingConditions, t: RoutableTicket): boolean {
  if (active(c.organizationIds) && !c.organizationIds.includes(t.organizationId)) return false;
  if (active(c.tiers) && !c.tiers.includes(t.tier)) return false;
  if (active(c.priorities) && !c.priorities.includes(t.priority)) return false;
  if (active(c.channels) && !c.channels.includes(t.channel)) return false;
  if (active(c.categories)) {
    if (t.category === null || !c.categories.some((x) => categoryKey(x) === categoryKey(t.category!))) return false;
  }
  if (active(c.languages)) {
    const lang = t.language === null ? '' : primaryLanguage(t.language);
    if (lang === '' || !c.languages.some((x) => primaryLanguage(x) === lang)) return false;
  }
  if (active(c.subjectWords)) {
    const words = wordsOf(t.subject);
    if (!c.subjectWords.some((w) => containsPhrase(words, w))) return false;
  }
  return true;
}

/** The first enabled rule, in the order given, whose conditions the ticket meets; null when none does. */
export function matchRule<R extends MatchableRule>(rules: readonly R[], ticket: RoutableTicket): RuleMatch<R> | null {
  for (const rule of rules) {
    if (rule.enabled && conditionsMatch(rule.conditions, ticket)) return { rule, groupId: rule.groupId, requiredSkills: rule.requiredSkills };
  }
  return null;
}
