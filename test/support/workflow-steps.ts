import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { StageName } from '../../domain/report/report-state.js';
import type { ReportView } from '../../domain/report/report-view.js';
import { STEPS } from '../../domain/report/steps.js';
import { mainLine } from './machine-fixtures.js';
import type { ReportEnv, ReportHandle } from './report-env.js';

/**
 * Drives a running report along the main line (unit A; `majorHazard` takes the major-hazard line)
 * from wherever it is until it reaches `stage`; returns the view there.
 */
export async function driveTo(
  t: ReportEnv,
  h: ReportHandle,
  stage: StageName,
  opts: { majorHazard?: boolean } = {},
): Promise<ReportView> {
  let v = await t.view(h);
  const line = mainLine(opts.majorHazard ?? false);
  while (v.stage.name !== stage) {
    const at = v.stage.name;
    // Each main-line step applies at exactly one stage of the line: take the one for this stage.
    const next = line.find(([step]) => {
      const stages = STEPS[step].stages;
      return stages !== 'open' && stages.includes(at);
    });
    if (!next) throw new Error(`the main line never reaches ${stage} (stuck at ${at})`);
    v = await t.step(h, next[0], next[1]);
  }
  return v;
}

/**
 * Awaits a step that must be refused and returns the refusal's code: the client sees a
 * WorkflowUpdateFailedError whose cause is an ApplicationFailure typed with the StepRejected code.
 */
export async function refusalOf(step: Promise<unknown>): Promise<string | undefined> {
  const err = await step.then(
    () => new Error('the step was expected to be refused, but it went through'),
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowUpdateFailedError)) throw err;
  if (!(err.cause instanceof ApplicationFailure)) throw new Error('no ApplicationFailure', { cause: err });
  return err.cause.type ?? undefined;
}

/**
 * The result of a report's workflow that has already finished. The time-skipping client's
 * `handle.result()` unlocks time skipping while it waits, and the test server then jumps to the
 * next timer it holds (a finished run's 10-year run timeout), moving every later test of the file
 * ten years on; a plain client on the same connection waits without skipping.
 */
export async function finishedResult(t: ReportEnv, h: ReportHandle): Promise<unknown> {
  const client = new Client({
    connection: t.env.connection,
    namespace: t.env.namespace ?? 'default',
    dataConverter: { payloadCodecs: [t.codec] },
  });
  return client.workflow.getHandle(h.workflowId).result();
}
