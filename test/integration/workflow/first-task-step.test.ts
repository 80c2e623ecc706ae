import { WithStartWorkflowOperation } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportWorkflowId } from '../../../domain/report/report-id.js';
import { stepUpdates } from '../../../workflows/messages.js';
import { createReportEnv, type ReportEnv } from '../../support/report-env.js';
import { anIntake, people } from '../../support/reports.js';

let t: ReportEnv;
beforeAll(async () => {
  t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
});
afterAll(() => t?.close());

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
