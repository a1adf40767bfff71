/**
 * Edits reach open tickets: saving a calendar, an SLA policy or an organization's tier starts
 * a rollout workflow that re-targets every affected open ticket once, reports its progress,
 * survives a worker stopped in the middle, and never takes a ticket back to an older edit;
 * an impact preview before the save says what would move, changing nothing.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createOrg, createTicket, eventually, instantMs, ticketWorkflowsRunning } from './api-helpers';
import { AROUND_THE_CLOCK } from '../support/ticket-fixtures';
import { calendarSavedResponse, impactResponse, organizationTierResponse, rolloutResponse, slaPolicySavedResponse } from '../../src/http/api/openapi/rollout-responses';
import type { SlaInputs, SlaPolicySnapshot } from '../../workflows/contract/ticket';
import type { z } from 'zod';
import { calendarResponse, listOf, slaPolicyResponse, ticketResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';

type Rollout = z.output<typeof rolloutResponse>;

const DAY_MS = 86_400_000;

interface Setup {
  orgId: string;
  calendarId: string;
  policyId: string;
  policyBody: Record<string, unknown>;
  calendarBody: { name: string; timezone: string; weekly: typeof AROUND_THE_CLOCK; holidays: string[] };
}

/** A tier of its own (starter has no seeded policies) with one 48-hour around-the-clock resolution policy for urgent. */
async function setUp(h: PacerHarness, tier = 'starter'): Promise<Setup> {
  const org = await createOrg(h, tier);
  const calendarBody = { name: `utc ${crypto.randomBytes(3).toString('hex')}`, timezone: 'UTC', weekly: AROUND_THE_CLOCK, holidays: [] as string[] };
  const cal = await h.api('/api/v1/calendars', { body: calendarBody });
  const calBody = bodyOf(cal, calendarResponse, 201);
  const existing = bodyOf(await h.api('/api/v1/sla-policies'), listOf(slaPolicyResponse)).data.find((p: { tier: string; priority: string }) => p.tier === tier && p.priority === 'urgent');
  const policyBody = { name: `${tier} urgent`, tier, priority: 'urgent', calendarId: calBody.id, firstResponseMinutes: null, resolutionMinutes: 48 * 60 };
  const pol = existing ? await h.api(`/api/v1/sla-policies/${existing.id}`, { method: 'PUT', body: policyBody }) : await h.api('/api/v1/sla-policies', { body: policyBody });
  const saved = existing ? bodyOf(pol, slaPolicySavedResponse) : { ...bodyOf(pol, slaPolicyResponse, 201), rolloutId: undefined };
  if (saved.rolloutId) await finished(h, saved.rolloutId);
  return { orgId: org.id, calendarId: calBody.id, policyId: saved.id, policyBody, calendarBody };
}

async function openTickets(h: PacerHarness, orgId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await createTicket(h, { organizationId: orgId, priority: 'urgent', subject: `rollout ${i}` })).id);
  // Each workflow has run its first task (its record is written) before the edit.
  await ticketWorkflowsRunning(h, ids);
  return ids;
}

async function finished(h: PacerHarness, rolloutId: string, timeoutMs = 60_000): Promise<Rollout> {
  return eventually(async () => {
    const r = await h.api(`/api/v1/rollouts/${rolloutId}`);
    if (r.status !== 200) return null;
    const rollout = bodyOf(r, rolloutResponse);
    return rollout.status === 'finished' ? rollout : null;
  }, timeoutMs, `rollout ${rolloutId} to finish`);
}

async function resolutionDue(h: PacerHarness, ticketId: string): Promise<number> {
  const sla = await h.api(`/api/v1/tickets/${ticketId}/sla`);
  assert.equal(sla.status, 200, JSON.stringify(sla.body));
  return instantMs(bodyOf(sla, ticketSlaResponse).resolution?.dueAt);
}

async function retargetEvents(h: PacerHarness, ticketId: string, rolloutId: string): Promise<number> {
  const rows = await h.database.db.selectFrom('ticket_events').select('data').where('ticket_id', '=', ticketId).where('type', '=', 'ticket.retargeted').execute();
  return rows.filter((r) => (r.data as { rolloutId?: string }).rolloutId === rolloutId).length;
}

