/**
 * Incidents in Slack end to end: declaring a critical incident through the API runs the
 * default paging ladder's `slack` action, which posts one announcement through
 * @slack/web-api to the loopback Web API fake (one even when the first post's answer is
 * lost and Temporal retries the activity); a signed click on its Acknowledge button goes
 * through Bolt and acknowledges the incident (record and workflow, source 'slack'); a forged
 * signature gets 401 and changes nothing; a second click, and a click naming no incident of
 * ours, get an ephemeral answer and change nothing.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { incidentDetailResponse, incidentResponse } from '../../src/http/api/openapi/responses';
import { bodyOf, eventually, type Incident } from '../api/api-helpers';
import type { PacerHarness } from '../support/api-harness';
import { outcomeLine, sendBlockAction, type ClickOptions } from '../support/fakes/slack-interactivity';
import { ESCALATIONS, startSlackStack, type SlackStack } from '../support/fakes/slack-test-stack';
import { blockAt, type ActionsBlock } from '../support/fakes/slack-block-rules';
import type { FakeMessage, SlackWebApiFake } from '../support/fakes/slack-web-api';
import { isActionEvent, timeline as readTimeline, type ActionEvent } from '../support/timeline';

describe('Slack: incident announcements and Acknowledge', function () {
  this.timeout(30_000);
  let s: SlackStack;
  let h: PacerHarness;
  let fake: SlackWebApiFake;
  let incident: Incident;
  /** The announcement as first posted (with its button), for clicks after it was redrawn. */
  let original: FakeMessage;

  before(async function () {
    this.timeout(120_000);
    s = await startSlackStack();
    ({ h, fake } = s);
  });
  after(async () => s?.close());

  const announcementsOf = (incidentId: string) => fake.messages.filter((m) => m.metadata?.event_payload?.incident_id === incidentId);
  const timeline = (incidentId: string) => readTimeline(h, 'incidents', incidentId);
  const click = (message: FakeMessage, extra: Partial<ClickOptions> = {}) =>
    sendBlockAction({ url: s.actionsUrl, signingSecret: s.signingSecret, user: s.alice, channel: ESCALATIONS, message, actionId: 'pacer_incident_ack', responseUrlBase: fake.url.replace(/\/api\/$/, ''), ...extra });
  const ephemerals = () => fake.responseUrlPosts.map((p) => JSON.parse(p.body) as { response_type?: string; replace_original?: boolean; text: string });

  describe('a critical incident declared while the first post loses its answer', () => {
    let m: FakeMessage;

    before(async () => {
      fake.failNext('chat.postMessage', 'drop'); // posted, but the answer never arrives: Temporal retries the activity
      const res = await h.api('/api/v1/incidents', { body: { title: 'Checkout is down', severity: 'critical', commander: 'sam' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      incident = bodyOf(res, incidentResponse, 201);
    });

    it('posts exactly one announcement: the retry finds the earlier post in the channel', async () => {
      const done = await eventually(async () => (await timeline(incident.id)).find((e): e is ActionEvent => isActionEvent(e, 'action.done') && e.data.action.type === 'slack'), 20_000, 'the slack action to complete');
      assert.match(done.data.detail, new RegExp(`^posted to Slack channel ${ESCALATIONS.id} \\(message \\d+\\.\\d+\\)$`));
      assert.equal(fake.callsTo('chat.postMessage').length, 1, 'the retry found the earlier post instead of posting again');
      assert.ok(fake.callsTo('conversations.history').length >= 1, 'the retry searched the channel');
      const posted = announcementsOf(incident.id);
      assert.equal(posted.length, 1, 'exactly one announcement');
      m = posted[0]!;
      assert.equal(m.channel, ESCALATIONS.id);
      original = { ...m, blocks: structuredClone(m.blocks) };
    });

    it('names the incident, linked, with its severity, status, impact and commander', () => {
      const section = blockAt(m.blocks, 0, 'section');
      assert.match(section.text.text, new RegExp(`<https://pacer\\.example\\.test/api/v1/incidents/${incident.id}\\|${incident.number}>`));
      assert.match(section.text.text, /Checkout is down/);
      assert.deepEqual(
        section.fields?.map((f) => f.text),
        ['*Severity*\ncritical', '*Status*\ndetected', '*Impact*\nmajor outage', '*Commander*\nsam'],
      );
    });

    it('offers an Acknowledge button naming the incident', () => {
      const button = m.blocks.find((b): b is ActionsBlock => b.type === 'actions')?.elements[0];
      assert.ok(button, 'an Acknowledge button');
      assert.equal(button.action_id, 'pacer_incident_ack');
      assert.equal(button.value, incident.id);
      assert.equal(button.text.text, 'Acknowledge');
    });

    it('remembers the channel and ts on the incident', async () => {
      const link = await h.database.db.selectFrom('incident_links').selectAll().where('incident_id', '=', incident.id).where('kind', '=', 'slack').execute();
      assert.deepEqual(link.map((l) => l.external_key), [`${m.channel}:${m.ts}`]);
    });
  });

  describe('then clicks on its Acknowledge button', () => {
    it('a forged signature is refused with 401 and changes nothing', async () => {
      const res = await click(original, { signWith: 'not-the-signing-secret' });
      assert.equal(res.status, 401, res.text);
      assert.equal(JSON.parse(res.text).error.code, 'invalid_signature');
      await new Promise((r) => setTimeout(r, 1_500)); // a signal would have applied by now
      const got = bodyOf(await h.api(`/api/v1/incidents/${incident.id}`), incidentDetailResponse);
      assert.equal(got.acknowledgement.acknowledgedBy, null);
      assert.equal(got.sla?.acknowledged, null);
      assert.equal(announcementsOf(incident.id)[0]!.edits.length, 0, 'the message was not touched');
    });

    it('a signed click acknowledges the incident as the mapped agent, from Slack, and redraws the message', async () => {
      const res = await click(original);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, '');
      assert.ok(res.ms < 3_000, `answered in ${res.ms} ms`);

      const got = await eventually(async () => {
        const b = bodyOf(await h.api(`/api/v1/incidents/${incident.id}`), incidentDetailResponse);
        return b.acknowledgement.acknowledgedBy ? b : null;
      }, 10_000, 'the acknowledgement');
      assert.equal(got.acknowledgement.acknowledgedBy, 'alice.agent');
      assert.equal(got.sla?.acknowledged?.by, 'alice.agent');
      assert.equal(got.sla?.acknowledged?.source, 'slack');
      const acked = (await timeline(incident.id)).filter((e) => e.type === 'incident.acknowledged');
      assert.equal(acked.length, 1);
      assert.equal(acked[0]!.data.source, 'slack');

      const m = announcementsOf(incident.id)[0]!;
      await fake.waitFor(() => outcomeLine(m) === 'Acknowledged by alice.agent', 5_000, 'the redrawn message');
      assert.equal(m.blocks.some((b) => b.type === 'actions'), false, 'the button is gone');
      assert.deepEqual(m.blocks[0], original.blocks[0], 'the incident section stays');
    });

    it('a second click is harmless: an ephemeral answer, no second acknowledgement', async () => {
      const before = fake.responseUrlPosts.length;
      const res = await click(original, { user: s.carol });
      assert.equal(res.status, 200, res.text);
      await fake.waitFor(() => fake.responseUrlPosts.length > before, 5_000, 'the ephemeral answer');
      const answer = ephemerals().at(-1)!;
      assert.equal(answer.response_type, 'ephemeral');
      assert.equal(answer.text, `${incident.number} was already acknowledged by alice.agent.`);
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal((await timeline(incident.id)).filter((e) => e.type === 'incident.acknowledged').length, 1);
      assert.equal(bodyOf(await h.api(`/api/v1/incidents/${incident.id}`), incidentDetailResponse).sla?.acknowledged?.by, 'alice.agent');
      assert.equal(announcementsOf(incident.id)[0]!.edits.length, 1, 'not redrawn again');
    });

    it('a click naming no incident of ours answers politely and changes nothing', async () => {
      const before = fake.responseUrlPosts.length;
      const stranger = { ...original, blocks: original.blocks.map((b) => (b.type === 'actions' ? { ...b, elements: [{ ...b.elements[0]!, value: crypto.randomUUID() }] } : b)) };
      const res = await click(stranger);
      assert.equal(res.status, 200, res.text);
      await fake.waitFor(() => fake.responseUrlPosts.length > before, 5_000, 'the ephemeral answer');
      const answer = ephemerals().at(-1)!;
      assert.equal(answer.response_type, 'ephemeral');
      assert.equal(answer.text, 'This incident is not known to Pacer; nothing was changed.');
    });
  });
});
