import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReport } from '../../api/reports/start-report.js';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../domain/search-attributes.js';
import { createLogger } from '../../infra/logger.js';
import { ensureSearchAttributes, searchAttributesReady } from '../../infra/search-attributes.js';
import { stepUpdates } from '../../workflows/messages.js';
import { createDevServerEnv, type DevServerEnv } from '../support/dev-server-env.js';
import { anIntake, people } from '../support/reports.js';

/** On a full Temporal server (the dev server), reports are findable in the Web UI by stage, unit, urgency, overdue and major hazard. */
describe('search attributes on a full Temporal server', () => {
  let env: DevServerEnv;
  const log = createLogger('silent');
  beforeAll(async () => {
    env = await createDevServerEnv('sa');
  });
  afterAll(() => env?.close());

  it('registers the attributes idempotently', async () => {
    await ensureSearchAttributes(env.connection, 'default', log);
    await ensureSearchAttributes(env.connection, 'default', log);
    expect(await searchAttributesReady(env.connection, 'default')).toBe(true);
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS)),
    );
  });

  it('keeps BihuanStage and BihuanUnit current as the report moves, and one workflow per (channel, external id)', async () => {
    const intake = anIntake({ receivedAt: new Date().toISOString() });
    const handle = await startReport(env.client, intake, {
      taskQueue: env.taskQueue,
      searchAttributes: true,
    });
    const again = await startReport(env.client, intake, { taskQueue: env.taskQueue, searchAttributes: true });
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
          for await (const wf of env.client.workflow.list({ query })) found.push(wf.workflowId);
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
