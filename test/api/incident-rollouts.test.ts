/**
 * Incident-policy edits reach the incidents already running: saving a severity's policy
 * starts a rollout over that severity's incidents not yet closed, each re-targeted once (a
 * step already fired never fires again, a step whose new instant has passed fires at once,
 * once; an older or equal edit version is refused); and a save whose process dies before
 * its rollout starts loses nothing: the rollout's row committed with the edit, pending, and
 * the worker's reconciliation pass starts it. Real PostgreSQL and the Temporal dev server.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { bodyOf, eventually } from './api-helpers';
import { incidentPolicyResponse, incidentResponse, listOf } from '../../src/http/api/openapi/responses';
import { incidentPolicySavedResponse, rolloutResponse } from '../../src/http/api/openapi/rollout-responses';
import { saveIncidentPolicy } from '../../src/domain/settings/incident-policy-settings';
import { reconcilePendingRollouts, type RolloutStarter } from '../../src/domain/settings/rollouts';
import { incidentPolicySnapshot } from '../../src/db/repositories/incident-policies';
import { incidentActionUpdate, incidentStateQuery, incidentWorkflowId, type IncidentPolicySnapshot, type IncidentSeverity, type IncidentView } from '../../workflows/contract/incident';
import { rolloutWorkflowId } from '../../workflows/contract/rollout';
import type { z } from 'zod';

type Rollout = z.output<typeof rolloutResponse>;
type PolicyBody = Omit<z.output<typeof incidentPolicyResponse>, 'severity' | 'updatedAt'>;

const MIN = 60_000;

describe('API: incident-policy rollouts', function () {
  this.timeout(120_000);
  let h: PacerHarness;

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
  });
  after(async () => h?.close());

  const policyOf = async (severity: IncidentSeverity): Promise<PolicyBody> => {
    const p = bodyOf(await h.api('/api/v1/incident-policies'), listOf(incidentPolicyResponse)).data.find((x) => x.severity === severity);
    assert.ok(p, `a ${severity} policy`);
    const { severity: _s, updatedAt: _u, ...body } = p;
    return body;
  };
  const save = async (severity: IncidentSeverity, body: PolicyBody) => bodyOf(await h.api(`/api/v1/incident-policies/${severity}`, { method: 'PUT', body }), incidentPolicySavedResponse);
  const live = (id: string): Promise<IncidentView> => h.client.workflow.getHandle(incidentWorkflowId(id)).query(incidentStateQuery);
  const declare = async (severity: IncidentSeverity): Promise<{ id: string; createdAt: string }> => {
    const incident = bodyOf(await h.api('/api/v1/incidents', { body: { title: `rollout ${severity} ${crypto.randomBytes(2).toString('hex')}`, severity } }), incidentResponse, 201);
    await eventually(async () => (await live(incident.id)).stateVersion >= 0, 20_000, 'the incident workflow running');
    return incident;
  };
  const finished = (rolloutId: string) =>
    eventually(async () => {
      const r = bodyOf(await h.api(`/api/v1/rollouts/${rolloutId}`), rolloutResponse);
      return r.status === 'finished' ? r : null;
    }, 60_000, `rollout ${rolloutId} to finish`);
  const events = async (incidentId: string, type: string) => (await h.database.db.selectFrom('incident_events').select('data').where('incident_id', '=', incidentId).where('type', '=', type).execute()).map((r) => r.data as Record<string, unknown>);
  const stepFirings = async (incidentId: string, clock: string, percent: number) =>
    (await h.database.db.selectFrom('incident_events').select('data').where('incident_id', '=', incidentId).where('type', 'in', ['incident.escalation', 'incident.sla_breached']).execute()).filter((r) => {
      const d = r.data as { clock: string; percent: number };
      return d.clock === clock && d.percent === percent;
    }).length;

  it("re-targets each incident of the edited severity once, from its detection, and leaves other severities alone", async () => {
    const [a, b, other] = [await declare('medium'), await declare('medium'), await declare('low')];
    const saved = await save('medium', { ...(await policyOf('medium')), acknowledgeMinutes: 30 });
    const r: Rollout = await finished(saved.rolloutId);
    assert.deepEqual([r.kind, r.targetId, r.affected, r.done, r.unchanged, r.failed], ['incident_policy', 'medium', 2, 2, 0, 0]);
    for (const i of [a, b]) {
      assert.equal(Date.parse((await live(i.id)).acknowledgement.dueAt!) - Date.parse(i.createdAt), 30 * MIN);
      const retargeted = await events(i.id, 'incident.retargeted');
      assert.deepEqual(retargeted.map((e) => [e.rolloutId, e.toVersion]), [[saved.rolloutId, (retargeted[0]!.fromVersion as number) + 1]]);
    }
    assert.equal(Date.parse((await live(other.id)).acknowledgement.dueAt!) - Date.parse(other.createdAt), 24 * 60 * MIN, 'low untouched');
    assert.deepEqual(await events(other.id, 'incident.retargeted'), []);
  });

  it('a fired step never fires again; a step whose new instant has passed fires at once, once; the same edit again changes nothing', async () => {
    const i = await declare('high');
    // High pages at 0%: that step has fired before the edit.
    await eventually(async () => (await stepFirings(i.id, 'acknowledgement', 0)) === 1, 20_000, 'the 0% step fired');
    const before = await policyOf('high');
    // A one-minute target with a step at 1% (0.6 s after detection): already past when the edit lands.
    const edited = { ...before, acknowledgeMinutes: 1, acknowledgementEscalations: [...before.acknowledgementEscalations, { percent: 1, actions: [{ type: 'notify', role: 'incident_manager' }] }] };
    const saved = await save('high', edited);
    assert.equal((await finished(saved.rolloutId)).done, 1);
    await eventually(async () => (await stepFirings(i.id, 'acknowledgement', 1)) === 1, 20_000, 'the past-due 1% step fired');
    assert.equal(await stepFirings(i.id, 'acknowledgement', 0), 1, 'the fired 0% step did not fire again');

    const again = await h.tickets.rollouts.start('incident_policy', 'high', (await incidentPolicySnapshot(h.database.db, 'high')).editVersion!, 'test');
    const r = await finished(again);
    assert.deepEqual([r.done, r.unchanged], [0, 1]);
    assert.equal(await stepFirings(i.id, 'acknowledgement', 1), 1, 'still once');
    assert.equal((await events(i.id, 'incident.retargeted')).length, 1);
  });

  it('an older edit version is refused and the incident keeps the newer', async () => {
    const i = await declare('low');
    const saved = await save('low', { ...(await policyOf('low')), resolveMinutes: 48 * 60 });
    await finished(saved.rolloutId);
    const current = (await live(i.id)).resolution;
    const snapshotNow = await incidentPolicySnapshot(h.database.db, 'low');
    const older: IncidentPolicySnapshot = { ...snapshotNow, resolveMinutes: 5, editVersion: snapshotNow.editVersion! - 1 };
    const send = h.client.workflow.getHandle(incidentWorkflowId(i.id)).executeUpdate(incidentActionUpdate, { args: [{ kind: 'retarget', actionId: crypto.randomUUID(), actor: { type: 'system', name: 'rollout' }, policy: older, rollout: { rolloutId: crypto.randomUUID() } }] });
    await assert.rejects(send, (err: unknown) => err instanceof WorkflowUpdateFailedError && (err.cause as { type?: string } | undefined)?.type === 'stale_version');
    assert.deepEqual((await live(i.id)).resolution, current);
  });

  it('a save whose process dies before the rollout starts loses nothing: the pending rollout is started by the reconciliation pass, once', async () => {
    const i = await declare('medium');
    const dying: RolloutStarter = {
      record: (trx, kind, targetId, editVersion, createdBy) => h.tickets.rollouts.record(trx, kind, targetId, editVersion, createdBy),
      launch: () => Promise.reject(new Error('the process died after the commit')),
    };
    const saved = await saveIncidentPolicy(h.database.db, 'medium', { ...(await policyOf('medium')), acknowledgeMinutes: 45 }, { rollouts: dying, by: 'admin:test' });
    assert.equal(bodyOf(await h.api(`/api/v1/rollouts/${saved.rolloutId}`), rolloutResponse).status, 'pending');
    await assert.rejects(h.client.workflow.getHandle(rolloutWorkflowId(saved.rolloutId)).describe(), WorkflowNotFoundError);

    const deps = { db: h.database.db, client: h.client, taskQueue: h.taskQueue };
    assert.deepEqual(await reconcilePendingRollouts(deps), [saved.rolloutId]);
    const r = await finished(saved.rolloutId);
    assert.ok(r.done >= 1 && r.failed === 0, JSON.stringify(r));
    assert.equal(Date.parse((await live(i.id)).acknowledgement.dueAt!) - Date.parse(i.createdAt), 45 * MIN);
    // A start repeated (the save retrying, a second worker's pass) runs nothing more.
    await h.tickets.rollouts.launch(saved.rolloutId);
    assert.deepEqual(await reconcilePendingRollouts(deps), []);
    assert.equal((await events(i.id, 'incident.retargeted')).filter((e) => e.rolloutId === saved.rolloutId).length, 1);
  });
});
