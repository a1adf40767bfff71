/**
 * POST /api/v1/tickets/:id/escalate on the real stack: the next ladder step's actions run at
 * once (their outcomes on the timeline under manual ids), the ladder's own steps stay unfired,
 * and a ticket with nothing to escalate to answers 409 and changes nothing.
 */
import assert from 'node:assert/strict';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createKey, createOrg, createTicket, eventually } from './api-helpers';
import { eventList, ticketSlaResponse } from '../../src/http/api/openapi/responses';

describe('API: escalate now', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let enterprise: { id: string };
  let community: { id: string };

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    enterprise = await createOrg(h, 'enterprise');
    community = await createOrg(h, 'community');
  });
  after(async () => h?.close());

  it('runs the next step’s actions now; the ladder keeps its schedule', async () => {
    const t = await createTicket(h, { subject: 'Production is down', priority: 'urgent', organizationId: enterprise.id });
    const agent = await createKey(h, 'agent');
    const res = await h.api(`/api/v1/tickets/${t.id}/escalate`, { key: agent.key, body: {} });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { escalated: { clock: 'first_response', percent: 80, step: 'first_response:0:80' } });
    const outcomes = await eventually(
      async () => {
        const events = bodyOf(await h.api(`/api/v1/tickets/${t.id}/events`), eventList).data as Array<{ type: string; data: { step?: string } }>;
        const found = events.filter((e) => e.type.startsWith('action.') && e.data.step?.startsWith('first_response:0:80:manual:'));
        return found.length ? found : null;
      },
      15_000,
      'the manual escalation’s action outcomes',
    );
    assert.equal(outcomes.length, 1, 'enterprise urgent at 80%: one action (notify the manager)');
    const sla = bodyOf(await h.api(`/api/v1/tickets/${t.id}/sla`), ticketSlaResponse);
    assert.deepEqual(sla.firstResponse?.escalations.map((e: { fired: boolean }) => e.fired), [false, false, false]);
    // A second escalation goes to the same next step again (the ladder has not moved).
    const again = await h.api(`/api/v1/tickets/${t.id}/escalate`, { key: agent.key, body: { clock: 'resolution' } });
    assert.deepEqual(again.body, { escalated: { clock: 'resolution', percent: 80, step: 'resolution:0:80' } });
  });

  it('409 when there is nothing to escalate to; customers may not escalate', async () => {
    const none = await createTicket(h, { subject: 'Production is down', organizationId: community.id });
    // The workflow writes ticket.created on its first task; count after it.
    const before = await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${none.id}/events`), eventList).data.length, 10_000, 'ticket.created');
    assertError(await h.api(`/api/v1/tickets/${none.id}/escalate`, { body: {} }), 409, 'nothing_to_escalate');
    assert.equal(bodyOf(await h.api(`/api/v1/tickets/${none.id}/events`), eventList).data.length, before);
    const customer = await createKey(h, 'customer', enterprise.id);
    const t = await createTicket(h, { subject: 'Production is down', organizationId: enterprise.id });
    assertError(await h.api(`/api/v1/tickets/${t.id}/escalate`, { key: customer.key, body: {} }), 403, 'forbidden');
    assertError(await h.api(`/api/v1/tickets/${t.id}/escalate`, { body: { clock: 'lunch' } }), 400, 'validation_failed');
  });
});
