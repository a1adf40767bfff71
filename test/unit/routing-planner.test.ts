/**
 * The routing planner (workflows/routing/planner.ts): the four strategies, the hard limits every
 * strategy keeps (status, shift, capacity in total and per priority, skills, language), the
 * deadline-aware time to answer, the three release causes and the next wake-up. Pure, so each
 * case is a snapshot in and a plan out.
 */
import assert from 'node:assert/strict';
import { planRouting, planReleases, nextWake, ticketOrder } from '../../workflows/routing/planner';
import type { QueuedTicket, RoutingAgent, RoutingGroupSettings, RoutingSnapshot, RoutingStrategy } from '../../workflows/contract/routing';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

const group = (strategy: RoutingStrategy, over: Partial<RoutingGroupSettings> = {}): RoutingGroupSettings => ({
  id: 'g1', name: 'Support', strategy, releaseOnOffline: true, awayReleaseMinutes: 30, releaseOnShiftEnd: true, answerMinutes: 30, ...over,
});
const agent = (userId: string, over: Partial<RoutingAgent> = {}): RoutingAgent => ({
  userId, email: `${userId}@pacer.test`, status: 'online', statusSince: NOW - HOUR, load: 0, loadByPriority: {}, capacity: 5, capacityByPriority: {},
  skills: [], languages: [], workingNow: true, shiftEndsAt: NOW + 8 * HOUR, backAt: null, lastPickedAt: null, held: [], ...over,
});
const ticket = (ticketId: string, over: Partial<QueuedTicket> = {}): QueuedTicket => ({
  ticketId, priority: 'normal', deadlineAt: null, businessMsLeft: null, requiredSkills: [], language: null, queuedAt: NOW - MIN, rule: null, ...over,
});
const due = (ticketId: string, inMs: number, over: Partial<QueuedTicket> = {}) => ticket(ticketId, { deadlineAt: NOW + inMs, businessMsLeft: inMs, ...over });
const snap = (g: RoutingGroupSettings, agents: RoutingAgent[], queued: QueuedTicket[]): RoutingSnapshot => ({ group: g, agents, queued });
const pairs = (s: RoutingSnapshot, now = NOW) => planRouting(s, now).assignments.map((a) => `${a.ticketId}->${a.agentUserId}`);

