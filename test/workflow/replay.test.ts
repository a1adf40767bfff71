/**
 * Upgrades never break running tickets: every history recorded from a deployed Pacer
 * (test/fixtures/histories/<commit>/, written by scripts/record-histories.ts) must replay
 * against the workflow code as it is now. A change that alters the commands a running
 * workflow emits without `patched()` fails here, naming the scenario, before it can strand
 * a ticket or an incident in production.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/api-harness';
import { historyFromJson } from '../support/history-json';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'histories');
/** Every workflow type the worker registers (workflows/index.ts); each must have histories that guard it. */
const WORKFLOW_TYPES = ['ticketWorkflow', 'incidentWorkflow', 'rolloutWorkflow', 'contractPeriodsWorkflow', 'routingWorkflow'];

/** Every recorded history, as `<recording>/<file>`, oldest recording first. */
function fixtures(dir = FIXTURES, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const rel = prefix ? `${prefix}/${entry}` : entry;
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return fixtures(full, rel);
      return entry.endsWith('.json') ? [rel] : [];
    });
}

describe('workflow replay of recorded histories', function () {
  this.timeout(120_000);
  const files = fixtures();

  it('has recorded histories of every workflow type to replay', () => {
    const types = new Set(files.map((f) => path.basename(f).split('.')[0]));
    for (const type of WORKFLOW_TYPES) assert.ok(types.has(type), `no ${type} history under test/fixtures/histories`);
  });

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const history = historyFromJson(readFileSync(path.join(FIXTURES, file), 'utf8'));
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      assert.ok(started, `${file} does not begin with a workflow start`);
      assert.equal(started.workflowType?.name, path.basename(file).split('.')[0], `${file} is named after another workflow type than it holds`);
      const results = [];
      for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [{ workflowId: file, history }])) {
        results.push(result);
      }
      assert.equal(results.length, 1, `${file} was not replayed`);
      const error = results[0]!.error;
      if (error) assert.fail(`${file} (${started.workflowType?.name}) no longer replays: ${error.name}: ${error.message}`);
    });
  }
});
