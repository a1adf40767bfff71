/**
 * A ladder action that fails for good (PagerDuty answers 400 to every event: the routing key
 * is malformed) is recorded as action.failed, once, and the ladder goes on: the next step
 * still fires at its instant and its own action is tried. The same for an incident's page.
 * Real dev server, real @pagerduty/pdjs against the loopback Events API fake. About 15 s.
 */
import assert from 'node:assert/strict';
import { startPagerDutyStack, type PagerDutyStack } from '../support/fakes/pagerduty-test-stack';
import { bodyOf, createTicket, eventually } from './api-helpers';
import { incidentResponse } from '../../src/http/api/openapi/responses';

interface StoredEvent {
  id: string;
  type: string;
  data: unknown;
}

describe('permanent failures: a ladder action refused for good', function () {
  this.timeout(60_000);
  let s: PagerDutyStack;

  before(async function () {
    this.timeout(120_000);
    s = await startPagerDutyStack({ routingKey: 'not-a-routing-key' });
  });
  after(async () => s?.close());

  const stepOf = (e: StoredEvent) => (e.data as { step?: string }).step;

  it('records action.failed for the step, and the next step still fires and tries its action', async () => {
    const t = await createTicket(s.h, { subject: 'Nobody can be paged', priority: 'urgent', organizationId: s.pagingOrgId });
    const events = () => s.h.database.db.selectFrom('ticket_events').select(['id', 'type', 'data']).where('ticket_id', '=', t.id).orderBy('seq').execute();
    // Steps at 5% (3 s) and 15% (9 s) of a one-minute first response, each paging.
    const failed = await eventually(async () => {
      const f = (await events()).filter((e) => e.type === 'action.failed');
      return f.length >= 2 && f;
    }, 25_000, 'both steps failing their page');
    assert.deepEqual(failed.map(stepOf), ['first_response:0:5', 'first_response:0:15'], 'one outcome per step, in order');
    assert.deepEqual((await events()).filter((e) => e.type === 'sla.escalation').map((e) => (e.data as { percent: number }).percent), [5, 15]);
  });

  it('records action.failed on an incident whose page is refused', async () => {
    const res = await s.h.api('/api/v1/incidents', { body: { title: 'Paging is broken', severity: 'critical' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const failed = await eventually(
      async () => s.h.database.db.selectFrom('incident_events').select(['id', 'type', 'data']).where('incident_id', '=', bodyOf(res, incidentResponse, 201).id).where('type', '=', 'action.failed').executeTakeFirst(),
      20_000,
      'the incident page failing',
    );
    assert.equal((failed.data as { failure: string }).failure, 'PagerDutyRejected');
    assert.match((failed.data as { detail: string }).detail, /400/);
  });
});
