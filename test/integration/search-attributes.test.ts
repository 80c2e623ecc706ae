import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadPolicyRegistry } from '../../infra/policy-registry.js';
import { createActivities } from '../../activities/index.js';
import { startReport } from '../../api/reports/start-report.js';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../domain/search-attributes.js';
import { createLogger } from '../../infra/logger.js';
import { projectPath } from '../../infra/project-paths.js';
import { ensureSearchAttributes, searchAttributesReady } from '../../infra/search-attributes.js';
import { stepUpdates } from '../../workflows/messages.js';
import { createTestDatabase } from '../support/database.js';
import { anIntake, people } from '../support/reports.js';

/** On a full Temporal server (the dev server), reports are findable in the Web UI by stage, unit, urgency, overdue and major hazard. */
describe('search attributes on a full Temporal server', () => {
  let connection: Connection;
  let client: Client;
  let worker: Worker;
  let native: NativeConnection;
  let running: Promise<void>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const taskQueue = `sa-${Date.now()}`;
  const log = createLogger('silent');

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection });
    db = await createTestDatabase();
    const policies = await loadPolicyRegistry(projectPath('policies'), 'district-default');
    native = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ sql: db.sql, log, policies }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
    await db?.drop();
  });

  it('registers the attributes idempotently', async () => {
    await ensureSearchAttributes(connection, 'default', log);
    await ensureSearchAttributes(connection, 'default', log);
    expect(await searchAttributesReady(connection, 'default')).toBe(true);
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS)),
    );
  });

  it('keeps BihuanStage and BihuanUnit current as the report moves, and one workflow per (channel, external id)', async () => {
    const intake = anIntake({ receivedAt: new Date().toISOString() });
    const handle = await startReport(client, intake, { taskQueue, searchAttributes: true });
    const again = await startReport(client, intake, { taskQueue, searchAttributes: true });
    expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);

    await handle.executeUpdate(stepUpdates.acceptReport, {
      args: [{ actor: people.dispatcher, urgency: 'emergency', category: 'fire', domain: 'gas' }],
    });
    await handle.executeUpdate(stepUpdates.assignReport, {
      args: [{ actor: people.dispatcher, unitId: 'unit-a', routing: 'manual' }],
    });
    const query = `WorkflowId = "${handle.workflowId}" AND BihuanStage = "assigned" AND BihuanUnit = "unit-a" AND BihuanUrgency = "emergency" AND BihuanOverdue = false`;
    await expect
      .poll(
        async () => {
          const found: string[] = [];
          for await (const wf of client.workflow.list({ query })) found.push(wf.workflowId);
          return found;
        },
        { timeout: 20_000, interval: 500 },
      )
      .toEqual([handle.workflowId]);
    await handle.executeUpdate(stepUpdates.cancelReport, {
      args: [{ actor: people.admin, reason: 'end of test' }],
    });
    await handle.result();
  });
});
