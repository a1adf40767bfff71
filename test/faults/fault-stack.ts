/**
 * Everything the fault suite kills, on real components and all of its own: a private
 * PostgreSQL cluster (stopped and started), a Temporal dev server on its SQLite file
 * (SIGKILLed and restarted on the same file and ports), Pacer's worker as its own OS process
 * (`tsx src/app/main.ts --only=worker`, SIGKILLed and restarted), and the API with the inbound
 * SMTP listener in this process (it must outlive every outage). Integrations point at the
 * loopback fakes, which record every effect; a webhook receiver records every delivery.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createPacerApp } from '../../src/app/http-app';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { seedDefaults } from '../../src/db/seed-defaults';
import { loadIntegrationConfig, type IntegrationConfig } from '../../src/integrations/config';
import { startIntegrationServers } from '../../src/integrations/servers';
import { createLogger } from '../../src/core/logger';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/app/stack/temporal-dev-server';
import { startJiraCloudFake, type JiraCloudFake } from '../support/fakes/jira-cloud-server';
import { startPagerDutyEventsFake, type PagerDutyEventsFake } from '../support/fakes/pagerduty-events-server';
import { startSlackWebApiFake, type SlackWebApiFake } from '../support/fakes/slack-web-api';
import { startSmtpCapture, type SmtpCapture } from '../support/fakes/smtp-capture';
import { testLogger } from '../support/global-fixtures';
import { freePort, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const ROOT = path.resolve(__dirname, '..', '..');
export const ESCALATION_CHANNEL = { id: 'C0FAULTS01', name: 'pacer-escalations' };
export const MANAGER_EMAIL = 'manager@pacer-faults.example.test';

export interface WorkerProcess {
  readonly pid: number;
  readonly exited: Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

export interface FaultStack {
  pg: PrivatePostgres;
  dev: TemporalDevServer;
  db: DatabaseHandle;
  /** The API's Temporal client, for a failure message's look at a workflow's history. */
  temporal: Client;
  baseUrl: string;
  adminKey: string;
  /** Every line the in-process API logged (warn and above). */
  apiLogLines: string[];
  inboundPort: number;
  pagerduty: PagerDutyEventsFake;
  jira: JiraCloudFake;
  slack: SlackWebApiFake;
  smtp: SmtpCapture;
  webhooks: WebhookReceiver;
  worker: WorkerProcess | null;
  /** Worker processes that ended without being killed by the suite, with their last lines: each one is a lost worker. */
  unexpectedWorkerExits: string[];
  /** Starts the worker process; resolves once it polls. */
  startWorker(): Promise<void>;
  /** SIGKILL, then waits until the process is gone. */
  killWorker(): Promise<void>;
  killDevServer(): Promise<void>;
  restartDevServer(): Promise<void>;
  /** The last lines every worker process printed, for a failure message. */
  workerOutput(): string;
  /** Every warning or error line any worker process printed that contains `needle`. */
  workerProblems(needle: string): string[];
  close(): Promise<void>;
}

