/**
 * Email's settings: outbound mail with PACER_SMTP_URL and PACER_MAIL_FROM, the inbound SMTP
 * listener with PACER_INBOUND_SMTP_PORT (each on its own).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { optionalValue, pairs, parseEnv } from '../env-values';

export interface EmailConfig {
  smtpUrl: string;
  from: string;
  /** role → address: where escalation notices to a role go. */
  roleEmails: Record<string, string>;
  /** Suggested articles in the acknowledgement (PACER_ACK_EMAIL_SUGGESTIONS); none when 0 or absent. */
  ackSuggestions?: number;
}

/** host defaults to 127.0.0.1; tls (PEM contents) makes the listener offer STARTTLS. */
export interface InboundConfig {
  port: number;
  host?: string;
  tls?: { key: string; cert: string };
  defaultOrganizationId?: string;
  maxBytes: number;
}

const schema = z.object({
  PACER_SMTP_URL: optionalValue,
  PACER_MAIL_FROM: optionalValue,
  /** role=address pairs, comma separated: where escalation notices to a role go. */
  PACER_ROLE_EMAILS: z.string().default(''),
  /** How many suggested knowledge-base articles the acknowledgement email lists (0, the default: none). */
  PACER_ACK_EMAIL_SUGGESTIONS: z.coerce.number().int().min(0).max(10).default(0),
  PACER_INBOUND_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The address the inbound listener binds; loopback unless opened on purpose (0.0.0.0, ::, an interface). */
  PACER_INBOUND_SMTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** PEM files: with both set, the listener offers STARTTLS; without them it does not. */
  PACER_INBOUND_SMTP_TLS_CERT: optionalValue,
  PACER_INBOUND_SMTP_TLS_KEY: optionalValue,
  /** Where mail from unknown senders lands (an organization id); unset = reject it. */
  PACER_INBOUND_DEFAULT_ORGANIZATION: optionalValue,
  PACER_INBOUND_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
});

export function loadEmailConfig(env: NodeJS.ProcessEnv): { email?: EmailConfig; inbound?: InboundConfig } {
  const e = parseEnv(schema, env);
  const cfg: { email?: EmailConfig; inbound?: InboundConfig } = {};
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
