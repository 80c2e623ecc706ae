import { randomBytes } from 'node:crypto';
import { EncryptingPayloadCodec } from '../../infra/payload-codec.js';
import { KeyRing } from '../../infra/vault.js';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { loadPolicyRegistry, type PolicyRegistry } from '../../infra/policy-registry.js';
import { createActivities, type Activities } from '../../activities/index.js';
import { createLogger } from '../../infra/logger.js';
import { projectPath } from '../../infra/project-paths.js';
import type { ReportView } from '../../domain/report/report-view.js';
import type { Intake, StepInput, StepName } from '../../domain/report/step-inputs.js';
import { reportWorkflowId } from '../../domain/report/report-id.js';
import { stepUpdate, getReportQuery } from '../../workflows/messages.js';
import type { reportWorkflow } from '../../workflows/report-workflow.js';
import { createTestDatabase } from './database.js';
import { anIntake } from './reports.js';

export type ReportHandle = WorkflowHandle<typeof reportWorkflow>;

/**
 * A time-skipping Temporal test server of this test file's own (time skipping is global to a
 * server), optionally starting at a chosen instant, a migrated database, and a worker running the
 * real workflow and activities. `wrapActivities` lets a test inject faults around real activities.
 */
export async function createReportEnv(
  opts: {
    startTime?: string;
    wrapActivities?: (a: Activities) => Partial<Activities>;
    /**
     * Needed by `restartWorker`. The test server never moves a workflow task off a stopped
     * worker's sticky queue (a real server does after the sticky schedule-to-start timeout), so
     * a restartable env's workers cache no workflows: every workflow task replays the history,
     * several times slower, which is why this is not the default.
     */
    restartable?: boolean;
    /** The policy a report runs under when its intake names none (district-default otherwise). */
    defaultPolicy?: string;
    /** The policies the worker runs (the shipped ones otherwise), e.g. one a test deploys anew. */
    policies?: PolicyRegistry;
  } = {},
) {
  const executable = inject('testServer');
  if (opts.startTime && !inject('testServerStartTime'))
    throw new Error('this test server cannot start at a chosen time');
  // Payloads are encrypted as in production, under a key of this test file's own.
  const codec = new EncryptingPayloadCodec(new KeyRing([{ id: 'test', key: randomBytes(32) }]));
  const dataConverter = { payloadCodecs: [codec] };
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable, ...(opts.startTime ? { extraArgs: [`--start-time=${opts.startTime}`] } : {}) },
    client: { dataConverter },
  });
  const db = await createTestDatabase();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const policies =
    opts.policies ??
    (await loadPolicyRegistry(projectPath('policies'), opts.defaultPolicy ?? 'district-default'));
  const real = createActivities({ sql: db.sql, log, policies });
  const taskQueue = `reports-${Math.random().toString(36).slice(2)}`;
  const makeWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: { ...real, ...opts.wrapActivities?.(real) },
      dataConverter,
      ...(opts.restartable ? { maxCachedWorkflows: 0 } : {}),
    });
  let worker = await makeWorker();
  let running = worker.run();

  const client = env.client;
  return {
    env,
    client,
    codec,
    sql: db.sql,
    taskQueue,
    async start(overrides: Partial<Intake> = {}): Promise<ReportHandle> {
      const receivedAt = opts.startTime ?? new Date(await env.currentTimeMs()).toISOString();
      const intake = anIntake({ receivedAt: new Date(receivedAt).toISOString(), ...overrides });
      return client.workflow.start<typeof reportWorkflow>('reportWorkflow', {
        workflowId: reportWorkflowId(intake.channel, intake.externalId),
        taskQueue,
        args: [{ intake }],
      });
    },
    step<S extends StepName>(handle: ReportHandle, step: S, input: StepInput<S>): Promise<ReportView> {
      const update = stepUpdate(step);
      return handle.executeUpdate(update, { args: [input] });
    },
    view: (handle: ReportHandle): Promise<ReportView> => handle.query(getReportQuery),
    /** Advances the server's clock; timers due meanwhile fire. */
    skip: (ms: number) => env.sleep(ms),
    now: async () => new Date(await env.currentTimeMs()),
    outbox: (reportId: string) =>
      db.sql<{ kind: string; dedupe_key: string; recipient: unknown; payload: Record<string, unknown> }[]>`
        select kind, dedupe_key, recipient, payload from notification_outbox where report_id = ${reportId} order by id`,
    /** Stops the worker (as a crash or deploy would) and starts a fresh one on the same queue. */
    async restartWorker(wrap?: (a: Activities) => Partial<Activities>) {
      // Unless restartable, workflows the old worker cached would wait forever on its sticky queue.
      if (!opts.restartable) throw new Error('restartWorker needs createReportEnv({ restartable: true })');
      worker.shutdown();
      await running;
      if (wrap) opts.wrapActivities = wrap;
      worker = await makeWorker();
      running = worker.run();
    },
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
      await db.drop();
    },
  };
}

export type ReportEnv = Awaited<ReturnType<typeof createReportEnv>>;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
