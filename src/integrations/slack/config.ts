/** Slack's settings: on when PACER_SLACK_BOT_TOKEN, PACER_SLACK_SIGNING_SECRET and PACER_SLACK_CHANNEL are set. */
import { z } from 'zod';
import { optionalValue, pairs, parseEnv } from '../env-values';

export interface SlackConfig {
  botToken: string;
  signingSecret: string;
  apiUrl: string;
  channel: string;
  /** Slack user id → agent name: who "Take it" assigns the ticket to. */
  agents: Record<string, string>;
}

const schema = z.object({
  PACER_SLACK_BOT_TOKEN: optionalValue,
  PACER_SLACK_SIGNING_SECRET: optionalValue,
  PACER_SLACK_API_URL: z.string().default('https://slack.com/api/'),
  PACER_SLACK_CHANNEL: optionalValue,
  /** slackUserId=agentName pairs, comma separated: who "Take it" assigns the ticket to. */
  PACER_SLACK_AGENTS: z.string().default(''),
});

export function loadSlackConfig(env: NodeJS.ProcessEnv): { slack?: SlackConfig } {
  const e = parseEnv(schema, env);
  if (!(e.PACER_SLACK_BOT_TOKEN && e.PACER_SLACK_SIGNING_SECRET && e.PACER_SLACK_CHANNEL)) return {};
  return { slack: { botToken: e.PACER_SLACK_BOT_TOKEN, signingSecret: e.PACER_SLACK_SIGNING_SECRET, apiUrl: e.PACER_SLACK_API_URL, channel: e.PACER_SLACK_CHANNEL, agents: pairs(e.PACER_SLACK_AGENTS) } };
}
