/**
 * The impact preview compares the repeating clocks too: a ticket whose customer wrote back
 * (a running next-reply cycle) and whose update cadence runs moves by exactly the change of
 * each target, named by its clock; a next-reply target brought by the edit to a ticket whose
 * cycle is already past it is breached at once; nothing changes.
 * Real PostgreSQL, the Temporal dev server, the ticket's live inputs.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createCalendar, createKey, createOrg, createPolicy, createTicket, eventually, sleep } from './api-helpers';
import { impactResponse } from '../../src/http/api/openapi/rollout-responses';
import { ticketSlaResponse } from '../../src/http/api/openapi/responses';

const HOUR_S = 3600;

describe('API: the impact preview compares next-reply and update-cadence due times', function () {
  this.timeout(120_000);
  let h: PacerHarness;
  let policyId: string;
  let calendarId: string;
  let policyBody: Record<string, unknown>;
  let ticketId: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const calendar = await createCalendar(h, 'always open (impact of repeating clocks)');
    calendarId = calendar.id;
    policyBody = { name: 'starter normal (repeating clocks)', tier: 'starter', priority: 'normal', calendarId, firstResponseMinutes: 600, resolutionMinutes: 6000, nextReplyMinutes: 120, updateEveryMinutes: 240 };
    policyId = (await createPolicy(h, policyBody)).id;
    const org = await createOrg(h, 'starter');
    const customerKey = (await createKey(h, 'customer', org.id)).key;
    ticketId = (await createTicket(h, { subject: 'Exports fail again', priority: 'normal', organizationId: org.id })).id;
    assert.equal((await h.api(`/api/v1/tickets/${ticketId}/comments`, { body: { body: 'Looking into it.' } })).status, 201);
    assert.equal((await h.api(`/api/v1/tickets/${ticketId}/comments`, { key: customerKey, body: { body: 'Any news?' } })).status, 201);
    // Both repeating clocks run in the ticket's live state before the previews.
    await eventually(async () => {
      const s = bodyOf(await h.api(`/api/v1/tickets/${ticketId}/sla`), ticketSlaResponse);
      return s.nextReply?.length === 1 && s.nextReply[0]?.metAt === null && s.updateCadence?.metAt === null && s;
    }, 15_000, 'a running next-reply cycle and update cadence');
  });
  after(async () => h?.close());

  const impact = async (path: string, body: Record<string, unknown>) => bodyOf(await h.api(path, { body }), impactResponse);
  const movesOf = (r: Awaited<ReturnType<typeof impact>>) => Object.fromEntries(r.largestMoves.map((m) => [m.clock, m.deltaSeconds]));

  it("a policy edit of the repeating targets moves each running cycle's due by the change, named by its clock", async () => {
    const r = await impact(`/api/v1/sla-policies/${policyId}/impact`, { ...policyBody, nextReplyMinutes: 180, updateEveryMinutes: 60 });
    assert.deepEqual([r.affected, r.evaluated, r.moved, r.unchanged], [1, 1, 1, 0]);
    assert.deepEqual(movesOf(r), { next_reply: HOUR_S, update: -3 * HOUR_S });
    // The largest move decides the ticket's direction: the update cadence, three hours earlier.
    assert.deepEqual([r.earlier, r.later], [1, 0]);
    assert.deepEqual(r.breachedAtOnce, []);
  });

  it('absent repeating fields keep the policy\'s; the same targets move nothing', async () => {
    const { nextReplyMinutes: _n, updateEveryMinutes: _u, ...withoutThem } = policyBody;
    for (const body of [withoutThem, policyBody]) {
      const r = await impact(`/api/v1/sla-policies/${policyId}/impact`, body);
      assert.deepEqual([r.moved, r.unchanged, r.largestMoves.length], [0, 1, 0], JSON.stringify(body));
    }
  });

  it('a one-minute next-reply target, asked once the cycle is a minute old, breaches it at once', async function () {
    this.timeout(90_000);
    const sla = bodyOf(await h.api(`/api/v1/tickets/${ticketId}/sla`), ticketSlaResponse);
    const startedAt = Date.parse(sla.nextReply?.[0]?.startedAt ?? '');
    await sleep(Math.max(0, startedAt + 61_000 - Date.now()));
    const r = await impact(`/api/v1/sla-policies/${policyId}/impact`, { ...policyBody, nextReplyMinutes: 1 });
    assert.deepEqual(r.breachedAtOnce.map((b) => [b.ticketId, b.clock]), [[ticketId, 'next_reply']]);
    assert.equal(movesOf(r).next_reply, 60 - 120 * 60);
    const after = bodyOf(await h.api(`/api/v1/tickets/${ticketId}/sla`), ticketSlaResponse);
    assert.deepEqual(after.nextReply?.map((c) => [c.startedAt, c.dueAt]), sla.nextReply?.map((c) => [c.startedAt, c.dueAt]), 'the live cycle is unchanged by the preview');
  });
});
