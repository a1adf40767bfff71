/**
 * The worker: one place that knows its options, used by `npm start`, `npm run worker`
 * and the tests (which pass a prebuilt bundle and activity overrides); without one it bundles in
 * a child process (src/app/workflow-bundle.ts says why). The workflow cache
 * is bounded so memory stays flat however many tickets are open; evicted workflows are
 * rebuilt from history when they next wake. Every activity's permanent failures (bad data,
 * refused requests) fail non-retryably, so no input can hold a workflow in endless retries.
 */
import { NativeConnection, Worker, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { createActivities } from '../../activities';
import { classifyingFailures } from '../db/failure-classes';
import type { IntegrationConfig } from '../integrations/config';
import type { Logger } from '../core/logger';
import type { SuggestionSearch } from '../domain/search/suggestions';
import { activityLogFields } from './activity-log-fields';
import { bundleInChildProcess } from './workflow-bundle';


export interface PacerWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Kysely<Database>;
  workflowCacheSize?: number;
  integrations?: IntegrationConfig;
  log?: Logger;
  workflowBundle?: WorkflowBundle;
  activities?: Partial<ReturnType<typeof createActivities>>;
  /** The knowledge base's search, for integrations that suggest articles (the acknowledgement email). */
  kbSearch?: SuggestionSearch;
  extra?: Partial<WorkerOptions>;
}

export async function createPacerWorker(o: PacerWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowBundle: o.workflowBundle ?? (await bundleInChildProcess()),
    // Overrides (tests' injected faults) are classified like the real activities.
    activities: classifyingFailures({ ...createActivities({ db: o.db, integrations: o.integrations, kbSearch: o.kbSearch, log: o.log }), ...o.activities }),
    maxCachedWorkflows: o.workflowCacheSize ?? 2000,
    ...o.extra,
    interceptors: { ...o.extra?.interceptors, activity: [activityLogFields, ...(o.extra?.interceptors?.activity ?? [])] },
  });
}
