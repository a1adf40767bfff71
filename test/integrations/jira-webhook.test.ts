/**
 * Jira's webhook into Pacer: an issue moved to done (as the fake's changelog and Jira Cloud's
 * `jira:issue_updated` event describe it) adds one internal note to the linked ticket
 * through its workflow, however often it is delivered; a missing or wrong shared secret gets
 * 401 and changes nothing; other changes, unlinked issues and ended tickets are answered and
 * ignored. About 10 s.
 */
import assert from 'node:assert/strict';
import { assertError, bodyOf, createKey, createTicket, eventually } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import type { JiraCloudFake } from '../support/fakes/jira-cloud-server';
import { startJiraStack, type JiraStack } from '../support/fakes/jira-test-stack';
import { commentResponse, eventList, jiraLinkResponse, listOf } from '../../src/http/api/openapi/responses';

const DANA = { accountId: '712020:6f1c2b1e-dana', displayName: 'Dana Developer' };

describe('Jira: the issue webhook', function () {
  this.timeout(30_000);
  let s: JiraStack;
  let h: PacerHarness;
  let fake: JiraCloudFake;

  before(async function () {
    this.timeout(120_000);
    s = await startJiraStack();
    ({ h, fake } = s);
  });
  after(async () => s?.close());

  /** A ticket without SLA whose issue an agent opened (asking for comment copies). */
  const linkedTicket = async (subject: string) => {
    const t = await createTicket(h, { subject, priority: 'normal', organizationId: s.quietOrgId });
    const res = await h.api(`/api/v1/tickets/${t.id}/jira`, { body: { syncComments: true } });
    const resBody = bodyOf(res, jiraLinkResponse, 201);
    return { ticket: t, key: resBody.key as string, url: resBody.url as string };
  };

  const deliver = async (event: unknown, how: { secret?: string | null; via?: 'header' | 'query'; id?: string } = {}) => {
    const secret = how.secret === undefined ? s.webhookSecret : how.secret;
    const via = how.via ?? 'header';
    const query = secret !== null && via === 'query' ? `?secret=${encodeURIComponent(secret)}` : '';
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Atlassian Webhook HTTP Client' };
    if (secret !== null && via === 'header') headers['x-pacer-webhook-secret'] = secret;
    if (how.id) headers['x-atlassian-webhook-identifier'] = how.id;
    const res = await fetch(s.webhookUrl + query, { method: 'POST', headers, body: typeof event === 'string' ? event : JSON.stringify(event) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  const comments = async (ticketId: string) => bodyOf(await h.api(`/api/v1/tickets/${ticketId}/comments`), listOf(commentResponse)).data as Array<{ body: string; public: boolean; author: { type: string; name: string } }>;
  const eventCount = async (ticketId: string) => bodyOf(await h.api(`/api/v1/tickets/${ticketId}/events`), eventList).data.length as number;

  it('moving the issue to Done adds one internal note by the system; redeliveries add nothing', async () => {
    const { ticket, key, url } = await linkedTicket('Export fails');
    const { event } = fake.transition(key, 'Done', DANA);

    const first = await deliver(event, { id: 'delivery-1' });
    assert.deepEqual(first, { status: 200, body: { status: 'noted' } });
    const notes = await comments(ticket.id);
    assert.deepEqual(notes.map((c) => ({ body: c.body, public: c.public, author: c.author })), [
      { body: `Jira ${key} moved to Done by Dana Developer (${url}).`, public: false, author: { type: 'system', name: 'jira' } },
    ]);
    const customer = await createKey(h, 'customer', s.quietOrgId);
    assert.deepEqual(bodyOf(await h.api(`/api/v1/tickets/${ticket.id}/comments`, { key: customer.key }), listOf(commentResponse)).data, [], 'customers do not see it');

    // The same delivery again (Jira retries), with the secret in the query this time.
    assert.deepEqual(await deliver(event, { via: 'query', id: 'delivery-1' }), { status: 200, body: { status: 'duplicate' } });
    // Even when the delivery record is gone, the workflow applies the change's action id once.
    await h.database.db.deleteFrom('inbound_webhooks').execute();
    assert.deepEqual(await deliver(event, { id: 'delivery-2' }), { status: 200, body: { status: 'noted' } });
    assert.equal((await comments(ticket.id)).length, 1, 'one note');
    const row = await h.database.db.selectFrom('ticket_links').select('data').where('ticket_id', '=', ticket.id).where('kind', '=', 'jira').executeTakeFirstOrThrow();
    assert.equal(row.data.status, 'Done');

    // An internal note is not copied back to Jira, though the ticket copies public comments.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(fake.issue(key)!.comments.length, 0);
  });

  it('a missing or wrong secret gets 401 and changes nothing', async () => {
    const { ticket, key } = await linkedTicket('Secret check');
    const { event } = fake.transition(key, 'Done', DANA);
    // The workflow records the ticket's creation in the background; count from there.
    await eventually(async () => (await eventCount(ticket.id)) > 0, 5_000, 'ticket.created');
    const before = { events: await eventCount(ticket.id), claims: (await h.database.db.selectFrom('inbound_webhooks').selectAll().execute()).length };

    for (const how of [{ secret: null }, { secret: 'wrong' }, { secret: 'wrong', via: 'query' as const }, { secret: `${s.webhookSecret}x` }, { secret: '' }]) {
      const res = await deliver(event, how);
      assertError(res, 401, 'invalid_secret');
    }
    assert.deepEqual(await comments(ticket.id), []);
    assert.equal(await eventCount(ticket.id), before.events);
    assert.equal((await h.database.db.selectFrom('inbound_webhooks').selectAll().execute()).length, before.claims);
  });

  it('other changes, other events, unlinked issues and ended tickets are answered and ignored; malformed bodies get 400', async () => {
    const { ticket, key } = await linkedTicket('Not done yet');
    assert.deepEqual(await deliver(fake.transition(key, 'In Progress', DANA).event), { status: 200, body: { status: 'ignored' } });
    const created = { ...fake.transition(key, 'To Do', DANA).event, webhookEvent: 'jira:issue_created', changelog: undefined };
    assert.deepEqual(await deliver(created), { status: 200, body: { status: 'ignored' } });
    assert.deepEqual(await comments(ticket.id), []);

    // A workflow's own done status ("Resolved", category done) counts as done.
    const resolved = fake.transition(key, 'Done', DANA).event;
    resolved.changelog.items[0]!.toString = 'Resolved';
    assert.deepEqual(await deliver(resolved), { status: 200, body: { status: 'noted' } });
    assert.match((await comments(ticket.id))[0]!.body, new RegExp(`^Jira ${key} moved to Resolved by Dana Developer`));

    const stranger = await fetch(`${fake.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${fake.email}:${fake.apiToken}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { project: { key: 'PACER' }, issuetype: { name: 'Task' }, summary: 'Not from Pacer' } }),
    });
    const strangerKey = ((await stranger.json()) as { key: string }).key;
    assert.deepEqual(await deliver(fake.transition(strangerKey, 'Done', DANA).event), { status: 200, body: { status: 'not_linked' } });

    const ended = await linkedTicket('Cancelled meanwhile');
    assert.equal((await h.api(`/api/v1/tickets/${ended.ticket.id}`, { method: 'PATCH', body: { status: 'cancelled' } })).status, 200);
    assert.deepEqual(await deliver(fake.transition(ended.key, 'Done', DANA).event), { status: 200, body: { status: 'ticket_closed' } });
    assert.deepEqual(await comments(ended.ticket.id), []);

    assertError(await deliver('{"webhookEvent":'), 400, 'invalid_json');
    assertError(await deliver({ issue: { key } }), 400, 'validation_failed');
  });
});
