/**
 * The Slack Web API clients: @slack/web-api's WebClient as Bolt ships it, pointed at
 * PACER_SLACK_API_URL. Two retry stances. The ladder's client retries nothing itself and
 * rejects rate-limited calls at once: Temporal owns those retries (honouring Retry-After),
 * and a retried post first looks for the message an earlier attempt may have left. Bolt's
 * client, used after a button click has been acknowledged, retries a little on its own,
 * since nobody else will.
 */
import { webApi } from '@slack/bolt';
import type { SlackConfig } from './config';
import type { Logger } from '../../core/logger';
import { slackLogger } from './slack-logger';

export type SlackWebClient = webApi.WebClient;

export type ClientStance = 'ladder' | 'interactive';

export function slackClientOptions(cfg: SlackConfig, stance: ClientStance, log?: Logger): webApi.WebClientOptions {
  const common = { slackApiUrl: cfg.apiUrl, logger: slackLogger(log, `slack-${stance}`) };
  if (stance === 'ladder') return { ...common, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 20_000 };
  return { ...common, retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000, randomize: true }, timeout: 10_000 };
}

export function createSlackWebClient(cfg: SlackConfig, stance: ClientStance, log?: Logger): SlackWebClient {
  return new webApi.WebClient(cfg.botToken, slackClientOptions(cfg, stance, log));
}
