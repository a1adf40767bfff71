/**
 * What a customer key reads of a ticket that carries every kind of internal detail: an
 * assignee, an internal note, an acknowledgement by a named agent, an on_hold pause, a linked
 * incident, a fired ladder step under its own policy and a Jira link. Every read a customer
 * may make is serialized and searched for those values; the same reads with an agent key
 * contain them, so the search is known to look in the right places.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startHarness, type PacerHarness } from '../support/api-harness';
import { assertError, bodyOf, createCalendar, createKey, createOrg, createPolicy, createTicket, eventually } from './api-helpers';
import { apiKeyCreatedResponse, commentResponse, incidentResponse, ticketPage, ticketResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';

describe('API: a customer reads no internal detail', function () {
  this.timeout(60_000);
  let h: PacerHarness;
  let customerKey: string;
  let agentKey: string;
  let ticket: { id: string; number: string };
  const tag = crypto.randomBytes(4).toString('hex');
  /** Internal values the ticket carries; none may reach the customer. */
  const internal: Record<string, string> = {};

  before(async function () {
    this.timeout(120_000);
    h = await startHarness();
    const calendar = await createCalendar(h, `always open ${tag}`);
    // The first-response ladder fires at 1% of one minute (0.6 s); on_hold pauses resolution.
    const policy = await createPolicy(h, {
      name: `Starter low internal ${tag}`, tier: 'starter', priority: 'low', calendarId: calendar.id,
      firstResponseMinutes: 1, resolutionMinutes: 600, pauseOn: ['pending', 'on_hold'],
      escalations: [{ percent: 1, actions: [{ type: 'notify', role: 'manager' }] }],
    });
    internal.policyId = policy.id;
    internal.policyName = policy.name;
    const org = await createOrg(h, 'starter');
    customerKey = (await createKey(h, 'customer', org.id)).key;
    const ackName = `Ackerman ${tag}`;
    const ack = await h.api('/api/v1/api-keys', { body: { name: ackName, role: 'agent' } });
    assert.equal(ack.status, 201, JSON.stringify(ack.body));
    agentKey = bodyOf(ack, apiKeyCreatedResponse, 201).key;
    internal.acknowledgedBy = ackName;

    ticket = await createTicket(h, { subject: 'Exports are slow', description: 'Since Monday.', priority: 'low' }, customerKey);
    // The named agent only acknowledges: a public reply would rightly show its author's name.
    const agentApi = (path: string, init: { method?: string; body?: unknown } = {}) => h.api(path, init);

    internal.assignee = `Zed Internal ${tag}`;
    assert.equal((await agentApi(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { assignee: internal.assignee } })).status, 200);
    internal.stepId = 'first_response:0:1';
    await eventually(async () => bodyOf(await agentApi(`/api/v1/tickets/${ticket.id}/sla`), ticketSlaResponse).firstResponse?.escalations[0]?.fired === true, 20_000, 'the ladder step at 1% fired');

    internal.note = `customer is on the legacy plan ${tag}`;
    const note = await agentApi(`/api/v1/tickets/${ticket.id}/comments`, { body: { body: internal.note, public: false } });
    internal.noteId = bodyOf(note, commentResponse, 201).id;
    const reply = await agentApi(`/api/v1/tickets/${ticket.id}/comments`, { body: { body: 'We are looking into it.', public: true } });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    assert.equal((await h.api(`/api/v1/tickets/${ticket.id}/acknowledge`, { key: agentKey, body: {} })).status, 200);
    assert.equal((await agentApi(`/api/v1/tickets/${ticket.id}`, { method: 'PATCH', body: { status: 'on_hold' } })).status, 200);
    internal.onHold = 'on_hold';

    const incident = await agentApi('/api/v1/incidents', { body: { title: `Export workers saturated ${tag}`, severity: 'medium' } });
    const incidentBody = bodyOf(incident, incidentResponse, 201);
    internal.incidentId = incidentBody.id;
    internal.incidentNumber = incidentBody.number;
    assert.equal((await agentApi(`/api/v1/incidents/${incidentBody.id}/tickets`, { body: { ticketId: ticket.id } })).status, 201);
    internal.jiraKey = `OPS-${crypto.randomInt(10_000, 99_999)}`;
    await h.database.db.insertInto('ticket_links').values({ ticket_id: ticket.id, kind: 'jira', external_key: internal.jiraKey, url: `https://jira.test/browse/${internal.jiraKey}`, data: JSON.stringify({}) }).execute();
    await eventually(async () => JSON.stringify((await agentApi(`/api/v1/tickets/${ticket.id}/events`)).body).includes(internal.incidentId!), 15_000, 'the incident link on the timeline');
  });
  after(async () => h?.close());

  /** Everything the key reads about the ticket, serialized. */
  async function everything(key: string): Promise<string> {
    const paths = [
      `/api/v1/tickets/${ticket.id}`,
      '/api/v1/tickets',
      `/api/v1/tickets?status=open`,
      `/api/v1/tickets/${ticket.id}/sla`,
      `/api/v1/tickets/${ticket.id}/events`,
      `/api/v1/tickets/${ticket.id}/comments`,
      '/api/v1/sla/breaches',
      '/api/v1/sla/at-risk',
    ];
    const bodies: unknown[] = [];
    for (const path of paths) {
      const res = await h.api(path, { key });
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      bodies.push(res.body);
    }
    // Integration links are for staff only: a customer's answer is a 403, searched all the same.
    bodies.push((await h.api(`/api/v1/tickets/${ticket.id}/links`, { key })).body);
    const patched = await h.api(`/api/v1/tickets/${ticket.id}`, { key, method: 'PATCH', body: {} });
    if (patched.status === 200) bodies.push(bodyOf(patched, ticketResponse));
    return JSON.stringify(bodies);
  }

  it("an agent's reads carry every internal value (the search looks in the right places)", async () => {
    const json = await everything(agentKey);
    for (const [what, value] of Object.entries(internal)) assert.ok(json.includes(value), `${what} (${value}) missing from the agent's reads`);
  });

  it("a customer's reads carry none of them", async () => {
    const json = await everything(customerKey);
    for (const [what, value] of Object.entries(internal)) assert.ok(!json.includes(value), `${what} (${value}) reached the customer`);
    assert.ok(json.includes(ticket.number) && json.includes('We are looking into it.'), 'the public parts are there');
  });

  it('a customer sees on_hold as open, and an open filter finds the ticket', async () => {
    const res = await h.api(`/api/v1/tickets/${ticket.id}`, { key: customerKey });
    const body = bodyOf(res, ticketResponse);
    assert.equal(body.status, 'open');
    assert.equal(body.assignee, null);
    assert.equal(body.policyId, null);
    const list = await h.api('/api/v1/tickets?status=open', { key: customerKey });
    assert.deepEqual(bodyOf(list, ticketPage).data.map((t: { id: string }) => t.id), [ticket.id]);
    assert.deepEqual(bodyOf(await h.api('/api/v1/tickets?status=on_hold', { key: customerKey }), ticketPage).data, []);
  });

  it("a customer's clocks show no ladder, no acknowledgement and no internal pause", async () => {
    const sla = bodyOf(await h.api(`/api/v1/tickets/${ticket.id}/sla`, { key: customerKey }), ticketSlaResponse);
    assert.deepEqual(sla.firstResponse?.escalations, []);
    assert.deepEqual(sla.acknowledged, {});
    assert.equal(sla.policyName, null);
    assert.equal(sla.resolution?.pauseReason, null);
    assert.equal(sla.resolution?.pausedSince, null);
    const agents = bodyOf(await h.api(`/api/v1/tickets/${ticket.id}/sla`, { key: agentKey }), ticketSlaResponse);
    assert.notEqual(agents.resolution?.pauseReason, null, 'the agent sees why the clock waits');
  });

  it('a customer sees "waiting on you" when the ticket is pending', async () => {
    assert.equal((await h.api(`/api/v1/tickets/${ticket.id}`, { key: agentKey, method: 'PATCH', body: { status: 'pending' } })).status, 200);
    const sla = await eventually(async () => {
      const body = bodyOf(await h.api(`/api/v1/tickets/${ticket.id}/sla`, { key: customerKey }), ticketSlaResponse);
      return body.resolution?.pauseReason === 'pending' ? body : null;
    }, 10_000, 'the pending pause');
    assert.ok(sla.resolution?.pausedSince);
    assert.equal(bodyOf(await h.api(`/api/v1/tickets/${ticket.id}`, { key: customerKey }), ticketResponse).status, 'pending');
    assert.equal((await h.api(`/api/v1/tickets/${ticket.id}`, { key: agentKey, method: 'PATCH', body: { status: 'on_hold' } })).status, 200);
  });

  it('a customer may not read integration links nor filter by assignee', async () => {
    assertError(await h.api(`/api/v1/tickets/${ticket.id}/links`, { key: customerKey }), 403, 'forbidden');
    assertError(await h.api(`/api/v1/tickets?assignee=${encodeURIComponent(internal.assignee!)}`, { key: customerKey }), 400, 'validation_failed');
  });
});
