/**
 * What the Temporal server did, read from its Prometheus metrics (the dev server serves them
 * on the metrics port of temporal-dev.yaml; a cluster's address is TEMPORAL_METRICS_URL):
 * persistence requests by operation, visibility requests and the mutable-state cache's
 * misses. Counted over a phase and divided by what the phase did (breaches fired), they say
 * where the server's work goes per step. Counts, unlike latencies, do not depend on what
 * else the machine is running.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface ServerWork {
  /** persistence_requests summed by operation. */
  persistence: Map<string, number>;
  visibility: number;
  cacheRequests: number;
  cacheMisses: number;
}

type Family = ReturnType<typeof parsePrometheusTextFormat>[number];

const sum = (f: Family | undefined, where: (labels: Record<string, string>) => boolean = () => true): number =>
  (f?.metrics ?? []).reduce((n, m) => n + (where((m as { labels?: Record<string, string> }).labels ?? {}) ? Number((m as { value?: string }).value ?? 0) : 0), 0);

export async function readServerWork(metricsUrl: string | null): Promise<ServerWork | null> {
  if (!metricsUrl) return null;
  const families = parsePrometheusTextFormat(await (await fetch(metricsUrl)).text());
  const named = (name: string) => families.find((f) => f.name === name);
  const persistence = new Map<string, number>();
  for (const m of named('persistence_requests')?.metrics ?? []) {
    const op = (m as { labels?: Record<string, string> }).labels?.operation ?? '?';
    persistence.set(op, (persistence.get(op) ?? 0) + Number((m as { value?: string }).value ?? 0));
  }
  // The history service's mutable-state cache: a miss loads a workflow's state from the store.
  const mutableState = (l: Record<string, string>) => l.cache_type === 'mutablestate';
  return { persistence, visibility: sum(named('visibility_persistence_requests')), cacheRequests: sum(named('cache_requests'), mutableState), cacheMisses: sum(named('cache_miss'), mutableState) };
}

/** "N persistence requests per <unit> (top operations), mutable-state cache misses …" over [before, after]. */
export function describeServerWork(before: ServerWork | null, after: ServerWork | null, count: number, unit: string): string {
  if (!before || !after || count === 0) return 'server metrics not read (TEMPORAL_METRICS_URL names a cluster’s)';
  const ops = [...after.persistence].map(([op, n]) => [op, n - (before.persistence.get(op) ?? 0)] as const).filter(([, n]) => n > 0);
  const total = ops.reduce((n, [, d]) => n + d, 0);
  const top = ops
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([op, n]) => `${op} ${(n / count).toFixed(2)}`)
    .join(', ');
  const requests = after.cacheRequests - before.cacheRequests;
  const misses = after.cacheMisses - before.cacheMisses;
  return `${(total / count).toFixed(2)} persistence requests per ${unit} (${top}); visibility ${((after.visibility - before.visibility) / count).toFixed(2)}; mutable-state cache misses ${misses} of ${requests} lookups`;
}
