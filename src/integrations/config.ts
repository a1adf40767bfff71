/**
 * Which integrations are configured, parsed once from the environment. Each integration reads
 * its own variables in its folder's config.ts; this file holds only what they share (the
 * public URL links point to, outbound webhooks, CSAT) and puts the parts together. An
 * integration whose variables are absent is simply off: its ladder actions are skipped with a
 * recorded event.
 */
import { z } from 'zod';
import { loadCsatSettings, type CsatSettings } from '../core/csat-settings';
import { optionalValue, parseEnv } from './env-values';
import { loadPagerDutyConfig, type PagerDutyConfig } from './pagerduty/config';
import { loadJiraConfig, type JiraConfig } from './jira/config';
import { loadSlackConfig, type SlackConfig } from './slack/config';
import { loadEmailConfig, type EmailConfig, type InboundConfig } from './email/config';

const schema = z.object({
  PACER_PUBLIC_URL: optionalValue,
  /** Lets outbound webhooks reach loopback, link-local and private addresses (off: a request-forgery path). */
  PACER_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
});

export interface IntegrationConfig {
  publicUrl: string;
  pagerduty?: PagerDutyConfig;
  pagerdutyWebhookSecret?: string;
  jira?: JiraConfig;
  slack?: SlackConfig;
  email?: EmailConfig;
  inbound?: InboundConfig;
  /** Outbound webhooks may reach loopback and private addresses (PACER_WEBHOOK_ALLOW_PRIVATE; tests with loopback receivers). */
  allowPrivateWebhooks?: boolean;
  /** Customer-satisfaction surveys (src/core/csat-settings.ts); the defaults when absent. */
  csat?: CsatSettings;
}

export function loadIntegrationConfig(env: NodeJS.ProcessEnv = process.env): IntegrationConfig {
  const e = parseEnv(schema, env);
  return {
    publicUrl: e.PACER_PUBLIC_URL ?? `http://localhost:${env.PORT ?? 3000}`,
    csat: loadCsatSettings(env),
    ...loadPagerDutyConfig(env),
    ...(e.PACER_WEBHOOK_ALLOW_PRIVATE === 'true' && { allowPrivateWebhooks: true }),
    ...loadJiraConfig(env),
    ...loadSlackConfig(env),
    ...loadEmailConfig(env),
  };
}
