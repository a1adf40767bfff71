/**
 * The next-reply and update-cadence cycle math, through the preview (the contract) and the
 * ticket planner (what the workflow arms). Calendar: New York 09:00–17:00 Mon–Fri with
 * 2026-12-25 a holiday; EDT = UTC-4 until 2026-11-01 and from 2026-03-08, EST = UTC-5 between.
 * Every expected instant is worked out by hand in the comments.
 */
import assert from 'node:assert/strict';
import { BusinessCalendar } from '../../workflows/sla/business-calendar';
import { cadenceCycles, evaluateCycles, nextReplyCycles, type ReplyEvent } from '../../workflows/sla/reply-cycles';
import { previewSla, type PreviewEvent, type PreviewPolicy } from '../../workflows/sla/sla-preview';
import { liveClocks, planSla } from '../../workflows/ticket/clock-plan';
import type { ClockEvent } from '../../workflows/contract/ticket';
import { ALWAYS_OPEN, NEW_YORK_9_TO_5, policy } from '../support/ticket-fixtures';

const t = (iso: string): number => Date.parse(iso);
const MIN = 60_000;

const NY: PreviewPolicy = {
  calendar: { ...NEW_YORK_9_TO_5, holidays: ['2026-12-25'] },
  firstResponseMinutes: 60,
  resolutionMinutes: 4800,
  pauseOn: ['pending'],
  escalations: [{ percent: 80 }, { percent: 100 }, { percent: 120 }],
  nextReplyMinutes: 60,
};
const agent = (iso: string): PreviewEvent => ({ at: t(iso), type: 'agent_reply' });
const customer = (iso: string): PreviewEvent => ({ at: t(iso), type: 'customer_reply' });
const status = (iso: string, s: string): PreviewEvent => ({ at: t(iso), type: 'status', status: s });

/** Only the instants of each cycle, for compact comparisons. */
const cycles = (p: PreviewPolicy, created: string, events: PreviewEvent[]) =>
  previewSla(p, t(created), events).nextReply.map((c) => ({ startedAt: c.startedAt, dueAt: c.dueAt, metAt: c.metAt, breached: c.breached }));

describe('next-reply cycles (pure)', () => {
  const ev = (type: ReplyEvent['type'], at: number): ReplyEvent => ({ at, type });

  it('a customer reply before the first response starts nothing', () => {
    assert.deepEqual(nextReplyCycles([ev('customer_reply', 1), ev('customer_reply', 2)]), []);
  });

  it('after the first response, a customer reply starts a cycle and the next agent reply meets it', () => {
    assert.deepEqual(nextReplyCycles([ev('first_response', 1), ev('customer_reply', 5), ev('agent_reply', 9)]), [{ startedAt: 5, metAt: 9 }]);
  });

  it('runs one cycle at a time: more customer replies while one runs do not start another', () => {
    assert.deepEqual(nextReplyCycles([ev('first_response', 1), ev('customer_reply', 5), ev('customer_reply', 6), ev('agent_reply', 9), ev('customer_reply', 12)]), [
      { startedAt: 5, metAt: 9 },
      { startedAt: 12, metAt: null },
    ]);
  });

  it('an agent reply with no cycle running meets nothing', () => {
    assert.deepEqual(nextReplyCycles([ev('first_response', 1), ev('agent_reply', 3), ev('customer_reply', 5)]), [{ startedAt: 5, metAt: null }]);
  });

  it('the end of the ticket (solved, closed, cancelled) ends the running cycle there', () => {
    assert.deepEqual(nextReplyCycles([ev('first_response', 1), ev('customer_reply', 5), ev('end', 7), ev('customer_reply', 8)]), [
      { startedAt: 5, metAt: 7 },
      { startedAt: 8, metAt: null },
    ]);
  });

  it('each cycle is evaluated with the full target from its own start', () => {
    const cal = BusinessCalendar.from(ALWAYS_OPEN);
    const [a, b] = evaluateCycles(cal, 10 * MIN, [100], [{ startedAt: 0, metAt: 5 * MIN }, { startedAt: 20 * MIN, metAt: null }]);
    assert.equal(a!.dueAt, 10 * MIN);
    assert.equal(a!.breached, false);
    assert.equal(b!.dueAt, 30 * MIN);
    assert.equal(b!.breached, null);
  });
});

