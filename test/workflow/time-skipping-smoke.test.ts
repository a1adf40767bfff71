// Why: every SLA test relies on Temporal's Java time-skipping server (fetched from Maven
// Central by scripts/fetch-temporal-test-server.sh) starting under the TypeScript SDK and
// skipping days of timers. If that plumbing breaks, this fails first and says so plainly.
import assert from 'node:assert/strict';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { timeSkippingServerPath } from '../support/env';
import { sleepyWorkflow } from '../support/fixtures/sleepy-workflow';

const TEN_DAYS_MS = 10 * 24 * 60 * 60 * 1000;

describe('time-skipping test server (Java, from Maven Central)', () => {
  let env: TestWorkflowEnvironment | undefined;

  before(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
    });
  });

  after(async () => {
    await env?.teardown();
  });

  it('runs a workflow that sleeps 10 days in seconds of real time', async () => {
    const testEnv = env!;
    const taskQueue = `sleepy-${Date.now()}`;
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../support/fixtures/sleepy-workflow'),
    });
    const realStart = Date.now();
    const result = await worker.runUntil(
      testEnv.client.workflow.execute(sleepyWorkflow, {
        args: [TEN_DAYS_MS],
        taskQueue,
        workflowId: `sleepy-${Date.now()}`,
      }),
    );
    const realMs = Date.now() - realStart;
    assert.ok(result.sleptMs >= TEN_DAYS_MS, `workflow time advanced only ${result.sleptMs} ms`);
    // Typically well under a second; the bound leaves room for a slow CI box.
    assert.ok(realMs < 10_000, `10 days took ${realMs} ms of real time`);
  });
});
