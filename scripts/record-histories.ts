/**
 * Records the workflow histories that `test/integration/workflow/replay.test.ts` replays
 * (`npm run record-histories`). It drives the lifecycles of `history-scenarios.ts` on a private
 * time-skipping test server starting on Monday 2026-11-23 09:30 Beijing time, against a private
 * PostgreSQL, and writes each history as JSON to `test/fixtures/histories/<version>/<name>.json`,
 * the version being package.json's: each release's histories are recorded beside the earlier
 * ones, and every one of them keeps replaying on every later commit.
 *
 * A release's folder is never written twice: re-recording to silence a failing replay test would
 * hide the very change it exists to catch — histories already running in production still have
 * the old shape. A change to what the workflow does goes behind `patched()`; then bump the version
 * and record the new release beside the old ones.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import postgres from 'postgres';
import { createActivities } from '../activities/index.js';
import { loadPolicyRegistry } from '../infra/policy-registry.js';
import { reportWorkflowId } from '../domain/report/report-id.js';
import type { ReportView } from '../domain/report/report-view.js';
import type { StepInput, StepName } from '../domain/report/step-inputs.js';
import { migrate } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runMain } from '../infra/main-guard.js';
import { projectPath } from '../infra/project-paths.js';
import { anIntake } from '../test/support/reports.js';
import { WORKFLOWS_PATH } from '../worker/report-worker.js';
import { getReportQuery, stepUpdate } from '../workflows/messages.js';
import type { reportWorkflow } from '../workflows/report-workflow.js';
import { freePort } from './embedded/port.js';
import { startEmbeddedPostgres } from './embedded/postgres.js';
import { SCENARIOS, type ScenarioDriver } from './history-scenarios.js';
import { resolveTestServer, supportsStartTime } from './tools/test-server.js';

const START_TIME = '2026-11-23T01:30:00Z';
const VERSION = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string })
  .version;
const HISTORIES_DIR = projectPath('test', 'fixtures', 'histories', VERSION);

async function main(): Promise<void> {
  if (existsSync(HISTORIES_DIR) && readdirSync(HISTORIES_DIR).some((f) => f.endsWith('.json'))) {
    throw new Error(
      `the histories of release ${VERSION} are recorded already (${HISTORIES_DIR}): they stay as they are. Bump the version in package.json (and CHANGELOG.md) to record the next release beside them`,
    );
  }
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', { process: 'record-histories' });
  const say = (m: string) => console.log(`[record-histories] ${m}`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await resolveTestServer({ progress: say });
  if (server.type !== 'existing-path' || !supportsStartTime(server.path)) {
    throw new Error('recording needs the test server launcher that takes --start-time: run `npm run setup`');
  }
  const root = await mkdtemp(join(tmpdir(), 'bihuan-record-'));
  await chmod(root, 0o755); // PostgreSQL runs as the `postgres` user when we are root
  const stops: (() => Promise<unknown>)[] = [() => rm(root, { recursive: true, force: true })];
  try {
    const pg = await startEmbeddedPostgres({ dataDir: join(root, 'postgres'), port: await freePort(), log });
    stops.unshift(() => pg.stop());
    await migrate(pg.url, log);
    const sql = postgres(pg.url, { max: 5, onnotice: () => undefined });
    stops.unshift(() => sql.end({ timeout: 5 }));
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: server, extraArgs: [`--start-time=${START_TIME}`] },
    });
    stops.unshift(() => env.teardown());
    const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: say, error: say };
    const taskQueue = 'record-histories';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet }),
      activities: createActivities({
        sql,
        log,
        policies: await loadPolicyRegistry(projectPath('policies'), 'district-default'),
      }),
    });
    await worker.runUntil(async () => {
      const driver = createDriver(env, taskQueue);
      await mkdir(HISTORIES_DIR, { recursive: true });
      for (const scenario of SCENARIOS) {
        for (const [name, handle] of Object.entries(await scenario(driver))) {
          const history = await handle.fetchHistory();
          await writeFile(join(HISTORIES_DIR, `${name}.json`), `${historyToJSON(history)}\n`);
          const { stage } = await driver.view(handle);
          say(`${name}: ${history.events?.length ?? 0} events, stage ${stage.name}`);
        }
      }
    });
  } finally {
    for (const stop of stops) await stop();
  }
}

type Handle = Awaited<ReturnType<ScenarioDriver['start']>>;

function createDriver(env: TestWorkflowEnvironment, taskQueue: string): ScenarioDriver {
  return {
    async start(externalId, overrides = {}) {
      const receivedAt = new Date(await env.currentTimeMs()).toISOString();
      const intake = anIntake({ externalId, receivedAt, ...overrides });
      return env.client.workflow.start<typeof reportWorkflow>('reportWorkflow', {
        workflowId: reportWorkflowId(intake.channel, intake.externalId),
        taskQueue,
        args: [{ intake }],
      });
    },
    step<S extends StepName>(handle: Handle, step: S, input: StepInput<S>): Promise<ReportView> {
      const update = stepUpdate(step);
      return handle.executeUpdate(update, { args: [input] });
    },
    view: (handle) => handle.query(getReportQuery),
    skip: (ms) => env.sleep(ms),
    async waitFor(what, check) {
      const deadline = Date.now() + 60_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

runMain(main);
