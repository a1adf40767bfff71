/**
 * The repeating clocks' settings through the API: an SLA policy's nextReplyMinutes and
 * updateEveryMinutes with their ladders (a save that leaves them out keeps them, as the
 * console's form does), an incident policy's updateEveryMinutes, and what a ticket or an
 * incident started afterwards shows in its live state.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, createCalendar, createOrg, createTicket, detailPaths, eventually } from './api-helpers';

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
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.nextReplyMinutes, null);
    assert.equal(created.body.updateEveryMinutes, null);
    assert.deepEqual(created.body.updateEscalations.map((s: { percent: number }) => s.percent), [80, 100], 'the cadence ladder: remind at 80%, escalate at 100%');
    const id = created.body.id;

    const ladder = [{ percent: 50, actions: [{ type: 'notify', role: 'lead' }] }, { percent: 100, actions: [] }];
    const set = await h.api(`/api/v1/sla-policies/${id}`, { method: 'PUT', body: { ...base(), nextReplyMinutes: 30, nextReplyEscalations: ladder, updateEveryMinutes: 120 } });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual([set.body.nextReplyMinutes, set.body.nextReplyEscalations, set.body.updateEveryMinutes], [30, ladder, 120]);

    const kept = await h.api(`/api/v1/sla-policies/${id}`, { method: 'PUT', body: { ...base(), firstResponseMinutes: 45 } });
    assert.equal(kept.status, 200, JSON.stringify(kept.body));
    assert.deepEqual([kept.body.firstResponseMinutes, kept.body.nextReplyMinutes, kept.body.updateEveryMinutes], [45, 30, 120]);

    const cleared = await h.api(`/api/v1/sla-policies/${id}`, { method: 'PUT', body: { ...base(), nextReplyMinutes: null, updateEveryMinutes: null } });
    assert.deepEqual([cleared.body.nextReplyMinutes, cleared.body.updateEveryMinutes], [null, null]);
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
      assert.ok(detailPaths(res).some((p) => p.startsWith(path)), JSON.stringify(res.body.error.details));
    }
  });

  it('a ticket created under the policy shows its next-reply cycles and update cadence in GET /tickets/:id/sla', async () => {
    const p = await h.api('/api/v1/sla-policies', { body: { ...base(), name: 'premium normal', priority: 'normal', nextReplyMinutes: 30, updateEveryMinutes: 120 } });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    const org = await createOrg(h, 'premium');
    const t = await createTicket(h, { subject: 'Slow exports', priority: 'normal', organizationId: org.id });
    const sla0 = (await h.api(`/api/v1/tickets/${t.id}/sla`)).body;
    assert.deepEqual([sla0.nextReply, sla0.updateCadence], [[], null], 'no cycle before first response; nothing owed while new');
    assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'On it.' } })).status, 201);
    const sla1 = await eventually(async () => {
      const s = (await h.api(`/api/v1/tickets/${t.id}/sla`)).body;
      return s.updateCadence && s;
    }, 10_000, 'the update cadence');
    assert.equal(sla1.updateCadence.name, 'update');
    assert.equal(Date.parse(sla1.updateCadence.dueAt) - Date.parse(sla1.updateCadence.startedAt), 120 * 60_000);
    assert.deepEqual(sla1.updateCadence.escalations.map((e: { percent: number }) => e.percent), [80, 100]);
  });

  it('an incident policy owes updates every updateEveryMinutes; an incident declared afterwards shows the cadence', async () => {
    const policies = (await h.api('/api/v1/incident-policies')).body.data as Array<Record<string, unknown>>;
    const low = policies.find((p) => p.severity === 'low')!;
    assert.equal(low.updateEveryMinutes, null);
    const { severity: _s, updatedAt: _u, ...body } = low;
    const put = await h.api('/api/v1/incident-policies/low', { method: 'PUT', body: { ...body, updateEveryMinutes: 60 } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.updateEveryMinutes, 60);
    assert.deepEqual(put.body.updateEscalations.map((s: { percent: number }) => s.percent), [80, 100]);
    const inc = await h.api('/api/v1/incidents', { body: { title: 'Search is slow', severity: 'low' } });
    assert.equal(inc.status, 201, JSON.stringify(inc.body));
    const detail = await eventually(async () => {
      const d = (await h.api(`/api/v1/incidents/${inc.body.id}`)).body;
      return d.sla?.updateCadence && d;
    }, 10_000, 'the incident cadence');
    assert.equal(Date.parse(detail.sla.updateCadence.dueAt) - Date.parse(detail.sla.updateCadence.startedAt), 60 * 60_000);
    assertError(await h.api('/api/v1/incident-policies/low', { method: 'PUT', body: { ...body, updateEveryMinutes: 0 } }), 400, 'validation_failed');
  });
});
