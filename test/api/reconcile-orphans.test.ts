/**
 * Orphan reconciliation on real components (PostgreSQL, the dev server's visibility, the
 * worker): each kind of orphan is made by hand — a row with no workflow, a row whose workflow
 * was terminated mid-life, a running workflow whose row was deleted, one whose row can never
 * be stored — and one pass repairs it. Also: a workflow whose first record is refused ends
 * as failed instead of retrying forever.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { reconcileTicketOrphans, type ReconcileReport } from '../../src/domain/tickets/reconcile-orphans';
import { reconcileIncidentOrphans } from '../../src/domain/incidents/reconcile-incident-orphans';
import { incidentStateQuery, incidentWorkflowId } from '../../workflows/contract/incident';
import { TicketState } from '../../workflows/ticket/ticket-state';
import { slaInputsQuery, ticketWorkflowId, type TicketFacts, type TicketWorkflowInput } from '../../workflows/contract/ticket';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { testTemporalNamespace } from '../support/env';
import { createOrg, createTicket, eventually } from './api-helpers';
import { newTicketRow } from '../../src/db/rows/ticket-rows';

const MINUTE = 60_000;

describe('orphan reconciliation', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let orgId: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    orgId = (await createOrg(h, 'enterprise')).id;
  });
  after(async () => h?.close());

  const pass = () => reconcileTicketOrphans({ db: h.database.db, client: h.client, namespace: testTemporalNamespace(), taskQueue: h.taskQueue, graceMs: 0 });
  /** Passes until one reports the ticket under `kind` (visibility catches up within seconds). */
  const repaired = (kind: keyof ReconcileReport, ticketId: string) => eventually(async () => (await pass())[kind].includes(ticketId), 20_000, `${kind} for ${ticketId}`, 500);
  const row = (id: string) => h.database.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
  const live = (id: string) => h.client.workflow.getHandle(ticketWorkflowId(id)).query(slaInputsQuery);
  const facts = (over: Partial<TicketFacts> = {}): TicketFacts => ({
    id: crypto.randomUUID(),
    number: `TKT-20261201-${String(crypto.randomInt(9000) + 1000)}`,
    subject: 'Orphaned question',
    description: 'Nobody is watching this one',
    priority: 'high',
    status: 'open',
    channel: 'api',
    category: null,
    requesterEmail: 'ann@example.com',
    requesterName: 'Ann',
    assignee: null,
    organizationId: orgId,
    tier: 'enterprise',
    createdAt: new Date(Date.now() - 2 * MINUTE).toISOString(),
    ...over,
  });

  it('starts the workflow of an open row that has none, and its first record and later changes land', async () => {
    const t = facts();
    await h.database.db.insertInto('tickets').values(newTicketRow(t, null, new TicketState(t, null).slaSnapshot())).execute();
    await repaired('workflowsStarted', t.id);
    assert.equal((await live(t.id)).status, 'open');
    await eventually(async () => h.database.db.selectFrom('ticket_events').select('id').where('id', '=', `${t.id}:created`).executeTakeFirst(), 10_000, 'the first record');
    const res = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { priority: 'urgent' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await row(t.id))!.priority, 'urgent');
  });

  it('resumes a ticket whose workflow was terminated mid-life with its clocks, status and state version', async () => {
    const t = await createTicket(h, { subject: 'Export fails', priority: 'normal', organizationId: orgId });
    assert.equal((await h.api(`/api/v1/tickets/${t.id}/comments`, { body: { body: 'Looking.' } })).status, 201);
    assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'pending' } })).status, 200);
    const before = await live(t.id);
    await h.client.workflow.getHandle(ticketWorkflowId(t.id)).terminate('lost in an accident');
    await h.database.db.updateTable('tickets').set({ created_at: new Date(Date.now() - 2 * MINUTE) }).where('id', '=', t.id).execute();

    await repaired('workflowsStarted', t.id);
    const after = await live(t.id);
    assert.deepEqual([after.status, after.stateVersion], ['pending', before.stateVersion]);
    assert.ok(after.events.some((e) => e.type === 'agent_reply'), 'the first response stays met');
    const replies = (i: typeof before) => i.events.filter((e) => e.type === 'public_reply');
    assert.equal(replies(before).length, 1);
    assert.deepEqual(replies(after), replies(before), 'the public comments the next-reply and update clocks listen to come back from the log');
    const res = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { priority: 'high' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const r = (await row(t.id))!;
    assert.deepEqual([r.priority, r.state_version], ['high', before.stateVersion + 1], 'the resumed workflow writes past the old version');
  });

  it('writes the missing row of a running workflow from its state', async () => {
    const t = await createTicket(h, { subject: 'Row goes missing', priority: 'normal', organizationId: orgId });
    assert.equal((await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { priority: 'urgent' } })).status, 200);
    await h.database.db.deleteFrom('tickets').where('id', '=', t.id).execute();

    await repaired('rowsWritten', t.id);
    const r = (await row(t.id))!;
    const state = await live(t.id);
    assert.deepEqual([r.number, r.subject, r.priority, r.status, r.state_version], [t.number, 'Row goes missing', state.priority, state.status, state.stateVersion]);
    assert.equal(r.priority, 'urgent');
    const res = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'open' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await row(t.id))!.status, 'open');
  });

  it('terminates a running workflow whose row the store refuses for good', async () => {
    // A resumed run (carried state) skips the first record, so only the reconciliation meets the poisoned subject.
    const t = facts({ subject: 'poisoned \u0000 subject' });
    const input: TicketWorkflowInput = {
      version: 1,
      ticket: t,
      policy: null,
      carried: { status: 'open', priority: 'high', assignee: null, tier: 'enterprise', policy: null, events: [], fired: [], recentActionIds: [], stateVersion: 3, acknowledged: {}, hookTypes: [] },
    };
    const handle = await h.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(t.id), taskQueue: h.taskQueue, args: [input] });
    await repaired('terminated', t.id);
    assert.equal((await handle.describe()).status.name, 'TERMINATED');
    assert.equal(await row(t.id), undefined);
  });

  it('ends a workflow whose first record is refused as failed, instead of retrying forever', async () => {
    const t = facts({ subject: 'poisoned \u0000 subject' });
    const handle = await h.client.workflow.start('ticketWorkflow', { workflowId: ticketWorkflowId(t.id), taskQueue: h.taskQueue, args: [{ version: 1, ticket: t, policy: null } satisfies TicketWorkflowInput] });
    const failure = await handle.result().then(
      () => null,
      (err: unknown) => err,
    );
    assert.ok(failure instanceof WorkflowFailedError, String(failure));
    assert.ok(failure.cause instanceof ApplicationFailure);
    assert.equal(failure.cause.type, 'ticket_record_refused');
    assert.match(failure.cause.message, /SQLSTATE 22021/);
  });

  describe('incidents', () => {
    const incidentPass = () => reconcileIncidentOrphans({ db: h.database.db, client: h.client, namespace: testTemporalNamespace(), taskQueue: h.taskQueue, graceMs: 0 });
    const incidentRepaired = (kind: keyof ReconcileReport, id: string) => eventually(async () => (await incidentPass())[kind].includes(id), 20_000, `${kind} for incident ${id}`, 500);
    const incidentRow = (id: string) => h.database.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    const incidentLive = (id: string) => h.client.workflow.getHandle(incidentWorkflowId(id)).query(incidentStateQuery);
    const declare = async (title: string) => {
      const res = await h.api('/api/v1/incidents', { body: { title, severity: 'medium' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: string; number: string };
    };

    it('resumes an open incident whose workflow was terminated, acknowledged and at its state version', async () => {
      const i = await declare('Search is slow');
      assert.equal((await h.api(`/api/v1/incidents/${i.id}/acknowledge`, { method: 'POST', body: {} })).status, 200);
      const before = await incidentLive(i.id);
      await h.client.workflow.getHandle(incidentWorkflowId(i.id)).terminate('lost in an accident');

      await incidentRepaired('workflowsStarted', i.id);
      const after = await incidentLive(i.id);
      assert.deepEqual([after.status, after.stateVersion, after.acknowledged?.by], [before.status, before.stateVersion, before.acknowledged?.by]);
      const upd = await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'identified', body: 'Found it.' } });
      assert.equal(upd.status, 201, JSON.stringify(upd.body));
      assert.deepEqual([(await incidentRow(i.id))!.status, (await incidentRow(i.id))!.state_version], ['identified', before.stateVersion + 1]);
    });

    it('writes the missing row of a running incident workflow from its state', async () => {
      const i = await declare('Row goes missing');
      assert.equal((await h.api(`/api/v1/incidents/${i.id}/acknowledge`, { method: 'POST', body: {} })).status, 200);
      await h.database.db.deleteFrom('incident_links').where('incident_id', '=', i.id).execute();
      await h.database.db.deleteFrom('incidents').where('id', '=', i.id).execute();

      await incidentRepaired('rowsWritten', i.id);
      const r = (await incidentRow(i.id))!;
      const live = await incidentLive(i.id);
      assert.deepEqual([r.number, r.title, r.status, r.state_version, r.acknowledged_by], [i.number, 'Row goes missing', live.status, live.stateVersion, live.acknowledged?.by]);
      const upd = await h.api(`/api/v1/incidents/${i.id}/updates`, { body: { status: 'investigating', body: 'Looking.' } });
      assert.equal(upd.status, 201, JSON.stringify(upd.body));
      assert.equal((await incidentRow(i.id))!.status, 'investigating');
    });
  });
});
