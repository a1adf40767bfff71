/**
 * The routing rule evaluator on its own: each condition alone (match, miss, absent, empty),
 * the ticket's missing values, case and subtag rules, whole words and phrases, all conditions
 * together (AND across lists, OR within one), first match in order, disabled rules skipped.
 */
import assert from 'node:assert/strict';
import { conditionsMatch, matchRule, wordsOf, type MatchableRule, type RoutableTicket } from '../../src/domain/routing/rule-match';
import type { RoutingConditions } from '../../src/db/schema';
import { ruleOfRow } from '../../src/domain/routing/routing-rules';

const ORG_A = '00000000-0000-4000-8000-00000000000a';
const ORG_B = '00000000-0000-4000-8000-00000000000b';

const ticket = (over: Partial<RoutableTicket> = {}): RoutableTicket => ({
  organizationId: ORG_A,
  tier: 'enterprise',
  priority: 'high',
  category: 'Billing',
  channel: 'email',
  language: 'de-AT',
  subject: 'Invoice #42 is wrong — refund, please!',
  ...over,
});

let n = 0;
const rule = (conditions: RoutingConditions, over: Partial<MatchableRule> = {}): MatchableRule => ({
  id: `r${++n}`,
  name: `rule ${n}`,
  enabled: true,
  conditions,
  groupId: `g${n}`,
  requiredSkills: [],
  ...over,
});

const matches = (c: RoutingConditions, t = ticket()) => conditionsMatch(c, t);

