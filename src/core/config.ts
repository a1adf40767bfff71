/**
 * Configuration, parsed once at start-up into a frozen, typed object.
 * A missing or malformed variable fails fast here rather than at the first request.
 * Workflows never read this: they get what they need through their input.
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: optionalString,
  PACER_DATA_DIR: z.string().default('data'),
  /** Connections per process; the API and the activities share them, so size for both. */
  PACER_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(32),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Shifts every dev-server port from temporal-dev.yaml, to run a second stack beside the first. */
  PACER_TEMPORAL_PORT_OFFSET: z.coerce.number().int().min(0).max(50_000).default(0),
  PACER_TASK_QUEUE: z.string().default('pacer'),
  PACER_ADMIN_API_KEY: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  PACER_PUBLIC_URL: optionalString,
  PACER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bounded workflow cache: the knob that keeps worker memory flat with many open tickets. */
  PACER_WORKFLOW_CACHE_SIZE: z.coerce.number().int().min(0).default(2000),
  /** express `trust proxy` (true, a hop count, or addresses): behind a TLS proxy, marks session cookies Secure. */
  PACER_TRUST_PROXY: optionalString,
  /** Seconds between orphan reconciliation passes on the worker (tickets without workflows and back); 0 runs it at start-up only. */
  PACER_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Knowledge-base search: Typesense (started beside Pacer unless PACER_TYPESENSE_URL names one), or PostgreSQL full-text search only. */
  PACER_SEARCH: z.enum(['typesense', 'postgres']).default('typesense'),
  PACER_TYPESENSE_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), { message: 'must be an http(s) URL' }),
  PACER_TYPESENSE_API_KEY: optionalString,
  /** The locale of an article that names none. */
  /** Bearer token for GET /metrics (on the API port, and on PACER_METRICS_PORT when set); without it the API port serves no /metrics. */
  PACER_METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, { message: 'must be at least 16 characters' }),
  /** A port of its own for /metrics (a worker-only process has no other HTTP port); open there unless PACER_METRICS_TOKEN is set. */
  PACER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PACER_METRICS_HOST: z.string().default('127.0.0.1'),
  /** Where the Temporal SDK's Prometheus exporter binds (host:port) in a worker process; a free loopback port when absent. */
  PACER_TEMPORAL_METRICS_ADDRESS: optionalString.refine((v) => v === undefined || /^[^\s:]+:\d{1,5}$/.test(v), { message: 'must be host:port' }),
  PACER_KB_DEFAULT_LOCALE: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/).default('en'),
});

export type Config = Readonly<{
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  temporalPortOffset: number;
  taskQueue: string;
  adminApiKey: string | undefined;
  publicUrl: string;
  logLevel: z.infer<typeof schema>['PACER_LOG_LEVEL'];
  workflowCacheSize: number;
  trustProxy: boolean | number | string | undefined;
  reconcileIntervalSeconds: number;
  search: 'typesense' | 'postgres';
  typesenseUrl: string | undefined;
  typesenseApiKey: string | undefined;
  kbDefaultLocale: string;
  metricsToken: string | undefined;
  metricsPort: number | undefined;
  metricsHost: string;
  temporalMetricsAddress: string | undefined;
}>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.PACER_DATA_DIR,
    dbPoolSize: e.PACER_DB_POOL_SIZE,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    temporalPortOffset: e.PACER_TEMPORAL_PORT_OFFSET,
    taskQueue: e.PACER_TASK_QUEUE,
    adminApiKey: e.PACER_ADMIN_API_KEY,
    publicUrl: e.PACER_PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    logLevel: e.PACER_LOG_LEVEL,
    workflowCacheSize: e.PACER_WORKFLOW_CACHE_SIZE,
    reconcileIntervalSeconds: e.PACER_RECONCILE_INTERVAL_SECONDS,
    search: e.PACER_SEARCH,
    typesenseUrl: e.PACER_TYPESENSE_URL,
    typesenseApiKey: e.PACER_TYPESENSE_API_KEY,
    kbDefaultLocale: e.PACER_KB_DEFAULT_LOCALE,
    metricsToken: e.PACER_METRICS_TOKEN,
    metricsPort: e.PACER_METRICS_PORT,
    metricsHost: e.PACER_METRICS_HOST,
    temporalMetricsAddress: e.PACER_TEMPORAL_METRICS_ADDRESS,
    trustProxy: e.PACER_TRUST_PROXY === undefined ? undefined : e.PACER_TRUST_PROXY === 'true' ? true : e.PACER_TRUST_PROXY === 'false' ? false : /^\d+$/.test(e.PACER_TRUST_PROXY) ? Number(e.PACER_TRUST_PROXY) : e.PACER_TRUST_PROXY,
  });
}
