import { WithStartWorkflowOperation } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportWorkflowId } from '../../../domain/report/report-id.js';
import { getReportQuery, stepUpdates } from '../../../workflows/messages.js';
import { createReportEnv, type ReportEnv } from '../../support/report-env.js';
import { anIntake, people } from '../../support/reports.js';

let t: ReportEnv;
/** While set, the policy look-up (the first thing a report does) takes this long. */
let policyLookupDelayMs = 0;
beforeAll(async () => {
  t = await createReportEnv({
    startTime: '2026-11-23T01:30:00Z',
    wrapActivities: (real) => ({
      async resolvePolicy(input) {
        await new Promise((r) => setTimeout(r, policyLookupDelayMs));
        return real.resolvePolicy(input);
      },
    }),
  });
});
afterAll(() => t?.close());

describe('a query that arrives before the report exists', () => {
  it('sees the report as just received, not a missing handler', async () => {
    const intake = anIntake();
    policyLookupDelayMs = 4000;
    try {
      // A short task timeout makes the worker hand in the first task (a heartbeat) while the slow
      // policy look-up still runs: the query is answered then, before the report's state exists.
      const handle = await t.client.workflow.start('reportWorkflow', {
        workflowId: reportWorkflowId(intake.channel, intake.externalId),
        taskQueue: t.taskQueue,
        args: [{ intake }],
        workflowTaskTimeout: '2s',
      });
      const early = await handle.query(getReportQuery);
      expect(early.reportId).toBe(handle.workflowId);
      expect(early.stage).toEqual({ name: 'received' });
      expect(early.timeline.map((e) => e.type)).toEqual(['received']);
      await expect
        .poll(async () => (await handle.query(getReportQuery)).deadlines.length, { timeout: 20_000 })
        .toBe(2);
    } finally {
      policyLookupDelayMs = 0;
    }
  });
});

describe('a step that arrives with the report’s first workflow task', () => {
  it('is taken after the report starts its clocks, not dropped for want of a handler (update-with-start)', async () => {
    const intake = anIntake();
    const start = new WithStartWorkflowOperation('reportWorkflow', {
      workflowId: reportWorkflowId(intake.channel, intake.externalId),
      taskQueue: t.taskQueue,
      args: [{ intake }],
      workflowIdConflictPolicy: 'FAIL',
    });
    const v = await t.client.workflow.executeUpdateWithStart(stepUpdates.acceptReport, {
      args: [{ actor: people.dispatcher, urgency: 'general', category: 'fire', domain: 'e_bikes' }],
      startWorkflowOperation: start,
    });

    expect(v.stage).toEqual({ name: 'accepted' });
    const acceptance = v.deadlines.find((d) => d.clock === 'acceptance');
    expect(acceptance).toMatchObject({ status: 'done', onTime: true });
    const types = v.timeline.map((e) => e.type);
    expect(types.indexOf('accepted')).toBeGreaterThan(types.indexOf('deadline_fixed'));
    expect((await start.workflowHandle()).workflowId).toBe(v.reportId);
  });
});