describe('next-reply clock in the SLA preview', () => {
  it('no nextReplyMinutes: nextReply is an empty array whatever the events', () => {
    const r = previewSla({ ...NY, nextReplyMinutes: null }, t('2026-06-01T13:00:00Z'), [agent('2026-06-01T13:10:00Z'), customer('2026-06-01T13:20:00Z')]);
    assert.deepEqual(r.nextReply, []);
    assert.deepEqual(previewSla({ ...NY, nextReplyMinutes: undefined }, t('2026-06-01T13:00:00Z'), [agent('2026-06-01T13:10:00Z'), customer('2026-06-01T13:20:00Z')]).nextReply, []);
  });

  it('a cycle starts only once first response is met', () => {
    // Customer writes twice before any agent reply: first response covers that wait.
    assert.deepEqual(cycles(NY, '2026-06-01T13:00:00Z', [customer('2026-06-01T13:05:00Z'), customer('2026-06-01T13:06:00Z'), agent('2026-06-01T13:30:00Z')]), []);
  });

  it('due is the target in business time from the customer reply; escalations at each ladder percent, exact to the second', () => {
    // Mon 2026-06-01, EDT. Customer replies 10:00:30 EDT (14:00:30Z); 60 business minutes → 11:00:30 EDT.
    const [c] = previewSla(NY, t('2026-06-01T13:00:00Z'), [agent('2026-06-01T13:30:00Z'), customer('2026-06-01T14:00:30Z')]).nextReply;
    assert.deepEqual(c, {
      startedAt: '2026-06-01T14:00:30.000Z',
      dueAt: '2026-06-01T15:00:30.000Z',
      metAt: null,
      breached: null,
      escalations: [
        { percent: 80, at: '2026-06-01T14:48:30.000Z' }, // 48 min
        { percent: 100, at: '2026-06-01T15:00:30.000Z' },
        { percent: 120, at: '2026-06-01T15:12:30.000Z' }, // 72 min
      ],
    });
  });

  it('met exactly at due is not a breach; a second later is', () => {
    const base = [agent('2026-06-01T13:30:00Z'), customer('2026-06-01T14:00:00Z')];
    assert.equal(cycles(NY, '2026-06-01T13:00:00Z', [...base, agent('2026-06-01T15:00:00Z')])[0]!.breached, false);
    assert.equal(cycles(NY, '2026-06-01T13:00:00Z', [...base, agent('2026-06-01T15:00:01Z')])[0]!.breached, true);
  });

  it('one cycle at a time: a second customer reply while one runs changes nothing; the agent reply meets it', () => {
    assert.deepEqual(cycles(NY, '2026-06-01T13:00:00Z', [agent('2026-06-01T13:30:00Z'), customer('2026-06-01T14:00:00Z'), customer('2026-06-01T14:40:00Z'), agent('2026-06-01T14:50:00Z')]), [
      { startedAt: '2026-06-01T14:00:00.000Z', dueAt: '2026-06-01T15:00:00.000Z', metAt: '2026-06-01T14:50:00.000Z', breached: false },
    ]);
  });

  it('cycles follow one another in order, each with its own due', () => {
    const got = cycles(NY, '2026-06-01T13:00:00Z', [
      agent('2026-06-01T13:30:00Z'),
      customer('2026-06-01T14:00:00Z'),
      agent('2026-06-01T16:00:00Z'), // 2 h later: breached (due 15:00Z)
      customer('2026-06-01T17:00:00Z'),
      agent('2026-06-01T17:10:00Z'),
      customer('2026-06-01T18:00:00Z'),
    ]);
    assert.deepEqual(got, [
      { startedAt: '2026-06-01T14:00:00.000Z', dueAt: '2026-06-01T15:00:00.000Z', metAt: '2026-06-01T16:00:00.000Z', breached: true },
      { startedAt: '2026-06-01T17:00:00.000Z', dueAt: '2026-06-01T18:00:00.000Z', metAt: '2026-06-01T17:10:00.000Z', breached: false },
      { startedAt: '2026-06-01T18:00:00.000Z', dueAt: '2026-06-01T19:00:00.000Z', metAt: null, breached: null },
    ]);
  });

  it('accumulates on the calendar: a reply Friday 16:30 EDT is due Monday 09:30 EDT', () => {
    // Fri 2026-06-05 16:30 EDT = 20:30Z: 30 min Friday, 30 min Monday 2026-06-08 → 09:30 EDT = 13:30Z.
    const [c] = cycles(NY, '2026-06-05T13:00:00Z', [agent('2026-06-05T13:10:00Z'), customer('2026-06-05T20:30:00Z')]);
    assert.equal(c!.dueAt, '2026-06-08T13:30:00.000Z');
  });

  it('a reply outside business hours starts counting at the next opening', () => {
    // Sat 2026-06-06 12:00 EDT: nothing counts until Mon 09:00 EDT; due 10:00 EDT = 14:00Z.
    const [c] = cycles(NY, '2026-06-05T13:00:00Z', [agent('2026-06-05T13:10:00Z'), customer('2026-06-06T16:00:00Z')]);
    assert.equal(c!.startedAt, '2026-06-06T16:00:00.000Z');
    assert.equal(c!.dueAt, '2026-06-08T14:00:00.000Z');
  });

  it('across the spring-forward weekend: Friday 16:00 EST + 120 min is Monday 10:00 EDT', () => {
    // Fri 2026-03-06 16:00 EST = 21:00Z: 60 min Friday; Mon 2026-03-09 (EDT, UTC-4) 09:00 + 60 = 10:00 EDT = 14:00Z.
    const [c] = cycles({ ...NY, nextReplyMinutes: 120 }, '2026-03-06T14:00:00Z', [agent('2026-03-06T14:10:00Z'), customer('2026-03-06T21:00:00Z')]);
    assert.equal(c!.dueAt, '2026-03-09T14:00:00.000Z');
  });

  it('across the fall-back weekend: Friday 16:00 EDT + 120 min is Monday 10:00 EST', () => {
    // Fri 2026-10-30 16:00 EDT = 20:00Z; Mon 2026-11-02 (EST, UTC-5) 10:00 = 15:00Z.
    const [c] = cycles({ ...NY, nextReplyMinutes: 120 }, '2026-10-30T14:00:00Z', [agent('2026-10-30T14:10:00Z'), customer('2026-10-30T20:00:00Z')]);
    assert.equal(c!.dueAt, '2026-11-02T15:00:00.000Z');
  });

  it('on a 24/7 New York calendar the spring-forward night counts its real length', () => {
    // 2026-03-08 01:30 EST = 06:30Z; 60 minutes of real time later is 03:30 EDT = 07:30Z.
    const p: PreviewPolicy = { ...NY, calendar: { ...ALWAYS_OPEN, timezone: 'America/New_York' } };
    const [c] = cycles(p, '2026-03-08T06:00:00Z', [agent('2026-03-08T06:10:00Z'), customer('2026-03-08T06:30:00Z')]);
    assert.equal(c!.dueAt, '2026-03-08T07:30:00.000Z');
  });

  it('skips holidays: Thursday 2026-12-24 16:30 EST is due Monday 2026-12-28 09:30 EST', () => {
    // 30 min Thu; Fri 12-25 is a holiday, then the weekend; 30 min Mon → 09:30 EST = 14:30Z.
    const [c] = cycles(NY, '2026-12-24T14:00:00Z', [agent('2026-12-24T14:10:00Z'), customer('2026-12-24T21:30:00Z')]);
    assert.equal(c!.dueAt, '2026-12-28T14:30:00.000Z');
  });

  it('is not paused by statuses: pending and on_hold leave its due where it was', () => {
    const base = [agent('2026-06-01T13:30:00Z'), customer('2026-06-01T14:00:00Z')];
    const paused = [...base, status('2026-06-01T14:10:00Z', 'pending'), status('2026-06-01T14:30:00Z', 'on_hold')];
    assert.deepEqual(cycles(NY, '2026-06-01T13:00:00Z', paused), cycles(NY, '2026-06-01T13:00:00Z', base));
    // The resolution clock does pause meanwhile: the rule is the next reply's own.
    assert.notEqual(previewSla(NY, t('2026-06-01T13:00:00Z'), paused).resolution.dueAt, previewSla(NY, t('2026-06-01T13:00:00Z'), base).resolution.dueAt);
  });

  it('solving the ticket ends a running cycle at that instant', () => {
    const [c] = cycles(NY, '2026-06-01T13:00:00Z', [agent('2026-06-01T13:30:00Z'), customer('2026-06-01T14:00:00Z'), status('2026-06-01T14:20:00Z', 'solved')]);
    assert.equal(c!.metAt, '2026-06-01T14:20:00.000Z');
    assert.equal(c!.breached, false);
  });

  it('uses its own ladder when one is given', () => {
    const [c] = previewSla({ ...NY, nextReplyEscalations: [{ percent: 50 }, { percent: 100 }] }, t('2026-06-01T13:00:00Z'), [agent('2026-06-01T13:30:00Z'), customer('2026-06-01T14:00:00Z')]).nextReply;
    assert.deepEqual(c!.escalations, [{ percent: 50, at: '2026-06-01T14:30:00.000Z' }, { percent: 100, at: '2026-06-01T15:00:00.000Z' }]);
  });

  it('events given out of order are taken in time order', () => {
    const inOrder = [agent('2026-06-01T13:30:00Z'), customer('2026-06-01T14:00:00Z'), agent('2026-06-01T14:30:00Z')];
    assert.deepEqual(cycles(NY, '2026-06-01T13:00:00Z', [...inOrder].reverse()), cycles(NY, '2026-06-01T13:00:00Z', inOrder));
  });
});