describe('routing rule evaluator', () => {
  describe('one condition at a time', () => {
    it('no conditions match every ticket', () => {
      assert.equal(matches({}), true);
      assert.equal(matches({}, ticket({ category: null, language: null, subject: '' })), true);
    });
    it('an empty list places no condition', () => {
      assert.equal(matches({ organizationIds: [], tiers: [], priorities: [], categories: [], channels: [], languages: [], subjectWords: [] }), true);
    });
    it('organizations: one of the listed ids', () => {
      assert.equal(matches({ organizationIds: [ORG_B, ORG_A] }), true);
      assert.equal(matches({ organizationIds: [ORG_B] }), false);
    });
    it('tiers: exact names', () => {
      assert.equal(matches({ tiers: ['enterprise'] }), true);
      assert.equal(matches({ tiers: ['professional', 'starter'] }), false);
      assert.equal(matches({ tiers: ['Enterprise'] }), false);
    });
    it('priorities: exact names', () => {
      assert.equal(matches({ priorities: ['urgent', 'high'] }), true);
      assert.equal(matches({ priorities: ['low'] }), false);
    });
    it('channels: exact names', () => {
      assert.equal(matches({ channels: ['email'] }), true);
      assert.equal(matches({ channels: ['chat', 'phone'] }), false);
    });
    it('categories: without case or surrounding space', () => {
      assert.equal(matches({ categories: ['billing'] }), true);
      assert.equal(matches({ categories: ['  BILLING '] }), true);
      assert.equal(matches({ categories: ['bill'] }), false);
      assert.equal(matches({ categories: ['billing'] }, ticket({ category: null })), false);
    });
    it('languages: by primary subtag, either side, any case', () => {
      assert.equal(matches({ languages: ['de'] }), true);
      assert.equal(matches({ languages: ['DE-de'] }), true);
      assert.equal(matches({ languages: ['de'] }, ticket({ language: 'de_CH' })), true);
      assert.equal(matches({ languages: ['en', 'fr'] }), false);
      assert.equal(matches({ languages: ['de'] }, ticket({ language: null })), false);
      assert.equal(matches({ languages: ['de'] }, ticket({ language: '' })), false);
    });
  });

  describe('subject words', () => {
    it('splits at anything but letters and digits, lower case, any script', () => {
      assert.deepEqual(wordsOf('Invoice #42 is wrong — refund, please!'), ['invoice', '42', 'is', 'wrong', 'refund', 'please']);
      assert.deepEqual(wordsOf('Übergröße: café-Bestellung'), ['übergröße', 'café', 'bestellung']);
      assert.deepEqual(wordsOf('ошибка входа'), ['ошибка', 'входа']);
      assert.deepEqual(wordsOf(''), []);
    });
    it('any of the words, whole words only, in any case', () => {
      assert.equal(matches({ subjectWords: ['REFUND'] }), true);
      assert.equal(matches({ subjectWords: ['outage', 'invoice'] }), true);
      assert.equal(matches({ subjectWords: ['fund'] }), false, 'part of a word is not the word');
      assert.equal(matches({ subjectWords: ['refunds'] }), false);
      assert.equal(matches({ subjectWords: ['42'] }), true);
    });
    it('phrases match as consecutive whole words', () => {
      assert.equal(matches({ subjectWords: ['data loss'] }, ticket({ subject: 'Possible DATA  loss after upgrade' })), true);
      assert.equal(matches({ subjectWords: ['data loss'] }, ticket({ subject: 'loss of data' })), false);
      assert.equal(matches({ subjectWords: ["can't log in"] }, ticket({ subject: 'I cant log in' })), false);
      assert.equal(matches({ subjectWords: ["can't log in"] }, ticket({ subject: "Can't log in since Monday" })), true);
    });
    it('a word made only of punctuation never matches', () => {
      assert.equal(matches({ subjectWords: ['!!!'] }), false);
      assert.equal(matches({ subjectWords: ['anything'] }, ticket({ subject: '' })), false);
    });
  });

  describe('conditions together', () => {
    const all: RoutingConditions = { organizationIds: [ORG_A], tiers: ['enterprise'], priorities: ['high'], categories: ['billing'], channels: ['email'], languages: ['de'], subjectWords: ['refund'] };
    it('every present list must match', () => {
      assert.equal(matches(all), true);
    });
    for (const [field, miss] of [
      ['organizationId', ORG_B],
      ['tier', 'starter'],
      ['priority', 'low'],
      ['category', 'Technical'],
      ['channel', 'chat'],
      ['language', 'en'],
      ['subject', 'Hello'],
    ] as const) {
      it(`one failing condition (${field}) fails the rule`, () => {
        assert.equal(matches(all, ticket({ [field]: miss })), false);
      });
    }
  });

  describe('choosing a rule', () => {
    it('the first matching rule in the order given wins and hands back its group and skills', () => {
      const skills = [{ name: 'billing', minLevel: 3 }];
      const rules = [rule({ priorities: ['urgent'] }), rule({ categories: ['billing'] }, { requiredSkills: skills }), rule({})];
      const m = matchRule(rules, ticket());
      assert.equal(m?.rule.id, rules[1]!.id);
      assert.equal(m?.groupId, rules[1]!.groupId);
      assert.deepEqual(m?.requiredSkills, skills);
    });
    it('disabled rules are skipped', () => {
      const rules = [rule({}, { enabled: false }), rule({ channels: ['email'] })];
      assert.equal(matchRule(rules, ticket())?.rule.id, rules[1]!.id);
    });
    it('no match (or no rules) is null', () => {
      assert.equal(matchRule([rule({ priorities: ['low'] })], ticket()), null);
      assert.equal(matchRule([], ticket()), null);
      assert.equal(matchRule([rule({}, { enabled: false })], ticket()), null);
    });
    it('reads a stored rule row (position order is the caller\'s: rows come sorted)', () => {
      const row = { id: 'x', position: 0, name: 'row', enabled: true, conditions: { channels: ['email'] }, group_id: 'g-row', required_skills: [{ name: 'sso', minLevel: 2 }], created_at: new Date(0), updated_at: new Date(0) };
      const m = matchRule([ruleOfRow(row)], ticket());
      assert.deepEqual([m?.groupId, m?.requiredSkills], ['g-row', [{ name: 'sso', minLevel: 2 }]]);
    });
    it('returns the caller\'s own rule object (so a row type passes through)', () => {
      const r = { ...rule({}), position: 7 };
      assert.equal(matchRule([r], ticket())?.rule.position, 7);
    });
  });
});
