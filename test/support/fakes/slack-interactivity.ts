/**
 * Plays Slack's part when someone clicks a button in a message: a block_actions payload,
 * form-encoded as payload=<JSON> the way Slack delivers interactivity, signed with the app's
 * signing secret (X-Slack-Signature v0 = HMAC-SHA256 of "v0:<ts>:<body>", and
 * X-Slack-Request-Timestamp). Knobs for a wrong secret, an old timestamp or a forged
 * signature, for the tests that must be refused.
 */
import crypto from 'node:crypto';
import type { ContextBlock } from './slack-block-rules';
import type { FakeMessage } from './slack-web-api';

export interface SlackUser {
  id: string;
  username: string;
  name?: string;
  team_id: string;
}

export interface ClickOptions {
  /** The Interactivity Request URL. */
  url: string;
  signingSecret: string;
  user: SlackUser;
  channel: { id: string; name: string };
  message: FakeMessage;
  actionId: string;
  /** Where response_url points (a Slack hooks URL; the fake accepts /actions/…). */
  responseUrlBase?: string;
  /** Unix seconds; now unless given (an old one makes a stale request). */
  timestamp?: number;
  /** Sign with this secret instead (a forged request). */
  signWith?: string;
  /** Send this header instead of the computed signature. */
  signature?: string;
}

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${crypto.createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The button with this action id in a message, and its block. */
export function buttonIn(message: Pick<FakeMessage, 'blocks'>, actionId: string): { blockId: string | undefined; value: string; text: string } {
  for (const block of message.blocks) {
    if (block.type !== 'actions') continue;
    for (const e of block.elements) {
      if (e.type === 'button' && e.action_id === actionId) return { blockId: block.block_id, value: e.value, text: e.text.text };
    }
  }
  throw new Error(`no button ${actionId} in the message`);
}

/** The line a redrawn message says who acted with (its context block), if it has one. */
export function outcomeLine(message: Pick<FakeMessage, 'blocks'>): string | undefined {
  return message.blocks.find((b): b is ContextBlock => b.type === 'context')?.elements[0]?.text;
}

export function blockActionsPayload(o: ClickOptions): Record<string, unknown> {
  const button = buttonIn(o.message, o.actionId);
  const actionTs = (Date.now() / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: { id: o.user.id, username: o.user.username, name: o.user.name ?? o.user.username, team_id: o.user.team_id },
    api_app_id: 'A0PACERAPP',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: o.message.ts, channel_id: o.channel.id, is_ephemeral: false },
    trigger_id: `${Math.floor(Date.now() / 1000)}.${crypto.randomInt(1e9)}.${crypto.randomBytes(16).toString('hex')}`,
    team: { id: o.user.team_id, domain: 'pacer-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: o.channel,
    message: { type: 'message', user: o.message.user, bot_id: o.message.bot_id, text: o.message.text, ts: o.message.ts, blocks: o.message.blocks },
    state: { values: {} },
    response_url: `${o.responseUrlBase ?? 'https://hooks.slack.com'}/actions/${o.user.team_id}/${crypto.randomInt(1e9)}/${crypto.randomBytes(12).toString('hex')}`,
    actions: [{ type: 'button', block_id: button.blockId, action_id: o.actionId, value: button.value, text: { type: 'plain_text', text: button.text, emoji: true }, action_ts: actionTs }],
  };
}

/** Sends one click; answers the HTTP status, the body text and how long the answer took. */
export async function sendBlockAction(o: ClickOptions): Promise<{ status: number; text: string; ms: number }> {
  const body = new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(o)) }).toString();
  const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
  const started = Date.now();
  const res = await fetch(o.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': o.signature ?? slackSignature(o.signWith ?? o.signingSecret, timestamp, body),
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, ms: Date.now() - started };
}
