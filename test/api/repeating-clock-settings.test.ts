/**
 * The repeating clocks' settings through the API: an SLA policy's nextReplyMinutes and
 * updateEveryMinutes with their ladders (a save that leaves them out keeps them, as the
 * console's form does), an incident policy's updateEveryMinutes, and what a ticket or an
 * incident started afterwards shows in its live state.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createCalendar, createOrg, createTicket, detailPaths, eventually, instantMs } from './api-helpers';
import { incidentDetailResponse, incidentPolicyResponse, incidentResponse, listOf, slaPolicyResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';
import { slaPolicySavedResponse } from '../../src/http/api/openapi/rollout-responses';

describe('API: next-reply and update-cadence settings', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let calendarId: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    calendarId = (await createCalendar(h, 'repeating clocks calendar')).id;
  });
  after(async () => h?.close());

  const base = () => ({ name: 'premium high', tier: 'premium', priority: 'high', calendarId, firstResponseMinutes: 60, resolutionMinutes: 6000 });

  it('a policy without the new fields has neither clock; the fields round-trip; a save without them keeps them; null clears', async () => {
    const created = await h.api('/api/v1/sla-policies', { body: base() });
    const createdBody = bodyOf(created, slaPolicyResponse, 201);
    assert.equal(createdBody.nextReplyMinutes, null);
    assert.equal(createdBody.updateEveryMinutes, null);
    assert.deepEqual(createdBody.updateEscalations.map((s: { percent: number }) => s.percent), [80, 100], 'the cadence ladder: remind at 80%, escalate at 100%');
    const id = createdBody.id;

    const ladder = [{ percent: 50, actions: [{ type: 'notify', role: 'lead' }] }, { percent: 100, actions: [] }];
    const set = await h.api(`/api/v1/sla-policies/${id}`, { method: 'PUT', body: { ...base(), nextReplyMinutes: 30, nextReplyEscalations: ladder, updateEveryMinutes: 120 } });
    const setBody = bodyOf(set, slaPolicySavedResponse);
    assert.deepEqual([setBody.nextReplyMinutes, setBody.nextReplyEscalations, setBody.updateEveryMinutes], [30, ladder, 120]);

    const kept = await h.api(`/api/v1/sla-policies/${id}`, { method: 'PUT', body: { ...base(), firstResponseMinutes: 45 } });
    const keptBody = bodyOf(kept, slaPolicySavedResponse);
    assert.deepEqual([keptBody.firstResponseMinutes, keptBody.nextReplyMinutes, keptBody.updateEveryMinutes], [45, 30, 120]);

    const cleared = await h.api(`/api/v1/sla-policies/${id}`, { method: 'PUT', body: { ...base(), nextReplyMinutes: null, updateEveryMinutes: null } });
    const clearedBody = bodyOf(cleared, slaPolicySavedResponse);
    assert.deepEqual([clearedBody.nextReplyMinutes, clearedBody.updateEveryMinutes], [null, null]);
    assert.equal((await h.api(`/api/v1/sla-policies/${id}`, { method: 'DELETE' })).status, 204);
  });

  it('bad targets and ladders are 400s naming the field', async () => {
    for (const [body, path] of [
      [{ ...base(), nextReplyMinutes: 0 }, 'nextReplyMinutes'],
      [{ ...base(), nextReplyMinutes: 1.5 }, 'nextReplyMinutes'],
      [{ ...base(), updateEveryMinutes: -1 }, 'updateEveryMinutes'],
      [{ ...base(), nextReplyEscalations: [{ percent: 'soon' }] }, 'nextReplyEscalations'],
    ] as const) {
      const res = await h.api('/api/v1/sla-policies', { body });
      assertError(res, 400, 'validation_failed');
      assert.ok(detailPaths(res).some((p) => p.startsWith(path)), JSON.stringify(res.body));
    }
  });

  it('a ticket created under the policy shows its next-reply cycles and update cadence in GET /tickets/:id/sla', async () => {
    const p = await h.api('/api/v1/sla-policies', { body: { ...base(), name: 'premium normal', priority: 'normal', nextReplyMinutes: 30, updateEveryMinutes: 120 } });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    const org = await createOrg(h, 'premium');
    const t = await createTicket(h, { subject: 'Slow exports', priority: 'normal', organizationId: org.id });
    const sla0 = bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse);
    assert.deepEqual([sla0.nextReply, sla0.updateCadence], [[], null], 'no cycle before first response; nothing owed while new');
    assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'On it.' } })).status, 201);
    const sla1 = await eventually(async () => {
      const s = bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse);
      return s.updateCadence && s;
    }, 10_000, 'the update cadence');
    assert.equal(sla1.updateCadence?.name, 'update');
    assert.equal(instantMs(sla1.updateCadence?.dueAt) - instantMs(sla1.updateCadence?.startedAt), 120 * 60_000);
    assert.deepEqual(sla1.updateCadence?.escalations.map((e: { percent: number }) => e.percent), [80, 100]);
  });

  it('an incident policy owes updates every updateEveryMinutes; an incident declared afterwards shows the cadence', async () => {
    const policies = bodyOf(await h.api('/api/v1/incident-policies'), listOf(incidentPolicyResponse)).data as Array<Record<string, unknown>>;
    const low = policies.find((p) => p.severity === 'low')!;
    assert.equal(low.updateEveryMinutes, null);
    const { severity: _s, updatedAt: _u, ...body } = low;
    const put = await h.api('/api/v1/incident-policies/low', { method: 'PUT', body: { ...body, updateEveryMinutes: 60 } });
    const putBody = bodyOf(put, incidentPolicyResponse);
    assert.equal(putBody.updateEveryMinutes, 60);
    assert.deepEqual(putBody.updateEscalations.map((s: { percent: number }) => s.percent), [80, 100]);
    const inc = await h.api('/api/v1/incidents', { body: { title: 'Search is slow', severity: 'low' } });
    const incBody = bodyOf(inc, incidentResponse, 201);
    const detail = await eventually(async () => {
      const d = bodyOf(await h.api(`/api/v1/incidents/${incBody.id}`), incidentDetailResponse);
      return d.sla?.updateCadence && d;
    }, 10_000, 'the incident cadence');
    assert.equal(instantMs(detail.sla?.updateCadence?.dueAt) - instantMs(detail.sla?.updateCadence?.startedAt), 60 * 60_000);
    assertError(await h.api('/api/v1/incident-policies/low', { method: 'PUT', body: { ...body, updateEveryMinutes: 0 } }), 400, 'validation_failed');
  });
});
