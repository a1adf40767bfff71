/**
 * The child process of `bundleInChildProcess` (src/app/workflow-bundle.ts): bundles Pacer's
 * workflows, sends the bundle's code to its parent over the IPC channel, and exits, taking
 * webpack's working memory with it.
 */
import { bundlePacerWorkflows } from './workflow-bundle';

bundlePacerWorkflows()
  .then((bundle) => process.send!({ code: bundle.code }, () => process.exit(0)))
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
