/**
 * Starts what the integration tests share, once per `npm test`: a private PostgreSQL on a free
 * port, the Temporal dev server (full server, search attributes) on a free port, the workflow
 * bundle, and the path of the time-skipping test server that workflow tests start per file.
 * Servers are obtained first when missing (`npm run setup`'s code), so a fresh clone needs no step.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../infra/logger.js';
import { freePort } from '../../scripts/embedded/port.js';
import { startEmbeddedPostgres } from '../../scripts/embedded/postgres.js';
import { startTemporalDevServer } from '../../scripts/embedded/temporal-dev-server.js';
import { resolveChromium } from '../../scripts/tools/chromium.js';
import { resolveOpen311Client } from '../../scripts/tools/open311-client.js';
import { resolvePgDump } from '../../scripts/tools/pg-dump.js';
import { resolveTemporalCli } from '../../scripts/tools/temporal-cli.js';
import { resolveTestServer, supportsStartTime } from '../../scripts/tools/test-server.js';
import { WORKFLOWS_PATH } from '../../worker/report-worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test PostgreSQL; each test file creates its own database from it. */
    postgresAdminUrl: string;
    /** host:port of the shared Temporal dev server. */
    temporalAddress: string;
    /** How to run the time-skipping test server (path, or the SDK's download). */
    testServer: { type: 'existing-path'; path: string } | { type: 'cached-download' };
    temporalCli: { type: 'existing-path'; path: string } | { type: 'cached-download' };
    /** Whether the test server takes --start-time (our launcher): date-specific tests need it. */
    testServerStartTime: boolean;
    workflowBundlePath: string;
    /** pg_dump for the test PostgreSQL's major, or why there is none (the privacy test says it). */
    pgDump: { path: string } | { missing: string };
    /** A headless Chromium for the dashboard test, or why there is none (that test says it). */
    chromium: { path: string } | { missing: string };
    /** Python with the `georeport` Open311 client, or why there is none (the Open311 test says it). */
    open311Client: { path: string } | { missing: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', { process: 'test-setup' });
  const say = (m: string) => console.log(`[test setup] ${m}`);
  const temporalCli = await resolveTemporalCli({ progress: say });
  const testServer = await resolveTestServer({ progress: say });
  const pgDump = await resolvePgDump({ progress: say }).then(
    (d) => ({ path: d.path }),
    (err: Error) => ({ missing: err.message }),
  );
  const chromium = await resolveChromium({ progress: say }).then(
    (path) => ({ path }),
    (err: Error) => ({ missing: err.message }),
  );

  const open311Client = await resolveOpen311Client({ progress: say }).then(
    (path) => ({ path }),
    (err: Error) => ({ missing: err.message }),
  );

  const root = await mkdtemp(join(tmpdir(), 'bihuan-test-'));
  await chmod(root, 0o755); // PostgreSQL runs as the `postgres` user when we are root
  await mkdir(join(root, 'out'), { recursive: true });
  const [pgPort, devPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const [pg, dev, bundle] = await Promise.all([
    startEmbeddedPostgres({ dataDir: join(root, 'postgres'), port: pgPort, log, database: 'postgres' }),
    startTemporalDevServer({
      executable: temporalCli,
      port: devPort,
      uiPort,
      dbFile: join(root, 'temporal.sqlite'),
      namespace: 'default',
      log,
    }),
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    }),
  ]);
  const workflowBundlePath = join(root, 'out', 'workflow-bundle.js');
  await writeFile(workflowBundlePath, bundle.code);

  project.provide('postgresAdminUrl', pg.url);
  project.provide('temporalAddress', dev.address);
  project.provide('testServer', testServer);
  project.provide('temporalCli', temporalCli);
  project.provide(
    'testServerStartTime',
    testServer.type === 'existing-path' && supportsStartTime(testServer.path),
  );
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('pgDump', pgDump);
  project.provide('chromium', chromium);
  project.provide('open311Client', open311Client);

  return async () => {
    await dev.stop();
    await pg.stop();
    await rm(root, { recursive: true, force: true });
  };
}