export async function startFaultStack(): Promise<FaultStack> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pacer-faults-'));
  const quiet = createLogger(process.env.PACER_TEST_LOG_LEVEL ?? 'silent');
  const pg = await startPrivatePostgres();
  let dev = await startTemporalDevServer({ log: testLogger('faults-temporal'), dbFile: path.join(tmp, 'temporal.sqlite'), ui: false, ports: { port: 0, httpPort: 0, metricsPort: 0, uiPort: 0 } });

  const [pagerduty, jira, slack, smtp, webhooks] = await Promise.all([
    startPagerDutyEventsFake(),
    startJiraCloudFake({ email: 'pacer-bot@example.com', apiToken: `jira-token-${crypto.randomBytes(8).toString('hex')}` }),
    startSlackWebApiFake({ channels: [ESCALATION_CHANNEL] }),
    startSmtpCapture(),
    startWebhookReceiver(),
  ]);
  const caFile = path.join(tmp, 'pagerduty-fake-ca.pem');
  fs.writeFileSync(caFile, pagerduty.ca);

  const taskQueue = `pacer-faults-${crypto.randomBytes(3).toString('hex')}`;
  const inboundPort = await freePort();
  // The worker reads its integrations from the environment, exactly as `npm run worker` does.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: dev.address,
    TEMPORAL_NAMESPACE: dev.namespace,
    PACER_TASK_QUEUE: taskQueue,
    PACER_DATA_DIR: path.join(tmp, 'worker-data'),
    PACER_LOG_LEVEL: 'info',
    PACER_DB_POOL_SIZE: '8',
    PACER_PUBLIC_URL: 'https://pacer-faults.example.test',
    PACER_PAGERDUTY_ROUTING_KEY: crypto.randomBytes(16).toString('hex'),
    PACER_PAGERDUTY_EVENTS_HOST: pagerduty.host,
    // The fake's self-signed certificate: code-only `ca` cannot reach another process, Node's own variable can.
    NODE_EXTRA_CA_CERTS: caFile,
    PACER_JIRA_URL: jira.url,
    PACER_JIRA_EMAIL: jira.email,
    PACER_JIRA_API_TOKEN: jira.apiToken,
    PACER_JIRA_PROJECT: jira.project,
    PACER_SLACK_BOT_TOKEN: slack.token,
    PACER_SLACK_SIGNING_SECRET: crypto.randomBytes(16).toString('hex'),
    PACER_SLACK_CHANNEL: ESCALATION_CHANNEL.id,
    PACER_SLACK_API_URL: slack.url,
    PACER_SMTP_URL: smtp.url,
    PACER_MAIL_FROM: 'support@pacer-faults.example.test',
    PACER_ROLE_EMAILS: `manager=${MANAGER_EMAIL}`,
    // The webhook receiver listens on loopback.
    PACER_WEBHOOK_ALLOW_PRIVATE: 'true',
  };
  const integrations: IntegrationConfig = loadIntegrationConfig(env);
  integrations.pagerduty = { ...integrations.pagerduty!, ca: pagerduty.ca };

  // The API's log is kept: the suite reads what it said about the outage.
  const apiLogLines: string[] = [];
  const apiLog = pino({ level: 'warn', base: { service: 'pacer' } }, { write: (line: string) => void apiLogLines.push(line) });
  const db = await openDatabase({ url: pg.url, dataDir: tmp, log: apiLog, poolSize: 8, connectionTimeoutMs: 2_000 });
  await migrateToLatest(db.db);
  await seedDefaults(db.db);
  const connection = await Connection.connect({ address: dev.address });
  const client = new Client({ connection, namespace: dev.namespace });
  const adminKey = `admin-${crypto.randomBytes(16).toString('hex')}`;
  const { app, lifecycle, tickets } = createPacerApp({ db: db.db, temporal: client, taskQueue, adminApiKey: adminKey, log: apiLog, integrations });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Where mail from unknown senders goes: a community organization, so inbound tickets run no ladder.
  const mailOrg = await fetch(`${baseUrl}/api/v1/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'inbound mail (faults)', tier: 'community' }),
  }).then((r) => r.json() as Promise<{ id: string }>);
  integrations.inbound = { port: inboundPort, defaultOrganizationId: mailOrg.id, maxBytes: 1 << 20 };
  const stopInbound = await startIntegrationServers({ db: db.db, lifecycle, tickets, config: integrations, log: quiet });

  const outputs: string[] = [];
  // Warnings and errors are kept whole (up to a bound): a failure message greps them for a workflow id.
  const problems: string[] = [];
  const remember = (line: string) => {
    if (/"level":(40|50|60)/.test(line) || line.includes('stderr]')) if (problems.length < 5_000) problems.push(line);
    outputs.push(line);
    if (outputs.length > 200) outputs.shift();
  };
  const stack: FaultStack = {
    pg,
    dev,
    db,
    temporal: client,
    baseUrl,
    adminKey,
    apiLogLines,
    inboundPort,
    pagerduty,
    jira,
    slack,
    smtp,
    webhooks,
    worker: null,
    unexpectedWorkerExits: [],
    async startWorker() {
      // Node itself with tsx's loader, not the tsx wrapper: a SIGKILL of the wrapper cannot be
      // passed on, so the worker it started would live on and the "crash" would be no crash.
      // Its own process group too, so a kill reaches anything it starts.
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts', '--only=worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let killedBySuite = false;
      const exited = new Promise<void>((resolve) =>
        child.once('exit', (code, signal) => {
          if (!killedBySuite) stack.unexpectedWorkerExits.push(`worker ${child.pid} exited by itself (code ${code}, signal ${signal}):\n${outputs.filter((l) => l.startsWith(`[worker ${child.pid}`)).slice(-8).join('\n')}`);
          resolve();
        }),
      );
      const ready = new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          remember(`[worker ${child.pid}] ${line}`);
          if (line.includes('"worker running"')) resolve();
        });
        createInterface({ input: child.stderr! }).on('line', (line) => remember(`[worker ${child.pid} stderr] ${line}`));
        void exited.then(() => reject(new Error(`the worker process exited before it was ready:\n${outputs.slice(-20).join('\n')}`)));
      });
      const killGroup = (signal: NodeJS.Signals) => {
        killedBySuite = true;
        try {
          if (child.pid) process.kill(-child.pid, signal);
        } catch {
          child.kill(signal);
        }
      };
      stack.worker = { pid: child.pid ?? -1, exited, kill: killGroup };
      await ready;
    },
    async killWorker() {
      const w = stack.worker;
      if (!w) return;
      w.kill('SIGKILL');
      await w.exited;
      assert.throws(() => process.kill(w.pid, 0), /ESRCH/, 'the killed worker process is really gone');
      stack.worker = null;
    },
    async killDevServer() {
      process.kill(stack.dev.pid, 'SIGKILL');
      await stack.dev.exited;
    },
    async restartDevServer() {
      dev = await startTemporalDevServer({ log: testLogger('faults-temporal'), dbFile: dev.dbFile!, ports: dev.ports, ui: false });
      stack.dev = dev;
    },
    workerOutput: () => outputs.slice(-60).join('\n'),
    workerProblems: (needle: string) => problems.filter((l) => l.includes(needle)),
    async close() {
      if (stack.worker) {
        stack.worker.kill('SIGTERM');
        await Promise.race([stack.worker.exited, new Promise((r) => setTimeout(r, 10_000))]);
        stack.worker?.kill('SIGKILL');
      }
      for (const stop of stopInbound) await stop().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close().catch(() => undefined);
      await db.close().catch(() => undefined);
      await stack.dev.stop();
      await Promise.all([pagerduty.close(), jira.close(), slack.close(), smtp.close(), webhooks.close()]);
      await pg.destroy();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  return stack;
}
