/**
 * Slack escalation posts end to end: ladder steps fire on the real Temporal dev server in
 * real time, the `slack` action goes through @slack/web-api (as Bolt ships it) to the
 * loopback Web API fake. Proves one Block Kit message per step with the ticket, its SLA
 * state and both buttons; no second post when a completion or an answer is lost; 429 and
 * 5xx retried (after Retry-After); channel override; channel_not_found and invalid_auth
 * failing for good with the reason on the timeline. About 45 s.
 */
import assert from 'node:assert/strict';
import { createTicket, eventually, instantMs } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import { ESCALATIONS, SLA_HIGH, messageFor, postsFor, startSlackStack, type SlackStack } from '../support/fakes/slack-test-stack';
import { blockAt } from '../support/fakes/slack-block-rules';
import type { FakeMessage, SlackWebApiFake } from '../support/fakes/slack-web-api';
import type { TicketView } from '../../src/domain/tickets/ticket-view';
import { actionEvent, timeline as readTimeline, type ActionEventType } from '../support/timeline';

describe('Slack: escalation posts through the Web API', function () {
  this.timeout(60_000);
  let s: SlackStack;
  let h: PacerHarness;
  let fake: SlackWebApiFake;
  const loseFirstCompletionOf = new Set<string>();

  before(async function () {
    this.timeout(120_000);
    s = await startSlackStack({ loseFirstCompletionOf });
    ({ h, fake } = s);
  });
  after(async () => s?.close());

  const timeline = (ticketId: string) => readTimeline(h, 'tickets', ticketId);
  const outcome = (ticketId: string, type: ActionEventType) => async () => actionEvent(await timeline(ticketId), type, 'first_response:0:5');
  const links = (ticketId: string) => h.database.db.selectFrom('ticket_links').selectAll().where('ticket_id', '=', ticketId).where('kind', '=', 'slack').execute();
  const ticket = (subject: string, priority = 'urgent') => createTicket(h, { subject, priority, organizationId: s.orgId });

  describe('a slack step on an urgent ticket', () => {
    let t: TicketView;
    let message: FakeMessage;

    before(async function () {
      this.timeout(30_000);
      t = await ticket('Checkout is down <again> & failing');
      message = await fake.waitFor(() => messageFor(fake, t.id), 15_000, 'the 5% post');
    });

    it('posts through @slack/web-api, blocks as a JSON form field, to PACER_SLACK_CHANNEL by default', () => {
      const [call] = postsFor(fake, t.id);
      assert.equal(call!.headers.authorization, `Bearer ${fake.token}`);
      assert.match(String(call!.headers['user-agent']), /@slack:web-api/, 'sent by @slack/web-api');
      assert.match(call!.contentType, /^application\/x-www-form-urlencoded/);
      assert.equal(typeof call!.params.blocks, 'string', 'blocks travel as a JSON string field');
      assert.equal(call!.params.channel, ESCALATIONS.id, 'PACER_SLACK_CHANNEL by default');
      assert.equal(message.channel, ESCALATIONS.id);
      assert.match(message.text, new RegExp(`^${t.number} .*first response SLA at 5% \\(at risk\\)$`));
    });

    it('shows the ticket, linked and escaped, and its SLA state in one section', () => {
      const section = blockAt(message.blocks, 0, 'section');
      assert.equal(message.blocks.length, 2);
      assert.equal(section.type, 'section');
      const link = `https://pacer.example.test/api/v1/tickets/${t.id}`;
      assert.ok(section.text.text.includes(`*<${link}|${t.number}>* Checkout is down &lt;again&gt; &amp; failing`), section.text.text);
      const fields = section.fields?.map((f) => f.text) ?? [];
      assert.deepEqual(fields.slice(0, 2), ['*Priority*\nurgent', '*Clock*\nFirst response at 5%']);
      const due = Math.floor(instantMs(t.sla.firstResponse.dueAt) / 1000);
      assert.equal(fields[2], `*Due*\n<!date^${due}^{date_short_pretty} {time}|${t.sla.firstResponse.dueAt}>`);
      assert.equal(fields[3], '*SLA state*\nAt risk');
    });

    it('offers Acknowledge and Take it, each naming the ticket and the clock', () => {
      const actions = blockAt(message.blocks, 1, 'actions');
      assert.equal(actions.type, 'actions');
      assert.deepEqual(
        actions.elements.map((e) => [e.type, e.action_id, e.text.text, JSON.parse(e.value)]),
        [
          ['button', 'pacer_acknowledge', 'Acknowledge', { ticket: t.id, clock: 'first_response' }],
          ['button', 'pacer_take', 'Take it', { ticket: t.id, clock: 'first_response' }],
        ],
      );
    });

    it('remembers the channel and ts on the ticket and records the post on its timeline', async () => {
      const rows = await links(t.id);
      assert.deepEqual(rows.map((r) => r.external_key), [`${ESCALATIONS.id}:${message.ts}`], 'channel and ts remembered on the ticket');
      assert.deepEqual({ ...rows[0]!.data, dueAt: undefined }, { channel: ESCALATIONS.id, ts: message.ts, stepId: 'first_response:0:5', actionIndex: 0, clock: 'first_response', percent: 5, dueAt: undefined });
      const done = await eventually(outcome(t.id, 'action.done'), 5_000, 'action.done');
      assert.match(done.data.detail, new RegExp(`posted to Slack channel ${ESCALATIONS.id} \\(message ${message.ts.replace('.', '\\.')}\\)`));
    });

    it('posts exactly once for the step', async () => {
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal(postsFor(fake, t.id).length, 1, 'one post for the step');
    });
  });

  describe('then lost answers, retries, other channels and refusals', () => {
    it('a step whose completion is lost after posting runs again without posting twice', async function () {
      this.timeout(30_000);
      const historyBefore = fake.callsTo('conversations.history').length;
      const t = await ticket('Lost completion');
      loseFirstCompletionOf.add(t.id);
      await eventually(async () => s.ladderRuns.some((r) => r.ticketId === t.id && r.outcome === 'completed'), 20_000, 'the retried action');

      assert.deepEqual(s.ladderRuns.filter((r) => r.ticketId === t.id).map((r) => r.outcome), ['lost', 'completed'], 'Temporal ran the action twice');
      assert.equal(postsFor(fake, t.id).length, 1, 'the retry did not call chat.postMessage');
      assert.equal(fake.callsTo('conversations.history').length, historyBefore, 'once() answered: not even a history lookup');
      assert.equal(fake.messages.filter((m) => m.metadata?.event_payload?.ticket_id === t.id).length, 1);
      assert.equal((await links(t.id)).length, 1);
      assert.equal((await timeline(t.id)).filter((e) => e.type === 'action.done').length, 1);
    });

    it('a post whose answer is lost is found in the channel by the retry, not posted again', async function () {
      this.timeout(30_000);
      fake.failNext('chat.postMessage', 'drop');
      const t = await ticket('Lost answer');
      await eventually(outcome(t.id, 'action.done'), 20_000, 'the retried action');

      assert.deepEqual(postsFor(fake, t.id).map((c) => c.outcome), ['done, connection dropped'], 'posted once, its answer lost');
      const history = fake.callsTo('conversations.history').at(-1)!;
      assert.equal(history.params.channel, ESCALATIONS.id);
      assert.equal(history.params.include_all_metadata, 'true');
      const message = messageFor(fake, t.id)!;
      assert.equal(fake.messages.filter((m) => m.metadata?.event_payload?.ticket_id === t.id).length, 1, 'one message in Slack');
      assert.deepEqual((await links(t.id)).map((r) => r.external_key), [`${ESCALATIONS.id}:${message.ts}`], 'the found message is linked');
    });

    it('a 429 is retried after its Retry-After and a 503 after backoff, still posting once', async function () {
      this.timeout(30_000);
      fake.rateLimitNext(1, 2, 'chat.postMessage');
      fake.failNext('chat.postMessage', 503);
      const t = await ticket('Slack is busy');
      await eventually(outcome(t.id, 'action.done'), 20_000, 'the post to get through');

      const calls = postsFor(fake, t.id);
      assert.deepEqual(calls.map((c) => c.status), [429, 503, 200], 'rate limited, unavailable, then posted');
      assert.equal(calls[0]!.response?.error, 'ratelimited');
      assert.ok(calls[1]!.at - calls[0]!.at >= 1_900, `waited for Retry-After (2 s), not ${calls[1]!.at - calls[0]!.at} ms`);
      assert.equal(fake.messages.filter((m) => m.metadata?.event_payload?.ticket_id === t.id).length, 1);
    });

    it("the action's channel option overrides the default, by name", async function () {
      this.timeout(30_000);
      const t = await ticket('Invoices fail to export', 'high');
      const message = await fake.waitFor(() => messageFor(fake, t.id), 15_000, 'the post');
      assert.equal(postsFor(fake, t.id)[0]!.params.channel, `#${SLA_HIGH.name}`);
      assert.equal(message.channel, SLA_HIGH.id, 'Slack answers with the channel id, which is what is remembered');
      // The link is written after Slack answers: wait for it rather than race it.
      await eventually(async () => (await links(t.id)).length > 0, 5_000, 'the link to the message');
      assert.deepEqual((await links(t.id)).map((r) => r.external_key), [`${SLA_HIGH.id}:${message.ts}`]);
    });

    it('channel_not_found fails for good, once, with the error on the timeline', async function () {
      this.timeout(30_000);
      const t = await ticket('Nowhere to post', 'normal');
      const failed = await eventually(outcome(t.id, 'action.failed'), 15_000, 'action.failed');
      assert.equal(failed.data.error, 'channel_not_found');
      assert.match(failed.data.detail, /Slack refused the message to C0NOWHERE0: channel_not_found/);
      await new Promise((r) => setTimeout(r, 2_500)); // a retry would have gone out by now
      assert.deepEqual(postsFor(fake, t.id).map((c) => c.response?.error), ['channel_not_found'], 'sent once, not retried');
      assert.equal((await links(t.id)).length, 0);
    });

    it('invalid_auth (a revoked token) fails for good with the error on the timeline', async function () {
      this.timeout(30_000);
      fake.setTokens('xoxb-0-0-someone-else');
      try {
        const t = await ticket('Token revoked');
        const failed = await eventually(outcome(t.id, 'action.failed'), 15_000, 'action.failed');
        assert.equal(failed.data.error, 'invalid_auth');
        await new Promise((r) => setTimeout(r, 2_500));
        assert.deepEqual(postsFor(fake, t.id).map((c) => c.response?.error), ['invalid_auth'], 'sent once, not retried');
        assert.equal(fake.messages.filter((m) => m.metadata?.event_payload?.ticket_id === t.id).length, 0);
      } finally {
        fake.setTokens(fake.token);
      }
    });
  });
});
