/**
 * Slack button clicks end to end: a ladder step posts through @slack/web-api to the loopback
 * Web API fake, then signed block_actions payloads arrive at the Interactivity Request URL
 * and go through Bolt. Proves Acknowledge acknowledges the ticket's clock (SLA state and
 * timeline), Take it assigns the mapped agent (or the Slack username), the answer comes
 * within Slack's 3 s, the message is redrawn to say who acted, Bolt starts (auth.test)
 * only on the first signed request, and a bad, stale or missing signature gets 401 and
 * changes nothing. About 35 s.
 */
import assert from 'node:assert/strict';
import { bodyOf, createTicket, eventually } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import { outcomeLine, sendBlockAction, type ClickOptions } from '../support/fakes/slack-interactivity';
import { ESCALATIONS, messageFor, startSlackStack, type SlackStack } from '../support/fakes/slack-test-stack';
import type { FakeMessage, SlackWebApiFake } from '../support/fakes/slack-web-api';
import { timeline as readTimeline } from '../support/timeline';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { ticketResponse, ticketSlaResponse } from '../../src/http/api/openapi/responses';

describe('Slack: escalation buttons through Bolt', function () {
  this.timeout(60_000);
  let s: SlackStack;
  let h: PacerHarness;
  let fake: SlackWebApiFake;

  before(async function () {
    this.timeout(120_000);
    s = await startSlackStack();
    ({ h, fake } = s);
  });
  after(async () => s?.close());

  const timeline = (ticketId: string) => readTimeline(h, 'tickets', ticketId);
  const sla = async (ticketId: string) => bodyOf(await h.api(`/api/v1/tickets/${ticketId}/sla`), ticketSlaResponse);
  /** A fresh urgent ticket and the escalation message its 5% step posted. */
  const escalated = async (subject: string): Promise<{ t: TicketView; message: FakeMessage }> => {
    const t = await createTicket(h, { subject, priority: 'urgent', organizationId: s.orgId });
    return { t, message: await fake.waitFor(() => messageFor(fake, t.id), 15_000, 'the escalation post') };
  };
  const click = (message: FakeMessage, actionId: string, extra: Partial<ClickOptions> = {}) =>
    sendBlockAction({ url: s.actionsUrl, signingSecret: s.signingSecret, user: s.alice, channel: ESCALATIONS, message, actionId, responseUrlBase: fake.url.replace(/\/api\/$/, ''), ...extra });

  describe('a signed Acknowledge click on a fresh escalation message', () => {
    let t: TicketView;
    let message: FakeMessage;
    let original: FakeMessage['blocks'];
    let res: Awaited<ReturnType<typeof click>>;
    /** auth.test calls before and just after the first click. */
    let authCalls: { before: number; after: number };

    before(async function () {
      this.timeout(30_000);
      ({ t, message } = await escalated('Checkout is down'));
      original = message.blocks;
      const before = fake.callsTo('auth.test').length;
      res = await click(message, 'pacer_acknowledge');
      authCalls = { before, after: fake.callsTo('auth.test').length };
    });

    it('starts Bolt only on the first signed request: the API came up without calling Slack', () => {
      assert.equal(authCalls.before, 0, 'Bolt has not started: the API came up without calling Slack');
      assert.equal(authCalls.after, 1, 'Bolt started on the first signed request');
    });

    it("is answered with an empty 200 within Slack's 3 s", () => {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, '', 'an empty 200 is the acknowledgement');
      assert.ok(res.ms < 3_000, `answered in ${res.ms} ms`);
    });

    it("acknowledges only the message's clock, as the agent the Slack user maps to, from Slack", async () => {
      const acknowledged = await eventually(async () => (await sla(t.id)).acknowledged?.first_response, 10_000, 'the acknowledgement');
      assert.equal(acknowledged.by, 'alice.agent', 'the Slack user mapped to an agent');
      assert.equal(acknowledged.source, 'slack');
      assert.ok(!Number.isNaN(Date.parse(acknowledged.at)));
      assert.equal((await sla(t.id)).acknowledged.resolution, undefined, 'only the clock the message was about');
      const event = (await timeline(t.id)).find((e) => e.type === 'sla.acknowledged');
      assert.deepEqual(event?.data, { clocks: ['first_response'], by: 'alice.agent', source: 'slack' });
      assert.equal(event?.actor, 'agent:alice.agent');
    });

    it('redraws the message with who acted, the buttons gone and the ticket section kept', async () => {
      await fake.waitFor(() => message.edits.length === 1, 5_000, 'chat.update');
      const update = fake.callsTo('chat.update').find((c) => c.params.ts === message.ts)!;
      assert.equal(update.params.channel, ESCALATIONS.id);
      assert.equal(update.headers.authorization, `Bearer ${fake.token}`);
      assert.deepEqual(message.edits[0]!.blocks, original);
      assert.equal(message.blocks.some((b) => b.type === 'actions'), false, 'the buttons are gone');
      assert.deepEqual(message.blocks[0], original[0], 'the ticket section stays');
      assert.equal(outcomeLine(message), 'Acknowledged by alice.agent');
      assert.match(message.text, /: Acknowledged by alice\.agent$/);
    });

    it('does not assign the ticket: acknowledging is not taking', async () => {
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse).assignee, null, 'acknowledging is not taking');
    });
  });

  describe('then Take it, forged requests and ended tickets', () => {
    it('Take it assigns the ticket to the agent mapped to the Slack user', async function () {
      this.timeout(30_000);
      const { t, message } = await escalated('Invoices fail to export');
      const res = await click(message, 'pacer_take');
      assert.equal(res.status, 200, res.text);
      assert.ok(res.ms < 3_000, `answered in ${res.ms} ms`);

      await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse).assignee === 'alice.agent', 10_000, 'the assignment');
      const assigned = (await timeline(t.id)).find((e) => e.type === 'ticket.assigned');
      assert.deepEqual(assigned?.data, { from: null, to: 'alice.agent' });
      await fake.waitFor(() => outcomeLine(message) === 'Taken by alice.agent', 5_000, 'the redrawn message');
      assert.equal(message.blocks.some((b) => b.type === 'actions'), false);
      assert.deepEqual((await sla(t.id)).acknowledged, {}, 'taking is not acknowledging');
    });

    it('Take it by a Slack user with no mapped agent assigns the Slack username', async function () {
      this.timeout(30_000);
      const { t, message } = await escalated('Exports are slow');
      const res = await click(message, 'pacer_take', { user: s.carol });
      assert.equal(res.status, 200, res.text);
      await eventually(async () => bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse).assignee === 'carol.s', 10_000, 'the assignment');
      await fake.waitFor(() => outcomeLine(message) === 'Taken by carol.s', 5_000, 'the redrawn message');
    });

    it('a bad, stale, future or missing signature gets 401 and changes nothing', async function () {
      this.timeout(30_000);
      const { t, message } = await escalated('Forged clicks');
      const now = Math.floor(Date.now() / 1000);
      const attempts = [
        await click(message, 'pacer_acknowledge', { signWith: 'not-the-signing-secret' }),
        await click(message, 'pacer_take', { timestamp: now - 6 * 60 }), // correctly signed, but stale
        await click(message, 'pacer_take', { timestamp: now + 6 * 60 }),
        await click(message, 'pacer_acknowledge', { signature: 'v0=' }),
        await click(message, 'pacer_acknowledge', { signature: `v1=${'0'.repeat(64)}` }),
      ];
      for (const res of attempts) {
        assert.equal(res.status, 401, res.text);
        assert.equal(JSON.parse(res.text).error.code, 'invalid_signature');
      }
      const unsigned = await fetch(s.actionsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'payload=%7B%7D' });
      assert.equal(unsigned.status, 401);

      await new Promise((r) => setTimeout(r, 1_500)); // a signal would have applied by now
      assert.deepEqual((await sla(t.id)).acknowledged, {});
      assert.equal(bodyOf(await h.api(`/api/v1/tickets/${t.id}`), ticketResponse).assignee, null);
      assert.deepEqual((await timeline(t.id)).filter((e) => e.type === 'sla.acknowledged' || e.type === 'ticket.assigned'), []);
      assert.equal(message.edits.length, 0, 'the message was not touched');
      assert.equal(fake.callsTo('chat.update').filter((c) => c.params.ts === message.ts).length, 0);
    });

    it('a click on a ticket that has ended says so on the message', async function () {
      this.timeout(30_000);
      const { t, message } = await escalated('Already handled elsewhere');
      const cancel = await h.api(`/api/v1/tickets/${t.id}`, { method: 'PATCH', body: { status: 'cancelled' } });
      assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
      await eventually(async () => (await h.client.workflow.getHandle(`ticket-${t.id}`).describe()).status.name !== 'RUNNING', 10_000, 'the workflow to end');

      const res = await click(message, 'pacer_acknowledge');
      assert.equal(res.status, 200, res.text);
      await fake.waitFor(() => outcomeLine(message) === `${t.number} is already cancelled`, 5_000, 'the redrawn message');
    });
  });
});