describe('routing planner', () => {
  describe('round-robin', () => {
    it('serves the queue oldest first and takes turns, starting with who was picked longest ago', () => {
      const s = snap(group('round_robin'), [agent('a', { lastPickedAt: NOW - MIN }), agent('b', { lastPickedAt: NOW - HOUR }), agent('c', { lastPickedAt: NOW - 2 * MIN })], [
        ticket('t3', { queuedAt: NOW - 1 }), ticket('t1', { queuedAt: NOW - 3 }), ticket('t2', { queuedAt: NOW - 2 }), ticket('t4', { queuedAt: NOW }),
      ]);
      assert.deepEqual(pairs(s), ['t1->b', 't2->c', 't3->a', 't4->b']);
    });

    it('puts an agent never picked before anyone picked, ties broken by id', () => {
      const s = snap(group('round_robin'), [agent('z', { lastPickedAt: NOW - HOUR }), agent('y'), agent('x')], [ticket('t1'), ticket('t2', { queuedAt: NOW })]);
      assert.deepEqual(pairs(s), ['t1->x', 't2->y']);
    });

    it('ignores load: the turn decides, within capacity', () => {
      const s = snap(group('round_robin'), [agent('a', { load: 4, lastPickedAt: NOW - HOUR }), agent('b', { load: 0, lastPickedAt: NOW })], [ticket('t1'), ticket('t2', { queuedAt: NOW })]);
      assert.deepEqual(pairs(s), ['t1->a', 't2->b']);
    });
  });

  describe('least-loaded', () => {
    it('gives each ticket to the agent with the fewest open tickets, counting this pass', () => {
      const s = snap(group('least_loaded'), [agent('a', { load: 2 }), agent('b', { load: 0 }), agent('c', { load: 1 })], [
        ticket('t1', { queuedAt: 1 }), ticket('t2', { queuedAt: 2 }), ticket('t3', { queuedAt: 3 }), ticket('t4', { queuedAt: 4 }),
      ]);
      assert.deepEqual(pairs(s), ['t1->b', 't2->b', 't3->c', 't4->a']);
    });

    it('breaks a tie in open tickets by the share of capacity used', () => {
      const s = snap(group('least_loaded'), [agent('a', { load: 2, capacity: 3 }), agent('b', { load: 2, capacity: 10 })], [ticket('t1')]);
      assert.deepEqual(pairs(s), ['t1->b']);
    });
  });

  describe('skill-based', () => {
    it('gives the ticket to the agent with most skill on what its rule asked for', () => {
      const skills = [{ name: 'billing', minLevel: 2 }];
      const s = snap(group('skill_based'), [
        agent('a', { skills: [{ name: 'billing', level: 3 }] }),
        agent('b', { skills: [{ name: 'Billing', level: 5 }], load: 3 }),
        agent('c', { skills: [{ name: 'billing', level: 1 }] }),
      ], [ticket('t1', { requiredSkills: skills })]);
      assert.deepEqual(pairs(s), ['t1->b']);
    });

    it('without required skills falls back to the least loaded', () => {
      const s = snap(group('skill_based'), [agent('a', { load: 2 }), agent('b', { load: 1 })], [ticket('t1')]);
      assert.deepEqual(pairs(s), ['t1->b']);
    });

    it('leaves a ticket queued when nobody has every skill at the level asked for', () => {
      const s = snap(group('skill_based'), [agent('a', { skills: [{ name: 'billing', level: 5 }] }), agent('b', { skills: [{ name: 'sql', level: 4 }] })], [
        ticket('t1', { requiredSkills: [{ name: 'billing', minLevel: 1 }, { name: 'sql', minLevel: 3 }] }),
      ]);
      assert.deepEqual(pairs(s), []);
    });
  });

  describe('deadline-aware', () => {
    it('serves the least business time left first, tickets without a clock last', () => {
      const queued = [ticket('none', { queuedAt: 0 }), due('late', 5 * HOUR, { queuedAt: 1 }), due('soon', HOUR, { queuedAt: 2 }), due('mid', 2 * HOUR, { queuedAt: 3 })];
      assert.deepEqual(ticketOrder('deadline_aware', queued).map((t) => t.ticketId), ['soon', 'mid', 'late', 'none']);
      const s = snap(group('deadline_aware'), [agent('a', { capacity: 1 }), agent('b', { capacity: 1 })], queued);
      assert.deepEqual(pairs(s), ['soon->a', 'mid->b']);
    });

    it('orders by business time left, not by the due instant (a calendar closed overnight has more wall time to go)', () => {
      const queued = [due('wall-soon', 3 * HOUR, { businessMsLeft: 3 * HOUR }), due('wall-late', 14 * HOUR, { businessMsLeft: HOUR })];
      assert.deepEqual(ticketOrder('deadline_aware', queued).map((t) => t.ticketId), ['wall-late', 'wall-soon']);
    });

    it('gives a ticket only to an agent whose shift leaves the answer time before min(shift end, deadline)', () => {
      const s = snap(group('deadline_aware', { answerMinutes: 30 }), [agent('leaving', { shiftEndsAt: NOW + 20 * MIN }), agent('staying', { shiftEndsAt: NOW + 4 * HOUR, load: 4 })], [due('t1', 3 * HOUR)]);
      assert.deepEqual(pairs(s), ['t1->staying']);
      const reason = planRouting(s, NOW).assignments[0]!.reason;
      assert.equal(reason.strategy, 'deadline_aware');
      assert.equal(reason.businessMinutesLeft, 180);
      assert.equal(reason.deadlineAt, new Date(NOW + 3 * HOUR).toISOString());
      assert.equal(reason.shiftEndsAt, new Date(NOW + 4 * HOUR).toISOString());
      assert.equal(reason.load, 4);
      assert.match(reason.summary, /180 business minutes left/);
    });

    it('leaves a ticket due within the answer time unassigned (the ladder escalates it as today)', () => {
      const s = snap(group('deadline_aware', { answerMinutes: 30 }), [agent('a', { shiftEndsAt: null })], [due('t1', 20 * MIN)]);
      assert.deepEqual(pairs(s), []);
    });

    it('exactly the answer time is enough', () => {
      const s = snap(group('deadline_aware', { answerMinutes: 30 }), [agent('a', { shiftEndsAt: NOW + 30 * MIN })], [due('t1', 2 * HOUR)]);
      assert.deepEqual(pairs(s), ['t1->a']);
    });

    it('prefers the least loaded, then the longest shift left', () => {
      const s = snap(group('deadline_aware'), [agent('a', { shiftEndsAt: NOW + HOUR }), agent('b', { shiftEndsAt: NOW + 5 * HOUR }), agent('c', { load: 1, shiftEndsAt: null })], [due('t1', 30 * HOUR)]);
      assert.deepEqual(pairs(s), ['t1->b']);
    });
  });

  describe('limits every strategy keeps', () => {
    for (const strategy of ['round_robin', 'least_loaded', 'skill_based', 'deadline_aware'] as const) {
      it(`${strategy}: only online agents working now, under their capacity in total and for the priority`, () => {
        const s = snap(group(strategy), [
          agent('away', { status: 'away' }),
          agent('offline', { status: 'offline' }),
          agent('off-shift', { workingNow: false, shiftEndsAt: null, backAt: NOW + HOUR }),
          agent('full', { load: 5, capacity: 5 }),
          agent('urgent-full', { load: 1, loadByPriority: { urgent: 1 }, capacityByPriority: { urgent: 1 } }),
          agent('ok', { capacity: 2 }),
        ], [due('u1', 10 * HOUR, { priority: 'urgent', queuedAt: 1 }), due('u2', 11 * HOUR, { priority: 'urgent', queuedAt: 2 }), due('u3', 12 * HOUR, { priority: 'urgent', queuedAt: 3 })]);
        const plan = planRouting(s, NOW);
        assert.deepEqual(plan.assignments.map((a) => a.agentUserId), ['ok', 'ok'], 'two fit, the third stays queued');
        assert.deepEqual(plan.assignments.map((a) => a.ticketId), ['u1', 'u2']);
      });

      it(`${strategy}: the ticket's language, when the agent's profile names languages`, () => {
        const s = snap(group(strategy), [agent('fr', { languages: ['fr'] }), agent('de', { languages: ['de', 'en'], load: 3 }), agent('any', { load: 4 })], [ticket('t1', { language: 'de' })]);
        const to = planRouting(s, NOW).assignments[0]!.agentUserId;
        assert.ok(to === 'de' || to === 'any', `not to the French-only agent (got ${to})`);
        const regional = snap(group(strategy), [agent('gb', { languages: ['en-GB'] })], [ticket('t1', { language: 'en' })]);
        assert.deepEqual(pairs(regional), ['t1->gb'], 'a regional tag speaks its language');
        const onlyFr = snap(group(strategy), [agent('fr', { languages: ['fr'] })], [ticket('t1', { language: 'de' })]);
        assert.deepEqual(pairs(onlyFr), []);
      });

      it(`${strategy}: a capacity of 0 takes nothing`, () => {
        assert.deepEqual(pairs(snap(group(strategy), [agent('a', { capacity: 0 })], [ticket('t1')])), []);
      });
    }

    it('assigns each ticket once, and capacity counts the assignments of the same pass', () => {
      const queued = Array.from({ length: 10 }, (_, i) => ticket(`t${i}`, { queuedAt: i }));
      const plan = planRouting(snap(group('least_loaded'), [agent('a', { capacity: 3 }), agent('b', { capacity: 2, load: 1 })], queued), NOW);
      assert.equal(new Set(plan.assignments.map((a) => a.ticketId)).size, plan.assignments.length);
      assert.equal(plan.assignments.filter((a) => a.agentUserId === 'a').length, 3);
      assert.equal(plan.assignments.filter((a) => a.agentUserId === 'b').length, 1);
    });

    it('is deterministic: the same snapshot in any order gives the same plan, decision ids included', () => {
      const agents = [agent('a'), agent('b', { load: 1 }), agent('c', { lastPickedAt: NOW - HOUR })];
      const queued = [due('t1', HOUR, { queuedAt: 5 }), due('t2', 2 * HOUR, { queuedAt: 4 }), ticket('t3', { queuedAt: 4 })];
      for (const strategy of ['round_robin', 'least_loaded', 'skill_based', 'deadline_aware'] as const) {
        const one = planRouting(snap(group(strategy), agents, queued), NOW);
        const two = planRouting(snap(group(strategy), [...agents].reverse(), [...queued].reverse()), NOW);
        assert.deepEqual(two, one, strategy);
        assert.deepEqual(one.assignments.map((a) => a.decisionId).sort(), ['route:t1:5', 'route:t2:4', 'route:t3:4']);
      }
    });
  });

  describe('releases', () => {
    const held = [{ ticketId: 'h1', priority: 'normal' as const, deadlineAt: NOW + HOUR }, { ticketId: 'h2', priority: 'high' as const, deadlineAt: null }];

    it('an offline agent gives back every ticket when the group says so', () => {
      const s = snap(group('least_loaded'), [agent('a', { status: 'offline', statusSince: NOW - MIN, held })], []);
      const releases = planReleases(s, NOW);
      assert.deepEqual(releases.map((r) => [r.ticketId, r.reason.cause]), [['h1', 'offline'], ['h2', 'offline']]);
      assert.equal(releases[0]!.decisionId, `release:h1:a:${NOW}`);
      assert.match(releases[0]!.reason.summary, /went offline/);
      assert.deepEqual(planReleases(snap(group('least_loaded', { releaseOnOffline: false }), s.agents, []), NOW), []);
    });

    it('an away agent gives them back only past the away limit, and never when the group has none', () => {
      const at = (minutesAway: number, limit: number | null) => planReleases(snap(group('round_robin', { awayReleaseMinutes: limit }), [agent('a', { status: 'away', statusSince: NOW - minutesAway * MIN, held })], []), NOW);
      assert.deepEqual(at(29, 30), []);
      assert.deepEqual(at(30, 30).map((r) => r.reason.cause), ['away', 'away']);
      assert.deepEqual(at(600, null), []);
    });

    it('at shift end only the tickets due before the agent is back go back', () => {
      const mine = [
        { ticketId: 'before', priority: 'normal' as const, deadlineAt: NOW + HOUR },
        { ticketId: 'after', priority: 'normal' as const, deadlineAt: NOW + 20 * HOUR },
        { ticketId: 'no-clock', priority: 'normal' as const, deadlineAt: null },
      ];
      const s = snap(group('deadline_aware'), [agent('a', { workingNow: false, shiftEndsAt: null, backAt: NOW + 14 * HOUR, held: mine })], []);
      const releases = planReleases(s, NOW);
      assert.deepEqual(releases.map((r) => r.ticketId), ['before']);
      assert.equal(releases[0]!.reason.cause, 'shift_end');
      assert.equal(releases[0]!.reason.backAt, new Date(NOW + 14 * HOUR).toISOString());
      assert.deepEqual(planReleases(snap(group('deadline_aware', { releaseOnShiftEnd: false }), s.agents, []), NOW), []);
    });

    it('an agent with no next shift gives back every ticket with a clock', () => {
      const s = snap(group('least_loaded'), [agent('a', { workingNow: false, shiftEndsAt: null, backAt: null, held })], []);
      assert.deepEqual(planReleases(s, NOW).map((r) => r.ticketId), ['h1']);
    });

    it('a released ticket is not assigned again in the same pass', () => {
      const s = snap(group('least_loaded'), [agent('a', { status: 'offline', held: [held[0]!] }), agent('b')], [ticket('h1'), ticket('t2')]);
      const plan = planRouting(s, NOW);
      assert.deepEqual(plan.releases.map((r) => r.ticketId), ['h1']);
      assert.deepEqual(plan.assignments.map((a) => a.ticketId), ['t2']);
    });
  });

  describe('wake-up', () => {
    it('is the next shift end, shift start or away limit, whichever comes first', () => {
      const agents = [
        agent('a', { shiftEndsAt: NOW + 3 * HOUR }),
        agent('b', { workingNow: false, shiftEndsAt: null, backAt: NOW + 2 * HOUR }),
        agent('c', { status: 'away', statusSince: NOW - 10 * MIN, held: [{ ticketId: 'h', priority: 'low', deadlineAt: null }] }),
      ];
      assert.equal(nextWake(snap(group('least_loaded', { awayReleaseMinutes: 30 }), agents, []), NOW), NOW + 20 * MIN);
      assert.equal(nextWake(snap(group('least_loaded', { awayReleaseMinutes: null }), agents, []), NOW), NOW + 2 * HOUR);
    });

    it('deadline-aware with a queue also wakes when a shift stops leaving the answer time', () => {
      const agents = [agent('a', { shiftEndsAt: NOW + 3 * HOUR })];
      assert.equal(nextWake(snap(group('deadline_aware', { answerMinutes: 30 }), agents, [ticket('t')]), NOW), NOW + 3 * HOUR - 30 * MIN);
      assert.equal(nextWake(snap(group('deadline_aware'), agents, []), NOW), NOW + 3 * HOUR);
    });

    it('is null when nothing will change by itself', () => {
      assert.equal(planRouting(snap(group('round_robin'), [agent('a', { shiftEndsAt: null })], []), NOW).wakeAt, null);
    });
  });
});
