/**
 * Which integrations are configured, parsed once from the environment. An integration whose
 * variables are absent is simply off: its ladder actions are skipped with a recorded event.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { loadCsatSettings, type CsatSettings } from '../core/csat-settings';

const opt = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z.object({
  PACER_PAGERDUTY_ROUTING_KEY: opt,
  PACER_PAGERDUTY_EVENTS_HOST: z.string().default('events.pagerduty.com'),
  PACER_PAGERDUTY_WEBHOOK_SECRET: opt,
  PACER_JIRA_URL: opt,
  PACER_JIRA_EMAIL: opt,
  PACER_JIRA_API_TOKEN: opt,
  PACER_JIRA_PROJECT: opt,
  PACER_JIRA_WEBHOOK_SECRET: opt,
  PACER_SLACK_BOT_TOKEN: opt,
  PACER_SLACK_SIGNING_SECRET: opt,
  PACER_SLACK_API_URL: z.string().default('https://slack.com/api/'),
  PACER_SLACK_CHANNEL: opt,
  /** slackUserId=agentName pairs, comma separated: who "Take it" assigns the ticket to. */
  PACER_SLACK_AGENTS: z.string().default(''),
  PACER_SMTP_URL: opt,
  PACER_MAIL_FROM: opt,
  /** role=address pairs, comma separated: where escalation notices to a role go. */
  PACER_ROLE_EMAILS: z.string().default(''),
  /** How many suggested knowledge-base articles the acknowledgement email lists (0, the default: none). */
  PACER_ACK_EMAIL_SUGGESTIONS: z.coerce.number().int().min(0).max(10).default(0),
  PACER_INBOUND_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The address the inbound listener binds; loopback unless opened on purpose (0.0.0.0, ::, an interface). */
  PACER_INBOUND_SMTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** PEM files: with both set, the listener offers STARTTLS; without them it does not. */
  PACER_INBOUND_SMTP_TLS_CERT: opt,
  PACER_INBOUND_SMTP_TLS_KEY: opt,
  /** Where mail from unknown senders lands (an organization id); unset = reject it. */
  PACER_INBOUND_DEFAULT_ORGANIZATION: opt,
  PACER_INBOUND_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  PACER_PUBLIC_URL: opt,
  /** Lets outbound webhooks reach loopback, link-local and private addresses (off: a request-forgery path). */
  PACER_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
});

function pairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=').map((s) => s?.trim());
    if (k && v) out[k] = v;
  }
  return out;
}

export interface IntegrationConfig {
  publicUrl: string;
  pagerduty?: {
    routingKey: string;
    eventsHost: string;
    webhookSecret?: string;
    /** An extra CA (PEM) to trust for eventsHost. Set only by code (the tests' self-signed fake), never from the environment. */
    ca?: string;
  };
  pagerdutyWebhookSecret?: string;
  jira?: { url: string; email: string; apiToken: string; project: string; webhookSecret?: string };
  slack?: { botToken: string; signingSecret: string; apiUrl: string; channel: string; agents: Record<string, string> };
  email?: { smtpUrl: string; from: string; roleEmails: Record<string, string>; /** Suggested articles in the acknowledgement (PACER_ACK_EMAIL_SUGGESTIONS); none when 0 or absent. */ ackSuggestions?: number };
  /** host defaults to 127.0.0.1; tls (PEM contents) makes the listener offer STARTTLS. */
  inbound?: { port: number; host?: string; tls?: { key: string; cert: string }; defaultOrganizationId?: string; maxBytes: number };
  /** Outbound webhooks may reach loopback and private addresses (PACER_WEBHOOK_ALLOW_PRIVATE; tests with loopback receivers). */
  allowPrivateWebhooks?: boolean;
  /** Customer-satisfaction surveys (src/core/csat-settings.ts); the defaults when absent. */
  csat?: CsatSettings;
}

export function loadIntegrationConfig(env: NodeJS.ProcessEnv = process.env): IntegrationConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid integration configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const cfg: IntegrationConfig = { publicUrl: e.PACER_PUBLIC_URL ?? `http://localhost:${env.PORT ?? 3000}`, csat: loadCsatSettings(env) };
  if (e.PACER_PAGERDUTY_ROUTING_KEY) cfg.pagerduty = { routingKey: e.PACER_PAGERDUTY_ROUTING_KEY, eventsHost: e.PACER_PAGERDUTY_EVENTS_HOST, webhookSecret: e.PACER_PAGERDUTY_WEBHOOK_SECRET };
  if (e.PACER_WEBHOOK_ALLOW_PRIVATE === 'true') cfg.allowPrivateWebhooks = true;
  if (e.PACER_PAGERDUTY_WEBHOOK_SECRET) cfg.pagerdutyWebhookSecret = e.PACER_PAGERDUTY_WEBHOOK_SECRET;
  if (e.PACER_JIRA_URL && e.PACER_JIRA_EMAIL && e.PACER_JIRA_API_TOKEN && e.PACER_JIRA_PROJECT) {
    cfg.jira = { url: e.PACER_JIRA_URL, email: e.PACER_JIRA_EMAIL, apiToken: e.PACER_JIRA_API_TOKEN, project: e.PACER_JIRA_PROJECT, webhookSecret: e.PACER_JIRA_WEBHOOK_SECRET };
  }
  if (e.PACER_SLACK_BOT_TOKEN && e.PACER_SLACK_SIGNING_SECRET && e.PACER_SLACK_CHANNEL) {
    cfg.slack = { botToken: e.PACER_SLACK_BOT_TOKEN, signingSecret: e.PACER_SLACK_SIGNING_SECRET, apiUrl: e.PACER_SLACK_API_URL, channel: e.PACER_SLACK_CHANNEL, agents: pairs(e.PACER_SLACK_AGENTS) };
  }
  if (e.PACER_SMTP_URL && e.PACER_MAIL_FROM) cfg.email = { smtpUrl: e.PACER_SMTP_URL, from: e.PACER_MAIL_FROM, roleEmails: pairs(e.PACER_ROLE_EMAILS), ackSuggestions: e.PACER_ACK_EMAIL_SUGGESTIONS };
  if (e.PACER_INBOUND_SMTP_PORT !== undefined) {
    cfg.inbound = { port: e.PACER_INBOUND_SMTP_PORT, host: e.PACER_INBOUND_SMTP_HOST, defaultOrganizationId: e.PACER_INBOUND_DEFAULT_ORGANIZATION, maxBytes: e.PACER_INBOUND_MAX_BYTES };
    if (Boolean(e.PACER_INBOUND_SMTP_TLS_CERT) !== Boolean(e.PACER_INBOUND_SMTP_TLS_KEY)) {
      throw new Error('invalid integration configuration: PACER_INBOUND_SMTP_TLS_CERT and PACER_INBOUND_SMTP_TLS_KEY go together');
    }
    // Read now so a missing or unreadable file fails at start-up, not at the first STARTTLS.
    if (e.PACER_INBOUND_SMTP_TLS_CERT && e.PACER_INBOUND_SMTP_TLS_KEY) {
      cfg.inbound.tls = { cert: fs.readFileSync(e.PACER_INBOUND_SMTP_TLS_CERT, 'utf8'), key: fs.readFileSync(e.PACER_INBOUND_SMTP_TLS_KEY, 'utf8') };
    }
  }
  return cfg;
}
