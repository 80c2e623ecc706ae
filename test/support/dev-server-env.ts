import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createLogger } from '../../infra/logger.js';
import { loadPolicyRegistry } from '../../infra/policy-registry.js';
import { projectPath } from '../../infra/project-paths.js';
import { createTestDatabase } from './database.js';

/**
 * The shared Temporal dev server (a full server: visibility, search attributes) with a worker of
 * this test file's own on a task queue of its own, and a database of its own.
 */
export async function createDevServerEnv(taskQueuePrefix: string) {
  const taskQueue = `${taskQueuePrefix}-${Date.now()}`;
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({ connection });
  const db = await createTestDatabase();
  const policies = await loadPolicyRegistry(projectPath('policies'), 'district-default');
  const native = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: createActivities({ sql: db.sql, log: createLogger('silent'), policies }),
  });
  const running = worker.run();
  return {
    connection,
    client,
    db,
    taskQueue,
    async close() {
      worker.shutdown();
      await running;
      await native.close();
      await connection.close();
      await db.drop();
    },
  };
}
export type DevServerEnv = Awaited<ReturnType<typeof createDevServerEnv>>;
