import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readModelRows, rebuildReadModel } from '../../scripts/read-model/rebuild.js';
import { startReport } from '../../api/reports/start-report.js';
import { createLogger } from '../../infra/logger.js';
import { stepUpdates } from '../../workflows/messages.js';
import { createDevServerEnv, type DevServerEnv } from '../support/dev-server-env.js';
import { anIntake, people } from '../support/reports.js';

/**
 * Disaster recovery: the read model written again from Temporal equals, row for row, what the
 * workflows projected as they went. On the dev server (a full server: visibility lists workflows).
 */
describe('rebuilding the read model from Temporal', () => {
  const log = createLogger('silent');
  let env: DevServerEnv;
  let client: Client;
  let taskQueue: string;
  const ids: string[] = [];
  let scope: string;

  beforeAll(async () => {
    env = await createDevServerEnv('rebuild');
    ({ client, taskQueue } = env);
    scope = `TaskQueue = "${taskQueue}"`;

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
        const [row] = await env.db.sql<{ n: number }[]>`select count(*)::int as n from reports`;
        expect(row!.n).toBe(4);
        const listed: string[] = [];
        for await (const wf of client.workflow.list({ query: scope })) listed.push(wf.workflowId);
        expect(listed.sort()).toEqual([...ids].sort());
      },
      { timeout: 30_000, interval: 500 },
    );
  });
  afterAll(() => env?.close());

  const snapshot = async () => Promise.all(ids.map((id) => readModelRows(env.db.sql, id)));

  it('finds nothing to change in an intact read model (dry run)', async () => {
    const result = await rebuildReadModel({ client, sql: env.db.sql, log, dryRun: true, query: scope });
    expect(result).toEqual({ workflows: 4, rebuilt: 0, differing: [], failed: [] });
  });

  it('names exactly the report whose row was damaged, and a dry run repairs nothing', async () => {
    await env.db.sql`update reports set stage = 'closed' where report_id = ${ids[3]!}`;
    const result = await rebuildReadModel({ client, sql: env.db.sql, log, dryRun: true, query: scope });
    expect(result.differing).toEqual([ids[3]]);
    const [row] = await env.db.sql`select stage from reports where report_id = ${ids[3]!}`;
    expect(row!.stage).toBe('closed');
    await rebuildReadModel({ client, sql: env.db.sql, log, query: scope });
    const [repaired] = await env.db.sql`select stage from reports where report_id = ${ids[3]!}`;
    expect(repaired!.stage).toBe('received');
  });

  it('reproduces the lost read model exactly: reports, timelines and clocks, open and closed reports alike', async () => {
    const before = await snapshot();
    expect(before.every((rows) => JSON.parse(rows).report !== null)).toBe(true);
    await env.db.sql`delete from report_clocks`;
    await env.db.sql`delete from report_events`;
    await env.db.sql`delete from reports`;
    const result = await rebuildReadModel({ client, sql: env.db.sql, log, query: scope });
    expect(result).toMatchObject({ workflows: 4, rebuilt: 4, failed: [] });
    expect(await snapshot()).toEqual(before);
    const [clocks] = await env.db.sql<{ n: number }[]>`select count(*)::int as n from report_clocks`;
    expect(clocks!.n).toBeGreaterThan(4);
  });
});
