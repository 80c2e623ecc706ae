import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
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
  /** The payload codec every client and worker of the deployment shares. */
  readonly dataConverter?: WorkerOptions['dataConverter'];
}

/**
 * The one worker of a Bihuan deployment: report workflows and their activities on one task queue.
 * Scale out by running more of these; Temporal spreads the tasks.
 */
export async function createReportWorker(opts: ReportWorkerOptions): Promise<Worker> {
  const { connection, config } = opts;
  const workflowBundle = opts.workflowBundle ?? (await bundleQuietly(opts.log));
  opts.log.info(
    { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace },
    'starting the worker',
  );
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle,
    activities: createActivities(opts.deps),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    // The SDK's own SIGINT/SIGTERM handling is off: the entry points stop the worker in order.
    shutdownGraceTime: '10s',
    ...(config.worker.maxCachedWorkflows === undefined
      ? {}
      : { maxCachedWorkflows: config.worker.maxCachedWorkflows }),
  });
}

/** Bundles the workflow code from source (npm start, npm run worker) with one log line, not webpack's report. */
async function bundleQuietly(log: Logger): Promise<{ code: string }> {
  const started = Date.now();
  const quiet = {
    log() {},
    trace() {},
    debug() {},
    info() {},
    warn: (m: string) => log.warn(m),
    error: (m: string) => log.error(m),
  };
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
  log.info({ kib: Math.round(code.length / 1024), ms: Date.now() - started }, 'bundled the workflow code');
  return { code };
}
