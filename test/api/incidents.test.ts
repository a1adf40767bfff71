/**
 * The incidents API on real PostgreSQL and the Temporal dev server (updates, not signals):
 * declaring with idempotency and field-level validation, severity re-targeting, the
 * lifecycle and its refusals, the post-mortem rule, linked tickets waiting on the incident
 * and hearing its public updates, MTTA/MTTR, and the public status page fetched while a
 * component is affected and after the incident resolves.
 */
import assert from 'node:assert/strict';
import { assertError, bodyOf, createCalendar, createKey, createOrg, createTicket, detailPaths, eventually, listComments, type Incident, instantMs } from './api-helpers';
import { componentResponse, eventList, incidentDetailResponse, incidentMetricsResponse, incidentPolicyResponse, incidentResponse, incidentUpdateResponse, listOf, postmortemResponse, statusResponse, ticketResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';
import { isActionEvent, timeline, type ActionEvent } from '../support/timeline';
import { startHarness, type PacerHarness } from '../support/api-harness';

const MIN = 60_000;

/** The public status page as HTML, and the status it shows for one component. */
async function statusPageComponent(h: PacerHarness, componentId: string): Promise<{ html: string; status: string | undefined }> {
  const res = await fetch(`${h.baseUrl}/status`);
  assert.equal(res.status, 200);
  const html = await res.text();
  const m = new RegExp(`data-component-id="${componentId}">.*?data-status="([a-z_]+)"`, 's').exec(html);
  return { html, status: m?.[1] };
}

/** The public status page as JSON (no key), checked against its documented schema. */
async function statusJson(h: PacerHarness) {
  const res = await fetch(`${h.baseUrl}/api/v1/status`);
  return bodyOf({ status: res.status, body: await res.json() }, statusResponse);
}

describe('incidents API', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let orgId: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    orgId = (await createOrg(h, 'enterprise')).id;
  });
  after(async () => h?.close());

  const declare = async (body: Record<string, unknown>, headers?: Record<string, string>) => h.api('/api/v1/incidents', { body: { title: 'Checkout errors', ...body }, headers });
  const incidentCount = async () => Number((await h.database.db.selectFrom('incidents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('declares an incident with its number, default impact and clocks from the severity, idempotently', async () => {
    const res = await declare({ severity: 'critical', description: 'Payments fail' }, { 'idempotency-key': 'inc-1' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const i = bodyOf(res, incidentResponse, 201);
    assert.match(i.number, /^INC-\d{8}-\d{4}$/);
    assert.equal(i.status, 'detected');
    assert.equal(i.impact, 'major_outage');
    assert.equal(i.postmortemRequired, true);
    assert.equal(instantMs(i.acknowledgement.dueAt) - instantMs(i.createdAt), 15 * MIN);
    assert.equal(instantMs(i.resolution.dueAt) - instantMs(i.createdAt), 240 * MIN);

    const again = await declare({ severity: 'critical', description: 'Payments fail' }, { 'idempotency-key': 'inc-1' });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(bodyOf(again, incidentResponse).id, i.id);
    assertError(await declare({ severity: 'high' }, { 'idempotency-key': 'inc-1' }), 409, 'idempotency_key_reused');

    const full = await h.api(`/api/v1/incidents/${i.id}`);
    assert.equal(full.status, 200);
    assert.equal(bodyOf(full, incidentDetailResponse).sla?.acknowledgement.dueAt, i.acknowledgement.dueAt, 'the workflow holds the same clock');
    const events = bodyOf(await h.api(`/api/v1/incidents/${i.id}/events`), eventList).data;
    assert.equal(events[0]?.type, 'incident.created');
  });

  it('refuses bad input with the field named and creates nothing; customers are refused', async () => {
    const before = await incidentCount();
    const bad = await declare({ severity: 'sev0', bogus: 1, affectedCustomers: -1 });
    assertError(bad, 400, 'validation_failed');
    assert.deepEqual(detailPaths(bad).sort(), ['affectedCustomers', 'bogus', 'severity']);
    const unknown = await declare({ severity: 'low', affectedComponents: ['00000000-0000-4000-8000-000000000000'] });
    assertError(unknown, 400, 'validation_failed');
    assert.deepEqual(detailPaths(unknown), ['affectedComponents.0']);
    const customer = await createKey(h, 'customer', orgId);
    assertError(await h.api('/api/v1/incidents', { key: customer.key, body: { title: 'x', severity: 'low' } }), 403, 'forbidden');
    assertError(await h.api('/api/v1/incidents/not-a-uuid'), 400, 'validation_failed');
    assert.equal(await incidentCount(), before, 'nothing created');
  });

  it('re-targets both clocks from detection when the severity changes', async () => {
    const i = bodyOf(await declare({ severity: 'low' }), incidentResponse, 201);
    assert.equal(instantMs(i.acknowledgement.dueAt) - instantMs(i.createdAt), 24 * 60 * MIN);
    const patched = await h.api(`/api/v1/incidents/${i.id}`, { method: 'PATCH', body: { severity: 'high', commander: 'sam' } });
    const patchedBody = bodyOf(patched, incidentResponse);
    assert.equal(patchedBody.severity, 'high');
    assert.equal(patchedBody.commander, 'sam');
    assert.equal(instantMs(patchedBody.acknowledgement.dueAt) - instantMs(i.createdAt), 60 * MIN);
    assert.equal(instantMs(patchedBody.resolution.dueAt) - instantMs(i.createdAt), 8 * 60 * MIN);
    assert.equal(patchedBody.postmortemRequired, true);
    assertError(await h.api(`/api/v1/incidents/${i.id}`, { method: 'PATCH', body: {} }), 400, 'validation_failed');
  });

  describe('a high-severity incident walked through its lifecycle', () => {
    let i: Incident;
    const postmortem = { summary: 'Deploy broke checkout', rootCause: 'Missing canary', actionItems: [{ description: 'Add a canary', owner: 'sam', dueDate: '2027-01-31' }] };

    before(async () => {
      i = bodyOf(await declare({ severity: 'high' }), incidentResponse, 201);
    });

    it('is acknowledged once; a second acknowledgement is refused', async () => {
      const ack = await h.api(`/api/v1/incidents/${i.id}/acknowledge`, { method: 'POST', body: {} });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.ok(bodyOf(ack, incidentResponse).acknowledgement.acknowledgedAt);
      assertError(await h.api(`/api/v1/incidents/${i.id}/acknowledge`, { method: 'POST', body: {} }), 409, 'already_acknowledged');
    });

    it('refuses closing an unresolved incident, and an update that says nothing', async () => {
      assertError(await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'closed' } }), 409, 'invalid_transition');
      assertError(await h.api(`/api/v1/incidents/${i.id}/updates`, { body: {} }), 400, 'validation_failed');
    });

    it('takes a status update, public by default', async () => {
      const upd = await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'identified', body: 'A bad deploy.' } });
      const updBody = bodyOf(upd, incidentUpdateResponse, 201);
      assert.deepEqual([updBody.status, updBody.body, updBody.public], ['identified', 'A bad deploy.', true]);
    });

    it('refuses a post-mortem before resolution, and closing without one after it', async () => {
      assertError(await h.api(`/api/v1/incidents/${i.id}/postmortem`, { method: 'PUT', body: postmortem }), 409, 'not_resolved');
      assert.equal((await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'resolved', body: 'Rolled back.' } })).status, 201);
      assertError(await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'closed' } }), 409, 'postmortem_required');
    });

    it('names the bad field of a post-mortem, then records a good one', async () => {
      const badPm = await h.api(`/api/v1/incidents/${i.id}/postmortem`, { method: 'PUT', body: { ...postmortem, actionItems: [{ description: 'x', owner: 'sam', dueDate: 'soon' }] } });
      assert.deepEqual(detailPaths(badPm), ['actionItems.0.dueDate']);
      const pm = await h.api(`/api/v1/incidents/${i.id}/postmortem`, { method: 'PUT', body: postmortem });
      assert.equal(pm.status, 200, JSON.stringify(pm.body));
      assert.equal(bodyOf(pm, postmortemResponse).actionItems[0]?.owner, 'sam');
    });

    it('closes once its post-mortem is recorded', async () => {
      const closed = await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'closed', public: false } });
      assert.equal(closed.status, 201, JSON.stringify(closed.body));
      const after = bodyOf(await h.api(`/api/v1/incidents/${i.id}`), incidentDetailResponse);
      assert.equal(after.status, 'closed');
      assert.ok(after.closedAt);
      assert.equal(after.postmortem?.rootCause, 'Missing canary');
    });

    it('counts towards MTTA and MTTR of its severity; a reversed range is refused', async () => {
      const metrics = await h.api('/api/v1/incidents/metrics');
      assert.equal(metrics.status, 200);
      const high = bodyOf(metrics, incidentMetricsResponse).bySeverity.find((m) => m.severity === 'high');
      assert.ok(high, 'a row for high severity');
      assert.ok(high.acknowledged >= 1 && high.resolved >= 1, JSON.stringify(high));
      assert.ok(high.mttaSeconds !== null && high.mttaSeconds < 60 && high.mttrSeconds !== null && high.mttrSeconds < 120, JSON.stringify(high));
      assertError(await h.api('/api/v1/incidents/metrics?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z'), 400, 'validation_failed');
    });
  });

  describe('linked tickets, ladders and the status page', () => {
    it('linked tickets wait on the incident and get its public updates as comments; unlinking resumes the clock', async () => {
      const t = await createTicket(h, { subject: 'Cannot pay', priority: 'urgent', organizationId: orgId });
      const i = bodyOf(await declare({ severity: 'medium', sourceTicketId: t.id }), incidentResponse, 201);
      await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse).firstResponse?.pauseReason === 'incident', 10_000, 'the ticket waiting on its incident');
      const detail = bodyOf(await h.api(`/api/v1/incidents/${i.id}`), incidentDetailResponse);
      assert.deepEqual(detail.linkedTickets.map((x) => x.id), [t.id]);

      const other = await createTicket(h, { subject: 'Checkout broken', priority: 'high', organizationId: orgId });
      assert.equal((await h.api(`/api/v1/incidents/${i.id}/tickets`, { body: { ticketId: other.id } })).status, 201);
      assertError(await h.api(`/api/v1/incidents/${i.id}/tickets`, { body: { ticketId: other.id } }), 409, 'already_linked');
      assertError(await h.api(`/api/v1/incidents/${i.id}/tickets`, { body: { ticketId: '00000000-0000-4000-8000-000000000000' } }), 400, 'validation_failed');

      await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'investigating', body: 'Looking into failed payments.' } });
      await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { body: 'Internal: suspect the gateway.', public: false } });
      for (const id of [t.id, other.id]) {
        const comments = await eventually(async () => {
          const cs = await listComments(h, id);
          return cs.length >= 1 && cs;
        }, 10_000, 'the public update on the ticket');
        assert.deepEqual(comments.map((c) => [c.body, c.public, c.author.type]), [[`${i.number} — Investigating: Looking into failed payments.`, true, 'system']], 'public updates only, once');
      }

      const unlinked = await h.api(`/api/v1/incidents/${i.id}/tickets/${other.id}`, { method: 'DELETE' });
      assert.equal(unlinked.status, 204);
      await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${other.id}/sla`), ticketSlaResponse).firstResponse?.pauseReason === null, 10_000, 'the unlinked ticket running again');
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse).firstResponse?.pauseReason, 'incident', 'the linked one still waits');
    });

    it('with solveLinkedTickets in its policy, resolving the incident solves its linked tickets; policies are validated field by field', async () => {
      const policies = bodyOf(await h.api('/api/v1/incident-policies'), listOf(incidentPolicyResponse)).data;
      const low = policies.find((p) => p.severity === 'low');
      assert.ok(low, 'a policy for low severity');
      assert.deepEqual([low.acknowledgeMinutes, low.resolveMinutes, low.postmortemRequired], [1440, 4320, false]);
      const bad = await h.api('/api/v1/incident-policies/low', { method: 'PUT', body: { ...low, severity: undefined, updatedAt: undefined, acknowledgeMinutes: 0, solveLinkedTickets: 'yes' } });
      assertError(bad, 400, 'validation_failed');
      assert.deepEqual(detailPaths(bad).sort(), ['acknowledgeMinutes', 'solveLinkedTickets']);
      assertError(await h.api('/api/v1/incident-policies/sev0', { method: 'PUT', body: {} }), 400, 'validation_failed');
      const { severity: _s, updatedAt: _u, ...body } = low;
      const put = await h.api('/api/v1/incident-policies/low', { method: 'PUT', body: { ...body, solveLinkedTickets: true } });
      assert.equal(put.status, 200, JSON.stringify(put.body));

      const t = await createTicket(h, { subject: 'Reports are empty', priority: 'normal', organizationId: orgId });
      const i = bodyOf(await declare({ title: 'Reporting lag', severity: 'low', sourceTicketId: t.id }), incidentResponse, 201);
      await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'resolved', body: 'Reports are current again.' } });
      await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse).status === 'solved', 10_000, 'the linked ticket solved');
      const comments = await listComments(h, t.id);
      assert.deepEqual(comments.map((c) => c.body), [`${i.number} — Resolved: Reports are current again.`], 'the customer is told why');
    });

    it('a ticket ladder step with create_incident declares one incident, linked to the ticket, once', async function () {
      this.timeout(40_000);
      const cal = await createCalendar(h, 'always (incident ladder test)');
      const policy = await h.api('/api/v1/sla-policies', {
        body: { name: 'starter urgent (declares incidents)', tier: 'starter', priority: 'urgent', calendarId: cal.id, firstResponseMinutes: 1, resolutionMinutes: 600, escalations: [{ percent: 5, actions: [{ type: 'create_incident', severity: 'critical' }] }] },
      });
      assert.equal(policy.status, 201, JSON.stringify(policy.body));
      const org = await createOrg(h, 'starter');
      const t = await createTicket(h, { subject: 'Everything is down', priority: 'urgent', organizationId: org.id });
      const incident = await eventually(
        async () => h.database.db.selectFrom('incidents').selectAll().where('source_ticket_id', '=', t.id).executeTakeFirst(),
        15_000,
        'the incident the ladder declares',
      );
      assert.equal(incident.severity, 'critical');
      assert.equal(incident.title, `${t.number}: Everything is down`);
      const done = await eventually(
        async () => (await timeline(h, 'tickets', t.id)).find((e): e is ActionEvent => isActionEvent(e, 'action.done') && e.data.action.type === 'create_incident'),
        10_000,
        'the action outcome on the ticket',
      );
      assert.equal(done.data.detail, `declared incident ${incident.number} (critical)`);
      await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse).firstResponse?.pauseReason === 'incident', 10_000, 'the ticket waiting on it');
      assert.equal((await h.database.db.selectFrom('incidents').select('id').where('source_ticket_id', '=', t.id).execute()).length, 1, 'one incident');
    });

    it('the public status page shows an affected component during the incident and operational after it resolves', async () => {
      const cBody = bodyOf(await h.api('/api/v1/components', { body: { name: 'Payments API', group: 'Checkout' } }), componentResponse, 201);
      const componentStatus = () => statusPageComponent(h, cBody.id);
      assert.equal((await componentStatus()).status, 'operational');

      const i = bodyOf(await declare({ title: 'Payments degraded', severity: 'high', impact: 'partial_outage', affectedComponents: [cBody.id], commander: 'secret-commander' }), incidentResponse, 201);
      await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'identified', body: 'Card payments are slow; we are failing over.' } });
      await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { body: 'Internal only: vendor ticket 42.', public: false } });
      const during = await componentStatus();
      assert.equal(during.status, 'partial_outage');
      assert.match(during.html, /Payments degraded/);
      assert.match(during.html, /Card payments are slow; we are failing over\./);
      assert.doesNotMatch(during.html, /vendor ticket 42|secret-commander/, 'nothing internal on the public page');
      assert.equal((await statusJson(h)).components.find((x) => x.id === cBody.id)?.status, 'partial_outage');

      await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'resolved', body: 'Payments are back to normal.' } });
      const after = await componentStatus();
      assert.equal(after.status, 'operational');
      const stretches = await h.database.db.selectFrom('component_impacts').selectAll().where('incident_id', '=', i.id).execute();
      assert.equal(stretches.length, 1);
      assert.ok(stretches[0]!.ended_at, 'the impact stretch ended at resolution');
    });
  });
});
