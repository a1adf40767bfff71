/**
 * A Pacer wired to the Slack Web API fake, for the Slack tests and benchmarks: a bot token
 * and signing secret, the escalation channel given by id, one Slack user mapped to an agent,
 * and starter-tier policies on an always-open calendar whose ladder posts to Slack at 5%
 * (3 s) of a one-minute first-response clock — urgent to the default channel, high to a
 * channel named in the action, normal to a channel that does not exist.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createActivities } from '../../../activities';
import type { RunActionInput } from '../../../workflows/contract/records';
import type { IntegrationConfig } from '../../../src/integrations/config';
import { createLogger } from '../../../src/core/logger';
import { bodyOf, createCalendar } from '../../api/api-helpers';
import { startHarness, type PacerHarness } from '../api-harness';
import { startSlackWebApiFake, type FakeChannel, type SlackWebApiFake } from './slack-web-api';
import type { SlackUser } from './slack-interactivity';
import { organizationResponse } from '../../../src/http/api/openapi/responses';

export const SLACK_STEP = 5;

export const ESCALATIONS: FakeChannel = { id: 'C0PACER001', name: 'pacer-escalations' };
export const SLA_HIGH: FakeChannel = { id: 'C0PACER002', name: 'sla-high' };

export interface SlackStack {
  h: PacerHarness;
  fake: SlackWebApiFake;
  signingSecret: string;
  actionsUrl: string;
  orgId: string;
  /** Mapped to the agent "alice.agent" in PACER_SLACK_AGENTS. */
  alice: SlackUser;
  /** Not mapped: known by her Slack username. */
  carol: SlackUser;
  /** Every ladder action run through the lossy wrapper (only with loseFirstCompletionOf). */
  ladderRuns: Array<{ ticketId: string; outcome: 'lost' | 'completed' }>;
  close(): Promise<void>;
}

export interface SlackStackOptions {
  /**
   * Ladder actions of these tickets run for real, then their first completion is lost (as
   * if the worker died just after the effect), so Temporal runs them again.
   */
  loseFirstCompletionOf?: Set<string>;
}

export async function startSlackStack(opts: SlackStackOptions = {}): Promise<SlackStack> {
  const fake = await startSlackWebApiFake({ channels: [ESCALATIONS, SLA_HIGH] });
  const signingSecret = crypto.randomBytes(16).toString('hex');
  const alice: SlackUser = { id: 'U0ALICE01', username: 'alice', team_id: fake.teamId };
  const carol: SlackUser = { id: 'U0CAROL01', username: 'carol.s', team_id: fake.teamId };
  const integrations: IntegrationConfig = {
    publicUrl: 'https://pacer.example.test',
    slack: { botToken: fake.token, signingSecret, apiUrl: fake.url, channel: ESCALATIONS.id, agents: { [alice.id]: 'alice.agent' } },
  };

  let h: PacerHarness | undefined;
  let real: ReturnType<typeof createActivities> | undefined;
  const ladderRuns: SlackStack['ladderRuns'] = [];
  const activities = opts.loseFirstCompletionOf && {
    async runLadderAction(input: RunActionInput) {
      real ??= createActivities({ db: h!.database.db, integrations, log: createLogger('warn') });
      const result = await real.runLadderAction(input);
      const lose = opts.loseFirstCompletionOf!.has(input.ticketId) && !ladderRuns.some((r) => r.ticketId === input.ticketId);
      ladderRuns.push({ ticketId: input.ticketId, outcome: lose ? 'lost' : 'completed' });
      if (lose) throw new Error('the worker was lost after the action took effect');
      return result;
    },
  };
  h = await startHarness({ integrations, activities });

  const calendar = await createCalendar(h, 'always open (slack test)');
  for (const [priority, action] of [
    ['urgent', { type: 'slack' }],
    ['high', { type: 'slack', channel: `#${SLA_HIGH.name}` }],
    ['normal', { type: 'slack', channel: 'C0NOWHERE0' }],
  ] as const) {
    const policy = await h.api('/api/v1/sla-policies', {
      body: { name: `starter ${priority} (slack test)`, tier: 'starter', priority, calendarId: calendar.id, firstResponseMinutes: 1, resolutionMinutes: 600, escalations: [{ percent: SLACK_STEP, actions: [action] }] },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
  }
  const org = await h.api('/api/v1/organizations', { body: { name: `starter org ${crypto.randomBytes(3).toString('hex')}`, tier: 'starter' } });
  assert.equal(org.status, 201, JSON.stringify(org.body));

  const harness = h;
  return {
    h: harness,
    fake,
    signingSecret,
    actionsUrl: `${harness.baseUrl}/api/v1/integrations/slack/actions`,
    orgId: bodyOf(org, organizationResponse, 201).id,
    alice,
    carol,
    ladderRuns,
    async close() {
      await harness.close();
      await fake.close();
    },
  };
}

/** The escalation message posted for a ticket, found by the metadata Pacer attaches. */
export function messageFor(fake: SlackWebApiFake, ticketId: string) {
  return fake.messages.find((m) => m.metadata?.event_payload?.ticket_id === ticketId);
}

/** chat.postMessage calls made for a ticket (whatever their outcome). */
export function postsFor(fake: SlackWebApiFake, ticketId: string) {
  return fake.callsTo('chat.postMessage').filter((c) => {
    try {
      return JSON.parse(String(c.params.metadata)).event_payload.ticket_id === ticketId;
    } catch {
      return false;
    }
  });
}
