/**
 * Nothing wedges a workflow, even input that slipped past the edge: changes sent straight to
 * the workflows (bypassing the API's schemas) that real PostgreSQL refuses — a NUL in a
 * comment, an affected-customer count beyond int4 — fail their caller with the reason, land
 * on the timeline as `change.refused`, leave the live state equal to the row, and every later
 * change lands. A database failure that heals is retried and lands.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type Activities } from '../../activities';
import { incidentActionUpdate, incidentStateQuery, incidentWorkflowId } from '../../workflows/contract/incident';
import { slaInputsQuery, ticketActionUpdate, ticketWorkflowId, type TicketAction } from '../../workflows/contract/ticket';
import type { IncidentAction } from '../../workflows/contract/incident';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, createOrg, createTicket } from './api-helpers';
import { incidentResponse } from '../../src/http/api/openapi/responses';

/** The failure an update ended with: its ApplicationFailure (type and message), or a thrown assertion. */
async function updateFailure(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update failure, got ${String(err)}`);
    assert.ok(err.cause instanceof ApplicationFailure, `expected an ApplicationFailure cause, got ${String(err.cause)}`);
    return err.cause;
  }
  throw new assert.AssertionError({ message: 'the update succeeded' });
}

/** Rejects within `ms`, so a wedged update fails the test instead of hanging it. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms))]);
}

describe('permanent failures: a refused change never wedges a workflow', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let orgId: string;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    orgId = (await createOrg(h, 'enterprise')).id;
  });
  after(async () => h?.close());

  const ticketEvents = (id: string) => h.database.db.selectFrom('ticket_events').select(['type', 'data']).where('ticket_id', '=', id).orderBy('seq').execute();
  const ticketRow = (id: string) => h.database.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const poisonedComment = (): TicketAction => ({ kind: 'comment', actionId: crypto.randomUUID(), actor: { type: 'customer', name: 'ann@example.com' }, body: 'It broke \u0000 again', public: true });

  describe('a ticket', () => {
    let ticket: { id: string };
    let failure: ApplicationFailure;

    before(async () => {
      ticket = await createTicket(h, { subject: 'Export fails', priority: 'normal', organizationId: orgId });
      const handle = h.client.workflow.getHandle(ticketWorkflowId(ticket.id));
      failure = await within(20_000, updateFailure(handle.executeUpdate(ticketActionUpdate, { args: [poisonedComment()] })), 'the poisoned comment');
    });

    it('fails the poisoned update with change_refused and the database reason', () => {
      assert.equal(failure.type, 'change_refused');
      assert.match(failure.message, /SQLSTATE 22021/);
    });

    it('records change.refused on the timeline with the kind and reason, not the text', async () => {
      const refused = (await ticketEvents(ticket.id)).filter((e) => e.type === 'change.refused');
      assert.equal(refused.length, 1);
      const data = refused[0]!.data as { kind: string; failure: string; reason: string };
      assert.equal(data.kind, 'comment');
      assert.equal(data.failure, 'DatabaseDataException');
      assert.ok(!JSON.stringify(data).includes('It broke'), 'the refused text is not copied');
    });

    it('takes back the refused change: no comment row, and the live state version equals the row', async () => {
      const comments = await h.database.db.selectFrom('comments').select('id').where('ticket_id', '=', ticket.id).execute();
      assert.equal(comments.length, 0);
      const live = await h.client.workflow.getHandle(ticketWorkflowId(ticket.id)).query(slaInputsQuery);
      const row = await ticketRow(ticket.id);
      assert.equal(live.stateVersion, row.state_version);
      assert.equal(live.status, row.status);
    });

    it('lands every later change (status, priority, an agent reply), and the row matches the workflow', async () => {
      const status = await within(15_000, h.api(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { status: 'open' } }), 'the status change');
      assert.equal(status.status, 200, JSON.stringify(status.body));
      const priority = await within(15_000, h.api(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { priority: 'urgent' } }), 'the priority change');
      assert.equal(priority.status, 200, JSON.stringify(priority.body));
      const reply = await within(15_000, h.api(`/api/v1/tickets/${ticket.id}/comments`, { body: { body: 'We are on it.' } }), 'the agent reply');
      assert.equal(reply.status, 201, JSON.stringify(reply.body));

      const live = await h.client.workflow.getHandle(ticketWorkflowId(ticket.id)).query(slaInputsQuery);
      const row = await ticketRow(ticket.id);
      assert.deepEqual([row.status, row.priority, row.state_version], [live.status, live.priority, live.stateVersion]);
      assert.equal(row.priority, 'urgent');
      assert.ok(row.fr_met_at, 'the agent reply met the first response');
    });

    it('refuses the same poisoned action again when retried, rather than answering success', async () => {
      const action = poisonedComment();
      const handle = h.client.workflow.getHandle(ticketWorkflowId(ticket.id));
      for (let i = 0; i < 2; i++) assert.equal((await within(20_000, updateFailure(handle.executeUpdate(ticketActionUpdate, { args: [action] })), 'a retry')).type, 'change_refused');
    });
  });

  describe('an incident', () => {
    let incident: { id: string };
    let failure: ApplicationFailure;

    before(async () => {
      const res = await h.api('/api/v1/incidents', { body: { title: 'Checkout errors', severity: 'medium' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      incident = bodyOf(res, incidentResponse, 201);
      // Beyond the int4 column: the API's schema would refuse it; sent straight to the workflow.
      const action: IncidentAction = { kind: 'edit', actionId: crypto.randomUUID(), actor: { type: 'agent', name: 'sam' }, fields: { affectedCustomers: 2_147_483_648 } };
      failure = await within(20_000, updateFailure(h.client.workflow.getHandle(incidentWorkflowId(incident.id)).executeUpdate(incidentActionUpdate, { args: [action] })), 'the huge count');
    });

    it('fails the update with change_refused (numeric out of range) and records change.refused', async () => {
      assert.equal(failure.type, 'change_refused');
      assert.match(failure.message, /SQLSTATE 22003/);
      const refused = await h.database.db.selectFrom('incident_events').select('data').where('incident_id', '=', incident.id).where('type', '=', 'change.refused').execute();
      assert.deepEqual(refused.map((e) => (e.data as { kind: string }).kind), ['edit']);
    });

    it('lands the next change, and the row matches the workflow', async () => {
      const upd = await within(15_000, h.api(`/api/v1/incidents/${incident.id}/updates`, { body: { status: 'identified', body: 'A bad deploy.' } }), 'the next update');
      assert.equal(upd.status, 201, JSON.stringify(upd.body));
      const edit = await within(15_000, h.api(`/api/v1/incidents/${incident.id}`, { method: 'PATCH', body: { affectedCustomers: 1200 } }), 'a sane count');
      assert.equal(edit.status, 200, JSON.stringify(edit.body));
      const live = await h.client.workflow.getHandle(incidentWorkflowId(incident.id)).query(incidentStateQuery);
      const row = await h.database.db.selectFrom('incidents').selectAll().where('id', '=', incident.id).executeTakeFirstOrThrow();
      assert.deepEqual([row.status, row.state_version, row.affected_customers], [live.status, live.stateVersion, 1200]);
    });
  });
});

describe('transient failures: a database failure that heals is retried and lands', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let orgId: string;
  let failuresLeft = 0;
  let attempts = 0;

  before(async function () {
    this.timeout(120_000);
    // The real activity behind an injected outage: the first attempts fail as a refused connection does.
    let real: Activities | undefined;
    h = await startHarness({
      activities: {
        applyTicketChange: async (input) => {
          attempts++;
          if (failuresLeft > 0) {
            failuresLeft--;
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
          }
          real ??= createActivities({ db: h.database.db });
          return real.applyTicketChange(input);
        },
      },
    });
    orgId = (await createOrg(h, 'enterprise')).id;
  });
  after(async () => h?.close());

  it('retries a refused connection until the write lands, and the change succeeds', async () => {
    const t = await createTicket(h, { subject: 'Slow search', priority: 'normal', organizationId: orgId });
    failuresLeft = 2;
    attempts = 0;
    const res = await within(20_000, h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { priority: 'high' } }), 'the change');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(attempts, 3, 'two failed attempts, then the one that landed');
    const row = await h.database.db.selectFrom('tickets').select('priority').where('id', '=', t.id).executeTakeFirstOrThrow();
    assert.equal(row.priority, 'high');
  });
});
