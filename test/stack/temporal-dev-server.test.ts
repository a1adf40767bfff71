// Why: `npm start` keeps every ticket's SLA clocks in the dev server's SQLite file. These
// tests pin the two promises the stack makes: the server the test fixtures start is usable
// (with Pacer's search attributes), and a workflow's timer survives a server restart.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/app/stack/temporal-dev-server';
import { testTemporalAddress, testTemporalNamespace } from '../support/env';
import { sleepyWorkflow } from '../support/fixtures/sleepy-workflow';
import { testLogger } from '../support/global-fixtures';

// Indexed value types: 2 = KEYWORD, 6 = DATETIME.
const PACER_SEARCH_ATTRIBUTES: Record<string, number> = {
  PacerTicketNumber: 2,
  PacerStatus: 2,
  PacerPriority: 2,
  PacerOrganizationId: 2,
  PacerKind: 2,
  PacerNextDeadline: 6,
};

describe('Temporal dev server', () => {
  it('started by the test fixtures answers and has the Pacer search attributes', async () => {
    const connection = await Connection.connect({ address: testTemporalAddress() });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      assert.ok(info.serverVersion, 'server reported no version');
      const listed = await connection.operatorService.listSearchAttributes({ namespace: testTemporalNamespace() });
      for (const [name, type] of Object.entries(PACER_SEARCH_ATTRIBUTES)) {
        assert.equal(listed.customAttributes?.[name], type, `${name} is not registered with indexed value type ${type}`);
      }
    } finally {
      await connection.close();
    }
  });

  describe('with a SQLite file', () => {
    let dir: string;
    let server: TemporalDevServer | null = null;
    const log = testLogger('temporal-dev-server(persistence)');
    const start = (dbFile: string) =>
      startTemporalDevServer({
        log,
        dbFile,
        ui: false,
        ports: { port: 0, httpPort: 0, metricsPort: 0, uiPort: 0 },
      });

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'pacer-temporal-'));
    });

    after(async () => {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    /** Starts the 30-day sleeper and runs a worker only until the workflow has started its timer. */
    async function sleepUntilItsTimer(at: { address: string; namespace: string }, workflowId: string, taskQueue: string): Promise<void> {
      const nativeConnection = await NativeConnection.connect({ address: at.address });
      const connection = await Connection.connect({ address: at.address });
      try {
        const client = new Client({ connection, namespace: at.namespace });
        const worker = await Worker.create({
          connection: nativeConnection,
          namespace: at.namespace,
          taskQueue,
          workflowsPath: require.resolve('../support/fixtures/sleepy-workflow'),
        });
        const handle = await client.workflow.start(sleepyWorkflow, {
          args: [30 * 24 * 60 * 60 * 1000],
          taskQueue,
          workflowId,
        });
        // Run the worker only until the workflow has started its 30-day timer.
        await worker.runUntil(async () => {
          for (let i = 0; i < 200; i++) {
            const history = await handle.fetchHistory();
            if (history.events?.some((e) => e.timerStartedEventAttributes)) return;
            await sleep(100);
          }
          throw new Error('the workflow never started its timer');
        });
      } finally {
        await connection.close();
        await nativeConnection.close();
    }
    }

    /** After the restart the workflow still runs, its timer in its history. */
    async function assertStillSleeping(at: { address: string; namespace: string }, workflowId: string): Promise<void> {
      const again = await Connection.connect({ address: at.address });
      try {
        const client = new Client({ connection: again, namespace: at.namespace });
        const handle = client.workflow.getHandle(workflowId);
        const description = await handle.describe();
        assert.equal(description.status.name, 'RUNNING');
        const history = await handle.fetchHistory();
        assert.ok(
          history.events?.some((e) => e.timerStartedEventAttributes),
          'the timer is gone from the history after restart',
        );
      } finally {
        await again.close();
    }
    }

    it('keeps a sleeping workflow across a restart', async function () {
      this.timeout(120_000);
      // A directory that does not exist yet: the launcher must create it.
      const dbFile = path.join(dir, 'data', 'temporal.sqlite');
      const workflowId = `persist-${Date.now()}`;
      const taskQueue = `persist-${Date.now()}`;

      server = await start(dbFile);
      assert.ok(existsSync(dbFile), 'no SQLite file was created');
      assert.ok(existsSync(`${dbFile}-wal`), 'no -wal file: journal_mode=wal pragma not applied');

      await sleepUntilItsTimer(server, workflowId, taskQueue);

      await server.stop();
      server = null;

      server = await start(dbFile);
      await assertStillSleeping(server, workflowId);
    });
  });
});