describe('next-reply and update clocks in the ticket plan', () => {
  const T0 = t('2026-06-01T13:00:00Z');
  const reply = (at: number, by: 'agent' | 'customer'): ClockEvent => ({ at, type: 'public_reply', by });
  const first = (at: number): ClockEvent[] => [{ at, type: 'agent_reply' }, reply(at, 'agent'), { at, type: 'status', status: 'open' }];

  it('a snapshot without the new fields plans no next-reply or update clock (tickets already running behave as before)', () => {
    const plan = planSla(policy(), T0, [...first(T0 + MIN), reply(T0 + 2 * MIN, 'customer')]);
    assert.deepEqual(plan.nextReply, []);
    assert.deepEqual(plan.update, []);
  });

  it('plans a step per ladder percent and the breach, with ids stable per cycle', () => {
    const plan = planSla(policy({ nextReplyMinutes: 60 }), T0, [...first(T0 + MIN), reply(T0 + 10 * MIN, 'customer'), reply(T0 + 20 * MIN, 'agent'), reply(T0 + 30 * MIN, 'customer')]);
    assert.deepEqual(plan.nextReply.map((c) => c.steps.map((s) => s.id)), [
      ['next_reply:0:80', 'next_reply:0:100', 'next_reply:0:120'],
      ['next_reply:1:80', 'next_reply:1:100', 'next_reply:1:120'],
    ]);
    assert.equal(plan.nextReply[1]!.result.dueAt, T0 + 90 * MIN);
    // Only the latest cycle can still fire.
    assert.deepEqual(liveClocks(plan).map((c) => `${c.name}:${c.cycle}`), ['first_response:0', 'resolution:0', 'next_reply:1']);
  });

  it('is held off when the workflow says the clocks are not patched in', () => {
    const plan = planSla(policy({ nextReplyMinutes: 60, updateEveryMinutes: 30 }), T0, [...first(T0 + MIN), reply(T0 + 10 * MIN, 'customer')], { repeatingClocks: false });
    assert.deepEqual([plan.nextReply.length, plan.update.length], [0, 0]);
  });

  it('the update cadence runs while open or on hold, restarts at each public agent update and stops while pending', () => {
    const events: ClockEvent[] = [
      ...first(T0 + MIN), // open: owed from here
      reply(T0 + 20 * MIN, 'agent'), // an update: cycle 1 from here
      { at: T0 + 30 * MIN, type: 'status', status: 'on_hold' }, // still owed, same cycle
      { at: T0 + 40 * MIN, type: 'status', status: 'pending' }, // not owed
      reply(T0 + 50 * MIN, 'agent'), // while pending: no cycle
      { at: T0 + 60 * MIN, type: 'status', status: 'open' }, // owed again
    ];
    const plan = planSla(policy({ updateEveryMinutes: 30 }), T0, events);
    assert.deepEqual(plan.update.map((c) => [c.input.startedAt - T0, c.result.metAt === null ? null : c.result.metAt - T0]), [
      [MIN, 20 * MIN],
      [20 * MIN, 40 * MIN],
      [60 * MIN, null],
    ]);
    assert.equal(plan.update[2]!.result.dueAt, T0 + 90 * MIN);
    assert.deepEqual(plan.update[2]!.steps.map((s) => [s.id, s.actions.map((a) => a.type)]), [['update:2:80', ['notify']], ['update:2:100', ['escalate']]]);
  });

  it('cadence cycles (pure): an update in the very instant a cycle begins (a reopen with its update) makes no empty cycle', () => {
    assert.deepEqual(cadenceCycles([{ at: 5, type: 'not_owing' }, { at: 9, type: 'owing' }, { at: 9, type: 'update' }], { at: 0 }), [
      { startedAt: 0, metAt: 5 },
      { startedAt: 9, metAt: null },
    ]);
  });

  it('cadence cycles (pure): owed from the start when the subject starts in an owing state', () => {
    assert.deepEqual(cadenceCycles([{ at: 5, type: 'update' }, { at: 9, type: 'not_owing' }, { at: 10, type: 'update' }], { at: 0 }), [
      { startedAt: 0, metAt: 5 },
      { startedAt: 5, metAt: 9 },
    ]);
  });
});
