import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { loadPolicyRegistry } from '../../infra/policy-registry.js';
import { readModelRows, rebuildReadModel } from '../../scripts/read-model/rebuild.js';
import { startReport } from '../../api/reports/start-report.js';
import { createLogger } from '../../infra/logger.js';
import { projectPath } from '../../infra/project-paths.js';
import { stepUpdates } from '../../workflows/messages.js';
import { createTestDatabase } from '../support/database.js';
import { anIntake, people } from '../support/reports.js';

/**
 * Disaster recovery: the read model written again from Temporal equals, row for row, what the
 * workflows projected as they went. On the dev server (a full server: visibility lists workflows).
 */
describe('rebuilding the read model from Temporal', () => {
  const log = createLogger('silent');
  const taskQueue = `rebuild-${Date.now()}`;
  let connection: Connection;
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const ids: string[] = [];
  const scope = `TaskQueue = "${taskQueue}"`;

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

    const start = async () => {
      const handle = await startReport(client, anIntake({ receivedAt: new Date().toISOString() }), {
        taskQueue,
        searchAttributes: false,
      });
      ids.push(handle.workflowId);
      return handle;
    };
    const accept = {
      actor: people.dispatcher,
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    } as const;
    // In rectification, with clocks running, a finding and a deadline.
    const handled = await start();
    await handled.executeUpdate(stepUpdates.acceptReport, { args: [accept] });
    await handled.executeUpdate(stepUpdates.assignReport, {
      args: [{ actor: people.dispatcher, unitId: 'unit-a', routing: 'rule' }],
    });
    await handled.executeUpdate(stepUpdates.startVerification, { args: [{ actor: people.handlerA }] });
    await handled.executeUpdate(stepUpdates.submitVerification, {
      args: [
        {
          actor: people.handlerA,
          outcome: 'substantiated',
          findings: '属实',
          hazardsFound: 1,
          majorHazard: false,
        },
      ],
    });
    await handled.executeUpdate(stepUpdates.orderRectification, {
      args: [
        {
          actor: people.handlerA,
          measures: ['order_rectification'],
          dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
        },
      ],
    });
    // Rejected at intake: closed.
    const rejected = await start();
    await rejected.executeUpdate(stepUpdates.rejectReport, {
      args: [{ actor: people.dispatcher, reason: '非本部门事项' }],
    });
    // Cancelled after acceptance: closed.
    const cancelled = await start();
    await cancelled.executeUpdate(stepUpdates.acceptReport, { args: [accept] });
    await cancelled.executeUpdate(stepUpdates.cancelReport, {
      args: [{ actor: people.admin, reason: '重复录入' }],
    });
    // Just received.
    await start();

    await vi.waitFor(
      async () => {
        const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from reports`;
        expect(row!.n).toBe(4);
        const listed: string[] = [];
        for await (const wf of client.workflow.list({ query: scope })) listed.push(wf.workflowId);
        expect(listed.sort()).toEqual([...ids].sort());
      },
      { timeout: 30_000, interval: 500 },
    );
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
    await db?.drop();
  });

  const snapshot = async () => Promise.all(ids.map((id) => readModelRows(db.sql, id)));

  it('finds nothing to change in an intact read model (dry run)', async () => {
    const result = await rebuildReadModel({ client, sql: db.sql, log, dryRun: true, query: scope });
    expect(result).toEqual({ workflows: 4, rebuilt: 0, differing: [], failed: [] });
  });

  it('names exactly the report whose row was damaged, and a dry run repairs nothing', async () => {
    await db.sql`update reports set stage = 'closed' where report_id = ${ids[3]!}`;
    const result = await rebuildReadModel({ client, sql: db.sql, log, dryRun: true, query: scope });
    expect(result.differing).toEqual([ids[3]]);
    const [row] = await db.sql`select stage from reports where report_id = ${ids[3]!}`;
    expect(row!.stage).toBe('closed');
    await rebuildReadModel({ client, sql: db.sql, log, query: scope });
    const [repaired] = await db.sql`select stage from reports where report_id = ${ids[3]!}`;
    expect(repaired!.stage).toBe('received');
  });

  it('reproduces the lost read model exactly: reports, timelines and clocks, open and closed reports alike', async () => {
    const before = await snapshot();
    expect(before.every((rows) => JSON.parse(rows).report !== null)).toBe(true);
    await db.sql`delete from report_clocks`;
    await db.sql`delete from report_events`;
    await db.sql`delete from reports`;
    const result = await rebuildReadModel({ client, sql: db.sql, log, query: scope });
    expect(result).toMatchObject({ workflows: 4, rebuilt: 4, failed: [] });
    expect(await snapshot()).toEqual(before);
    const [clocks] = await db.sql<{ n: number }[]>`select count(*)::int as n from report_clocks`;
    expect(clocks!.n).toBeGreaterThan(4);
  });
});