const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('API: rollouts of edits to open tickets', function () {
  this.timeout(180_000);
  let h: PacerHarness;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
  });
  after(async () => h?.close());

  it('a holiday added under a running clock moves its due by exactly the holiday (24 business hours on a 24/7 calendar)', async () => {
    const s = await setUp(h);
    const [ticket] = await openTickets(h, s.orgId, 1);
    const before = await resolutionDue(h, ticket!);
    // The day after creation lies wholly inside the running 48-hour clock, and wholly after now.
    const holiday = utcDate(Date.now() + DAY_MS);
    const saved = await h.api(`/api/v1/calendars/${s.calendarId}`, { method: 'PUT', body: { ...s.calendarBody, holidays: [holiday] } });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const rollout = await finished(h, bodyOf(saved, calendarSavedResponse).rolloutId);
    assert.equal(rollout.done, 1, JSON.stringify(rollout));
    assert.equal(await resolutionDue(h, ticket!) - before, DAY_MS);
  });

  it('the impact preview says which tickets move and by how much, and changes nothing', async () => {
    const s = await setUp(h, 'premium');
    const tickets = await openTickets(h, s.orgId, 2);
    const rows = async () => h.database.db.selectFrom('tickets').selectAll().where('id', 'in', tickets).orderBy('id').execute();
    const states = async () => Promise.all(tickets.map((id) => h.lifecycle.slaInputs(id)));
    const rolloutCount = async () => Number((await h.database.db.selectFrom('rollouts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const [rowsBefore, statesBefore, rolloutsBefore] = [await rows(), await states(), await rolloutCount()];
    const calendarBefore = (await h.api(`/api/v1/calendars/${s.calendarId}`)).body;

    const holiday = utcDate(Date.now() + DAY_MS);
    const calImpact = await h.api(`/api/v1/calendars/${s.calendarId}/impact`, { body: { ...s.calendarBody, holidays: [holiday] } });
    const calImpactBody = bodyOf(calImpact, impactResponse);
    assert.deepEqual([calImpactBody.affected, calImpactBody.evaluated, calImpactBody.moved, calImpactBody.later, calImpactBody.earlier], [2, 2, 2, 2, 0]);
    assert.equal(calImpactBody.largestMoves[0]?.deltaSeconds, DAY_MS / 1000);

    // A one-minute target, asked once the tickets are a minute old: both would breach at once.
    const created = Math.max(...rowsBefore.map((r) => new Date(r.created_at).getTime()));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, created + 61_000 - Date.now())));
    const polImpact = await h.api(`/api/v1/sla-policies/${s.policyId}/impact`, { body: { ...s.policyBody, resolutionMinutes: 1 } });
    const polImpactBody = bodyOf(polImpact, impactResponse);
    assert.equal(polImpactBody.earlier, 2);
    assert.deepEqual(polImpactBody.breachedAtOnce.map((b: { ticketId: string }) => b.ticketId).sort(), [...tickets].sort());

    assert.deepEqual(await rows(), rowsBefore, 'ticket rows unchanged');
    assert.deepEqual(await states(), statesBefore, 'workflow states unchanged');
    assert.equal(await rolloutCount(), rolloutsBefore, 'no rollout started');
    assert.deepEqual((await h.api(`/api/v1/calendars/${s.calendarId}`)).body, calendarBefore, 'calendar unchanged');
  });

  it('GET /rollouts/:id reports affected, done and failed across pages, each ticket re-targeted once', async () => {
    const s = await setUp(h, 'professional');
    const tickets = await openTickets(h, s.orgId, 5);
    h.tickets.rollouts.pageSize = 2;
    try {
      const saved = await h.api(`/api/v1/sla-policies/${s.policyId}`, { method: 'PUT', body: { ...s.policyBody, resolutionMinutes: 24 * 60 } });
      const savedBody = bodyOf(saved, slaPolicySavedResponse);
      assert.match(savedBody.rolloutId, /^[0-9a-f-]{36}$/);
      const r = await finished(h, savedBody.rolloutId);
      assert.deepEqual([r.kind, r.targetId, r.affected, r.done, r.unchanged, r.failed, r.failures], ['sla_policy', s.policyId, 5, 5, 0, 0, []]);
      for (const id of tickets) assert.equal(await retargetEvents(h, id, savedBody.rolloutId), 1);
      const due = await resolutionDue(h, tickets[0]!);
      const created = Date.parse(bodyOf(await h.api(`/api/v1/tickets/${tickets[0]}`), ticketResponse).createdAt);
      assert.equal(due - created, DAY_MS, 'the new 24-hour target');
    } finally {
      h.tickets.rollouts.pageSize = undefined;
    }
  });

  it('an older edit never overwrites a newer one: a stale snapshot is refused and the ticket keeps the newer', async () => {
    const s = await setUp(h, 'enterprise');
    const [ticket] = await openTickets(h, s.orgId, 1);
    const saved = await h.api(`/api/v1/sla-policies/${s.policyId}`, { method: 'PUT', body: { ...s.policyBody, resolutionMinutes: 10 * 60 } });
    await finished(h, bodyOf(saved, slaPolicySavedResponse).rolloutId);
    const live = (await h.lifecycle.slaInputs(ticket!)) as SlaInputs;
    const current = live.policy as SlaPolicySnapshot;
    assert.ok(current.versions && current.versions.policy >= 2, JSON.stringify(current.versions));
    const older: SlaPolicySnapshot = { ...current, resolutionMinutes: 99 * 60, versions: { ...current.versions, policy: current.versions.policy - 1 } };
    await assert.rejects(
      h.lifecycle.act(ticket!, { kind: 'retarget', actionId: crypto.randomUUID(), actor: { type: 'system', name: 'rollout' }, priority: 'urgent', tier: 'enterprise', policy: older, rollout: { rolloutId: crypto.randomUUID(), policies: { [s.policyId]: older } } }),
      (err: Error & { code?: string }) => err.code === 'stale_version',
    );
    assert.equal(((await h.lifecycle.slaInputs(ticket!)) as SlaInputs).policy?.resolutionMinutes, 10 * 60);
  });

  it('a rollout started again for an edit already applied leaves tickets unchanged', async () => {
    const s = await setUp(h, 'community');
    const [ticket] = await openTickets(h, s.orgId, 1);
    const again = await h.tickets.rollouts.start('sla_policy', s.policyId, 1, 'test');
    const r = await finished(h, again);
    assert.deepEqual([r.done, r.unchanged], [0, 1]);
    assert.equal(await retargetEvents(h, ticket!, again), 0);
  });

  it('a tier change goes through a rollout and re-targets the open tickets to the new tier', async () => {
    const s = await setUp(h, 'starter');
    const [ticket] = await openTickets(h, s.orgId, 1);
    const changed = await h.api(`/api/v1/organizations/${s.orgId}`, { method: 'PATCH', body: { tier: 'enterprise' } });
    const changedBody = bodyOf(changed, organizationTierResponse);
    assert.equal(changedBody.retargetedTickets, 1);
    assert.ok(changedBody.rolloutId, 'a tier change starts a rollout');
    const r = await finished(h, changedBody.rolloutId);
    assert.deepEqual([r.kind, r.affected, r.done], ['organization_tier', 1, 1]);
    const inputs = (await h.lifecycle.slaInputs(ticket!)) as SlaInputs;
    assert.equal(inputs.tier, 'enterprise');
    const enterpriseUrgent = bodyOf(await h.api('/api/v1/sla-policies'), listOf(slaPolicyResponse)).data.find((p: { tier: string; priority: string }) => p.tier === 'enterprise' && p.priority === 'urgent');
    assert.equal(inputs.policy?.policyId, enterpriseUrgent?.id);
  });

  it('a worker stopped mid-rollout and started again finishes it, every ticket re-targeted exactly once', async function () {
    // A page whose attempt the stopped worker could not report is retried only after its heartbeat
    // timeout (a minute, rollout-workflow.ts): the wait for the end allows for it.
    this.timeout(300_000);
    const s = await setUp(h, 'premium');
    const tickets = await openTickets(h, s.orgId, 8);
    h.tickets.rollouts.pageSize = 1;
    let rolloutId: string;
    try {
      const saved = await h.api(`/api/v1/sla-policies/${s.policyId}`, { method: 'PUT', body: { ...s.policyBody, resolutionMinutes: 30 * 60 } });
      rolloutId = bodyOf(saved, slaPolicySavedResponse).rolloutId;
    } finally {
      h.tickets.rollouts.pageSize = undefined;
    }
    await eventually(async () => bodyOf(await h.api(`/api/v1/rollouts/${rolloutId}`), rolloutResponse).done >= 2, 60_000, 'two pages done');
    await h.stopWorker();
    const stopped = bodyOf(await h.api(`/api/v1/rollouts/${rolloutId}`), rolloutResponse);
    assert.equal(stopped.status, 'running', `the rollout was still under way when the worker stopped: ${JSON.stringify(stopped)}`);
    await h.startWorker();
    const r = await finished(h, rolloutId, 150_000);
    // The tier's other open tickets (earlier tests) are on the policy too.
    assert.ok(r.affected >= 8, JSON.stringify(r));
    assert.deepEqual([r.done, r.unchanged, r.failed], [r.affected, 0, 0]);
    for (const id of tickets) assert.equal(await retargetEvents(h, id, rolloutId), 1, `ticket ${id}`);
  });
});
