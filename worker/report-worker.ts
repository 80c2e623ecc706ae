import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';

/** Source entry of the workflow code; bundled by the SDK unless a prebuilt bundle is given. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface ReportWorkerOptions {
  readonly connection: NativeConnection;
  readonly config: Config;
  readonly deps: ActivityDeps;
  readonly log: Logger;
  /** A bundle made by `bundleWorkflowCode` (production image, test setup); else bundled at start. */
  readonly workflowBundle?: WorkerOptions['workflowBundle'];
}

/**
 * The one worker of a Bihuan deployment: report workflows and their activities on one task queue.
 * Scale out by running more of these; Temporal spreads the tasks.
 */
export async function createReportWorker(opts: ReportWorkerOptions): Promise<Worker> {
  const { connection, config } = opts;
  const workflowSource = opts.workflowBundle
    ? { workflowBundle: opts.workflowBundle }
    : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { ignoreModules: [] } };
  opts.log.info(
    { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace },
    'starting the worker',
  );
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...workflowSource,
    activities: createActivities(opts.deps),
    // The SDK's own SIGINT/SIGTERM handling is off: the entry points stop the worker in order.
    shutdownGraceTime: '10s',
  });
}
