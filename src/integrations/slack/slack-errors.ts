/**
 * What a failed Slack Web API call means for a retry. Slack answers most errors with HTTP
 * 200 and `ok: false`; a few of those are passing (internal_error, ratelimited), the rest
 * say the request will never work as it is (invalid_auth, channel_not_found, invalid_blocks…).
 * A 429, a 5xx or no answer at all are passing too.
 */
import { webApi } from '@slack/bolt';

export type SlackFailure =
  | { kind: 'rate_limited'; retryAfterSeconds: number; message: string }
  | { kind: 'transient'; error: string; message: string }
  | { kind: 'permanent'; error: string; message: string };

/** Platform errors that clear up by themselves (from the Web API's common error list). */
const PASSING_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

export function classifySlackError(err: unknown): SlackFailure {
  const e = err as { code?: string; message?: string; retryAfter?: number; data?: { error?: string; response_metadata?: { retryAfter?: number } } };
  const message = e?.message ?? String(err);
  switch (e?.code) {
    case webApi.ErrorCode.RateLimitedError:
      return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, Number(e.retryAfter) || 1), message };
    case webApi.ErrorCode.PlatformError: {
      const error = e.data?.error ?? 'unknown_error';
      if (error === 'ratelimited') return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, Number(e.data?.response_metadata?.retryAfter) || 1), message };
      return PASSING_ERRORS.has(error) ? { kind: 'transient', error, message } : { kind: 'permanent', error, message };
    }
    case webApi.ErrorCode.HTTPError:
      return { kind: 'transient', error: 'http_error', message };
    default:
      // Request errors (refused, reset, timed out) and anything unexpected: try again.
      return { kind: 'transient', error: 'request_error', message };
  }
}

/** The `error` of an ok:false answer, when that is what err is. */
export function platformError(err: unknown): string | null {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === webApi.ErrorCode.PlatformError ? (e.data?.error ?? null) : null;
}
