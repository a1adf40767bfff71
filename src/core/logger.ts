/**
 * One pino logger for the process; secrets never reach it. Three layers, because a secret can
 * arrive by a path nobody wrote on purpose:
 * - structure: known secret fields (authorization and cookie headers, passwords, tokens, keys,
 *   signing secrets) are censored where they are named;
 * - errors: an HTTP client's error carries the request it made (axios' `config` with its
 *   Authorization header, Slack's `original`, `request`, `options`), which the err serializer
 *   drops before the error is written;
 * - text: every finished line loses URL passwords (`scheme://user:pass@`), Bearer and Basic
 *   credentials and Slack tokens, and every secret named in the environment (PACER_*_KEY,
 *   _TOKEN, _SECRET, the passwords in PACER_SMTP_URL and DATABASE_URL) in the forms it is sent
 *   in (as given, URL-encoded, base64).
 * The Temporal SDK's own lines (activity failures print their error whole) come through
 * sdkLogFunction, so the same rules apply to them.
 */
import pino from 'pino';
import { currentLogFields } from './log-context';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Where lines go; stdout unless given (tests capture them). */
  destination?: pino.DestinationStream;
  /** Environment to take the known secrets from; process.env unless given. */
  env?: NodeJS.ProcessEnv;
}

const CENSOR = '[redacted]';

/** Field names that hold a secret wherever they appear, at the top or one level down. */
const SECRET_FIELDS = ['authorization', 'cookie', 'password', 'secret', 'apiKey', 'apiToken', 'token', 'botToken', 'signingSecret', 'routingKey', 'routing_key', 'webhookSecret', 'smtpUrl', 'csrfToken'];
/** Request and response headers that carry credentials, wherever a headers object is logged. */
const SECRET_HEADERS = ['authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie', 'proxy-authorization', 'x-pacer-webhook-secret', 'x-pagerduty-signature', 'x-slack-signature', 'x-pacer-signature'];
const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
  ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`, `req.headers["${h}"]`, `res.headers["${h}"]`]),
];

/** What an HTTP client's error carries of its request: never logged. */
const REQUEST_PARTS = new Set(['config', 'request', 'options', 'original', 'agent', 'socket', 'headers', '_options', '_currentRequest']);

function scrubError(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => scrubError(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (REQUEST_PARTS.has(k)) continue;
    if (SECRET_FIELDS.includes(k)) {
      out[k] = CENSOR;
      continue;
    }
    // An HTTP response keeps its status only: its config and request name the credentials.
    if (k === 'response' && v !== null && typeof v === 'object') {
      const r = v as { status?: unknown; statusCode?: unknown };
      out[k] = { status: r.status ?? r.statusCode };
      continue;
    }
    out[k] = scrubError(v, depth + 1);
  }
  return out;
}

function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return scrubError(err);
  return scrubError(pino.stdSerializers.err(err));
}

const ENV_SECRET = /^PACER_.*(_KEY|_TOKEN|_SECRET|_PASSWORD)$/;

/** The secrets the environment holds, each with the forms it travels in. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 8) continue;
    if (ENV_SECRET.test(name)) values.push(value);
    if (name === 'PACER_SMTP_URL' || name === 'DATABASE_URL') {
      try {
        // A short password would blank ordinary words; the URL rule below still takes it out of URLs.
        const password = decodeURIComponent(new URL(value).password);
        if (password.length >= 8) values.push(password);
      } catch {
        /* not a URL: nothing to take */
      }
    }
  }
  // Longest first, so a secret is never half-replaced by a shorter one inside it.
  return [...new Set(values.flatMap(encodings))].filter((v) => v.length >= 8).sort((a, b) => b.length - a.length);
}

function encodings(s: string): string[] {
  return [s, encodeURIComponent(s), Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), JSON.stringify(s).slice(1, -1)];
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/"'\\]*):[^\s@/"'\\]+@/gi;
const BEARER = /\bBearer(\s+|%20)[A-Za-z0-9._~+/-]{8,}=*/g;
const BASIC = /\bBasic(\s+|%20)[A-Za-z0-9+/]{12,}={0,2}/g;
const SLACK_TOKEN = /\bxox[abposre]-[A-Za-z0-9-]{6,}/g;

/** A finished line without credentials in URLs, headers' values, Slack tokens and the known secrets. */
export function scrubText(text: string, known: readonly string[]): string {
  let out = text.replace(URL_PASSWORD, `$1:${CENSOR}@`).replace(BEARER, `Bearer ${CENSOR}`).replace(BASIC, `Basic ${CENSOR}`).replace(SLACK_TOKEN, `xox-${CENSOR}`);
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(CENSOR);
  return out;
}

export function createLogger(level: string = process.env.PACER_LOG_LEVEL ?? 'info', opts: LoggerOptions = {}): Logger {
  const known = environmentSecrets(opts.env);
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'pacer' },
    // The unit of work's ids (log-context.ts); a field the call names itself wins.
    mixin: () => currentLogFields(),
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: { err: serializeError, error: serializeError },
    hooks: { streamWrite: (line) => scrubText(line, known) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** The shape of the Temporal SDK's log entries (@temporalio/worker's LogEntry). */
export interface SdkLogEntry {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
}

/**
 * A log function for the Temporal SDK's DefaultLogger: its lines go through Pacer's logger,
 * so an activity failure's error is serialized and scrubbed like any other.
 */
export function sdkLogFunction(log: Logger): (entry: SdkLogEntry) => void {
  const sdk = log.child({ component: 'temporal-sdk' });
  return (entry) => {
    const { error, ...meta } = entry.meta ?? {};
    const fields = error === undefined ? meta : { ...meta, err: error };
    const level = entry.level.toLowerCase();
    if (level === 'error') sdk.error(fields, entry.message);
    else if (level === 'warn') sdk.warn(fields, entry.message);
    else if (level === 'info') sdk.info(fields, entry.message);
    else if (level === 'debug') sdk.debug(fields, entry.message);
    else sdk.trace(fields, entry.message);
  };
}
