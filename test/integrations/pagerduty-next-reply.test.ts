/**
 * A next-reply step that pages: the alert names the next-reply clock's own due time (not the
 * resolution's), and an acknowledgement in Pacer that names no clock takes the running
 * next-reply cycle too, so its later page step pages nobody and its alert is acknowledged in
 * PagerDuty. The loopback Events API v2 server, real PostgreSQL and the Temporal dev server.
 */
import assert from 'node:assert/strict';
import { bodyOf, createCalendar, createKey, createOrg, createPolicy, createTicket, eventually, sleep } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import type { PagerDutyEventsFake } from '../support/fakes/pagerduty-events-server';
import { dedupKeyOf, startPagerDutyStack, type PagerDutyStack } from '../support/fakes/pagerduty-test-stack';
import { acknowledgeResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';
import { actionEvent, timeline } from '../support/timeline';

interface Trigger { payload: { summary: string; custom_details: { sla: { clock: string; due_at: string | null; percent: number } } } }

describe('PagerDuty: paging on a next-reply step', function () {
  this.timeout(90_000);
  let s: PagerDutyStack;
  let h: PacerHarness;
  let fake: PagerDutyEventsFake;
  let ticketId: string;
  let key: string;

  before(async function () {
    this.timeout(150_000);
    s = await startPagerDutyStack();
    ({ h, fake } = s);
    const calendar = await createCalendar(h, 'always open (next reply paging)');
    // First response and resolution far away with no pages; a one-minute next reply paging at 5% (3 s) and 15% (9 s).
    const ladder = [5, 15].map((percent) => ({ percent, actions: [{ type: 'page' }] }));
    await createPolicy(h, { name: 'starter normal (next reply pages)', tier: 'starter', priority: 'normal', calendarId: calendar.id, firstResponseMinutes: 600, resolutionMinutes: 6000, escalations: [], nextReplyMinutes: 1, nextReplyEscalations: ladder });
    const org = await createOrg(h, 'starter');
    const customerKey = (await createKey(h, 'customer', org.id)).key;
    ticketId = (await createTicket(h, { subject: 'Still failing', priority: 'normal', organizationId: org.id })).id;
    assert.equal((await h.api(`/api/v1/tickets/${ticketId}/comments`, { body: { body: 'Looking into it.' } })).status, 201);
    assert.equal((await h.api(`/api/v1/tickets/${ticketId}/comments`, { key: customerKey, body: { body: 'Any news?' } })).status, 201);
    key = dedupKeyOf(ticketId, 'next_reply', 0);
    await fake.waitFor(() => fake.accepted('trigger', key).length === 1, 20_000, 'the 5% next-reply page');
  });
  after(async () => s?.close());

  it("the alert names the next-reply clock and its running cycle's due time", async () => {
    const sla = bodyOf(await h.api(`/api/v1/tickets/${ticketId}/sla`), ticketSlaResponse);
    const cycle = sla.nextReply?.[0];
    assert.ok(cycle?.dueAt, JSON.stringify(sla.nextReply));
    const { payload } = fake.accepted('trigger', key)[0]!.body as Trigger;
    assert.equal(payload.custom_details.sla.clock, 'next_reply');
    assert.equal(payload.custom_details.sla.due_at, cycle.dueAt);
    assert.notEqual(payload.custom_details.sla.due_at, sla.resolution?.dueAt);
    assert.match(payload.summary, /next reply SLA at 5%/);
  });

  it('an acknowledgement naming no clock takes the running next-reply cycle: no more pages, the alert acknowledged', async function () {
    this.timeout(40_000);
    const ack = bodyOf(await h.api(`/api/v1/tickets/${ticketId}/acknowledge`, { body: {} }), acknowledgeResponse);
    assert.ok(ack.acknowledged.first_response && ack.acknowledged.resolution);
    const event = (await timeline(h, 'tickets', ticketId)).find((e) => e.type === 'sla.acknowledged');
    assert.deepEqual(event?.data.clocks, ['first_response', 'resolution', 'next_reply']);
    await fake.waitFor(() => fake.accepted('acknowledge', key).length === 1, 15_000, 'the acknowledge in PagerDuty');
    const skipped = await eventually(async () => actionEvent(await timeline(h, 'tickets', ticketId), 'action.skipped', 'next_reply:0:15'), 20_000, 'the skipped 15% page');
    assert.match(skipped.data.detail, /acknowledged/);
    await sleep(500);
    assert.equal(fake.accepted('trigger', key).length, 1, 'no second page');
    assert.equal(fake.accepted('acknowledge', key).length, 1);
  });
});
