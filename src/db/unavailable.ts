/**
 * One home for "a backing service cannot be reached right now" (PostgreSQL, Temporal): the HTTP
 * layer answers it 503 with a Retry-After, the inbound mail listener defers the message (451).
 * Both ask the same question, so the classification lives below both of them.
 */
/**
 * Whether a failure means a backing service (PostgreSQL, Temporal) cannot be reached right now,
 * so the request may succeed if retried: 503, not 500. Looks through `cause` chains and
 * aggregate errors, since kysely, pg-pool and the Temporal client each wrap differently.
 */
export function isUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || err === null || err === undefined) return false;
  if (typeof err !== 'object') return UNAVAILABLE_TEXT.test(String(err));
  const e = err as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined) {
    // PostgreSQL classes 08 (connection exception), 53 (insufficient resources), 57P01–57P05
    // (admin shutdown, crash shutdown, cannot connect now, database dropped, idle timeout).
    if (/^08[0-9A-Z]{3}$/.test(code) || /^53[0-9A-Z]{3}$/.test(code) || /^57P0[1-5]$/.test(code)) return true;
    if (NETWORK_CODES.has(code)) return true;
  }
  // gRPC status 14 UNAVAILABLE / 4 DEADLINE_EXCEEDED from the Temporal client.
  if (typeof e.code === 'number' && (e.code === 14 || e.code === 4) && /ServiceError|grpc|UNAVAILABLE|DEADLINE/i.test(`${String(e.name)} ${String(e.message)}`)) return true;
  // gRPC 9 FAILED_PRECONDITION on a query when no worker polls the queue: the worker is down, not the request wrong.
  if (typeof e.code === 'number' && e.code === 9 && typeof e.message === 'string' && /no poller seen for task queue/i.test(e.message)) return true;
  if (typeof e.name === 'string' && /^(ConnectionError|TransportError)$/.test(e.name)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_TEXT.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isUnavailable(x, depth + 1))) return true;
  return isUnavailable(e.cause, depth + 1);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTCONN', 'ECONNABORTED']);

// pg's own wordings (no code): a dropped socket, a pool that waited out connectionTimeoutMillis,
// a query on a client the server just killed; gRPC's when Temporal is away.
const UNAVAILABLE_TEXT =
  /ECONNREFUSED|ECONNRESET|\b14 UNAVAILABLE\b|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Connection ended unexpectedly|Client was closed and is not queryable|failed to connect to|DEADLINE_EXCEEDED/i;
