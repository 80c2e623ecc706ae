import { ActivityFailure, ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportEnv, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';

/**
 * A report carrying data PostgreSQL cannot hold — here a NUL, planted by starting the workflow
 * directly, past the API that refuses it — must not wedge. Before, the projection activity retried
 * forever and every later step on the report hung. Now the refusal is non-retryable: the workflow
 * records it once, tells the operators through the outbox, and keeps taking steps.
 */
let t: ReportEnv;
beforeAll(async () => {
  t = await createReportEnv({ startTime: '2026-11-23T01:30:00Z' });
});
afterAll(() => t?.close());

const accept = (h: ReportHandle) =>
  t.step(h, 'acceptReport', {
    actor: people.dispatcher,
    urgency: 'general',
    category: 'fire',
    domain: 'e_bikes',
  });

describe('data the read model cannot hold', () => {
  it('is recorded once and reported, and the report stays steerable', async () => {
    const h = await t.start({ description: '楼道堆物\u0000测试' });
    await expect
      .poll(async () => (await t.view(h)).timeline.map((e) => e.type), { timeout: 20_000 })
      .toContain('projection_failed');
    const failed = (await t.view(h)).timeline.find((e) => e.type === 'projection_failed')!;
    expect(failed.data?.reason).toMatch(/SQLSTATE (22021|22P05)/);

    const accepted = await accept(h);
    expect(accepted.stage).toEqual({ name: 'accepted' });
    // Recorded once, not once per attempt or per step.
    expect(accepted.timeline.filter((e) => e.type === 'projection_failed')).toHaveLength(1);
    const alerts = (await t.outbox(h.workflowId)).filter((n) => n.kind === 'projection_failed');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.recipient).toEqual({ kind: 'operators' });

    const cancelled = await t.step(h, 'cancelReport', { actor: people.admin, reason: '测试数据' });
    expect(cancelled.stage).toEqual({ name: 'cancelled', reason: '测试数据' });
  });

  it('fails a step whose own data cannot be stored, and leaves the report as it was', async () => {
    const h = await t.start();
    const refused = await t
      .step(h, 'rejectReport', { actor: people.dispatcher, reason: '不属于\u0000受理范围' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const activity = (refused as WorkflowUpdateFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    expect(activity?.cause).toBeInstanceOf(ApplicationFailure);
    expect((activity!.cause as ApplicationFailure).type).toBe('data_rejected');

    const view = await t.view(h);
    expect(view.stage).toEqual({ name: 'received' });
    expect(view.timeline.map((e) => e.type)).not.toContain('rejected');
    expect((await accept(h)).stage).toEqual({ name: 'accepted' });
  });
});
