/**
 * How the worker bundles Pacer's workflows, in one place for the worker, the tests and the
 * benchmarks, so that all of them run the code the same way.
 *
 * The SDK runs every workflow in one reusable V8 context, but gives each workflow its own
 * copy of every module it loads after the context was made: each cached ticket re-ran the
 * whole module graph (the SDK's workflow API, the contract, the calendar and clock planner,
 * four workflow types) and kept its own zone-offset and calendar caches. Preloaded modules
 * are loaded once, before any workflow, and shared. That is safe only for modules whose top
 * level holds no per-workflow state: Pacer's workflow modules hold none (their only
 * module-level mutable values are the zone-offset and calendar memos, pure functions of their
 * inputs, which every workflow may share), and the SDK's workflow API reaches the running
 * workflow only through its activator, never through module state.
 * (bench:cache-cost measures what a cached workflow costs with and without this.)
 *
 * The worker bundles in a child process (`bundleInChildProcess`). Bundling in the worker's own
 * process left webpack's working memory behind for the worker's whole life: an idle worker that
 * had bundled in-process held 327 MiB of RSS and a 91 MiB heap after a full collection, one
 * given the same bundle prebuilt 210 MiB and 65 MiB.
 */
import { fork } from 'node:child_process';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

const WORKFLOWS_PATH = require.resolve('../../workflows');

/** Loaded once per worker thread and shared by every workflow (see above). */
export const SHARED_WORKFLOW_MODULES: string[] = process.env.PACER_SHARE_WORKFLOW_MODULES === '0' ? [] : ['@temporalio/workflow', WORKFLOWS_PATH];

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** The bundle of `workflowsPath` (Pacer's workflows, or a file that re-exports them beside others), as the worker builds it. */
export function bundlePacerWorkflows(workflowsPath: string = WORKFLOWS_PATH): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, preloadModules: SHARED_WORKFLOW_MODULES, logger: quiet as never });
}

/**
 * Pacer's bundle, built by a short-lived child process (src/app/workflow-bundle-main.ts) so
 * that none of webpack's working memory stays in the worker (see above). The code is the same
 * as `bundlePacerWorkflows()` returns.
 */
export function bundleInChildProcess(): Promise<WorkflowBundle> {
  return new Promise((resolve, reject) => {
    // The child runs TypeScript source as this process does, through tsx's CommonJS hook.
    const child = fork(require.resolve('./workflow-bundle-main'), [], { execArgv: ['--require', require.resolve('tsx/cjs')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let bundle: WorkflowBundle | undefined;
    child.once('message', (m) => (bundle = m as WorkflowBundle));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      bundle ? resolve(bundle) : reject(new Error(`bundling Pacer's workflows failed: the bundler process exited with ${signal ?? code} before sending the bundle`)),
    );
  });
}
