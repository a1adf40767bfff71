/**
 * A whole Pacer for API tests: a fresh database on the real PostgreSQL test server, the
 * worker on the shared Temporal dev server (own task queue), and the express app on a
 * random loopback port. Mirrors src/app/main.ts; activity overrides let tests inject faults.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { createPacerApp } from '../../src/app/http-app';
import type { ClassifySettings } from '../../src/core/classify-settings';
import type { IntegrationConfig } from '../../src/integrations/config';
import type { TicketLifecycle } from '../../src/domain/tickets/ticket-lifecycle';
import type { TicketService } from '../../src/domain/tickets/ticket-service';
import { createLogger, type LoggerOptions } from '../../src/core/logger';
import { createPacerWorker } from '../../src/app/worker';
import { bundlePacerWorkflows } from '../../src/app/workflow-bundle';
import type { createActivities } from '../../activities';
import { createTestDatabase, type TestDatabase } from './database';
import type { KbSearch } from '../../src/domain/search/kb-search';
import { testTemporalAddress } from './env';
import type { AgentStatusListener } from '../../src/domain/routing/agent-status';

let bundle: Promise<WorkflowBundle> | undefined;
/** The workflow bundle, built once per test process. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundlePacerWorkflows();
  return bundle;
}

/** What `api` answers: the status, the headers and the body as the API sent it. */
export interface HarnessAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface PacerHarness {
  baseUrl: string;
  adminKey: string;
  database: TestDatabase;
  client: Client;
  taskQueue: string;
  /**
   * fetch against the API with the admin key unless another key is given. The body is the parsed
   * JSON (or the text) as sent, unknown until a test reads it through `bodyOf` (the documented
   * response schema checks and types it) or `assertError` (the one error shape).
   */
  api(path: string, init?: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string> }): Promise<HarnessAnswer>;
  lifecycle: TicketLifecycle;
  tickets: TicketService;
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  activities?: Partial<ReturnType<typeof createActivities>>;
  /** Integrations pointed at the loopback fakes under test/support. */
  integrations?: IntegrationConfig;
  /** Another bundle than workflows/ (a benchmark adds its own workflow types beside Pacer's). */
  workflowBundle?: WorkflowBundle;
  /** The app's and the worker's log lines at this level go here instead of stdout at warn (a test reads them). */
  log?: { level: string; destination: LoggerOptions['destination'] };
  /** Webhook subscriptions may reach loopback receivers (PACER_WEBHOOK_ALLOW_PRIVATE); off, as in production, unless a test delivers to one. */
  allowPrivateWebhooks?: boolean;
  /** Knowledge-base search for the app and the worker, built on the harness's database (test/kb/answers-stack: real Typesense); PostgreSQL only when absent. */
  kb?: (db: TestDatabase['db']) => Promise<{ search: KbSearch; onChange?: () => void }>;
  /** Serves GET /metrics behind this bearer token (PACER_METRICS_TOKEN). */
  metricsToken?: string;
  /** Intake's category classifier settings (PACER_CATEGORY_*); the defaults when absent. */
  classify?: ClassifySettings;
  /** Hears agents' status, profile and membership changes (src/domain/routing/agent-status); nobody when absent. */
  agentStatusListener?: AgentStatusListener;
}

export async function startHarness(given: HarnessOptions = {}): Promise<PacerHarness> {
  const opts: HarnessOptions = given.allowPrivateWebhooks ? { ...given, integrations: { publicUrl: 'http://localhost:3000', ...given.integrations, allowPrivateWebhooks: true } } : given;
  const log = opts.log ? createLogger(opts.log.level, { destination: opts.log.destination }) : createLogger('warn');
  const database = await createTestDatabase();
  const address = testTemporalAddress();
  const taskQueue = `pacer-test-${crypto.randomBytes(4).toString('hex')}`;
  const adminKey = `admin-${crypto.randomBytes(16).toString('hex')}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });

  const kb = opts.kb ? await opts.kb(database.db) : undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await createPacerWorker({ connection: nativeConnection, namespace: 'default', taskQueue, db: database.db, workflowBundle: opts.workflowBundle ?? (await workflowBundle()), activities: opts.activities, integrations: opts.integrations, kbSearch: kb?.search, log });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (!worker) return;
    worker.shutdown();
    await running;
    worker = undefined;
  };
  await startWorker();

  const { app, lifecycle, tickets } = createPacerApp({ db: database.db, temporal: client, taskQueue, adminApiKey: adminKey, log, integrations: opts.integrations, kb, classify: opts.classify, ...(opts.metricsToken !== undefined && { metrics: { token: opts.metricsToken } }), ...(opts.agentStatusListener && { agentStatusListener: opts.agentStatusListener }) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    adminKey,
    database,
    client,
    taskQueue,
    lifecycle,
    tickets,
    async api(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const key = init.key === undefined ? adminKey : init.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      }
      const res = await fetch(baseUrl + path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    stopWorker,
    startWorker,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopWorker();
      await connection.close();
      await nativeConnection.close();
      await database.drop();
    },
  };
}
