import { isDeepStrictEqual } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StageName } from '../../../domain/report/report-state.js';
import type { ReportView } from '../../../domain/report/report-view.js';
import { STEP_NAMES, type StepName } from '../../../domain/report/step-inputs.js';
import { ROLE_VALUES } from '../../../domain/vocabulary.js';
import { stepUpdate } from '../../../workflows/messages.js';
import { createReportEnv, type ReportEnv, type ReportHandle } from '../../support/report-env.js';
import { people } from '../../support/reports.js';
import { actorOf, STEP_RULES, validInput } from '../../support/step-rules.js';
import { driveTo, refusalOf } from '../../support/workflow-steps.js';

// Monday 2026-11-23 09:30 Beijing time: an ordinary working week, no holiday in sight.
const MONDAY_MORNING = '2026-11-23T01:30:00Z';

/** The main line, in order; each stage is where the steps whose rule names it are tried. */
const LINE: StageName[] = [
  'received',
  'accepted',
  'assigned',
  'verifying',
  'verified',
  'rectifying',
  'awaiting_feedback',
  'feedback_given',
  'reward_pending',
  'reward_proposed',
  'reward_approved',
];
const wrongAt = (stage: StageName) => STEP_NAMES.filter((s) => STEP_RULES[s].wrongAt === stage);
/** Steps that do apply at a stage of the line (the main-line step, and some others). */
const APPLIES_AT: Partial<Record<StageName, StepName[]>> = {
  received: ['acceptReport', 'rejectReport', 'withdrawReport', 'mergeReport', 'cancelReport', 'pauseClock'],
  accepted: ['assignReport'],
  assigned: ['startVerification', 'returnAssignment', 'disputeAssignment'],
  verifying: ['submitVerification', 'pauseClock'],
  verified: ['orderRectification', 'withdrawReport'],
  rectifying: ['reportRectification'],
  awaiting_feedback: ['giveFeedback'],
  feedback_given: ['recordSatisfaction'],
  reward_pending: ['proposeReward'],
  reward_proposed: ['decideReward'],
  reward_approved: ['payReward'],
};
const refusedWithoutTrace = (code: string) => ({ code, added: [], accepted: false, stateChanged: false });

describe('a refused step changes nothing: the client gets the code, the history no update', () => {
  let t: ReportEnv;
  let update = 0;
  beforeAll(async () => {
    t = await createReportEnv({ startTime: MONDAY_MORNING });
  });
  afterAll(() => t?.close());

  const eventsOf = async (h: ReportHandle) => (await h.fetchHistory()).events ?? [];
  /**
   * Sends a step that must be refused. Returns its code; the history events it added other than
   * workflow tasks (the test server records the task that ran the validator; a real server drops
   * it); whether an update-accepted event names it; and whether the report's state moved.
   */
  async function refuse(h: ReportHandle, step: StepName, input: unknown) {
    const [before, view] = [await eventsOf(h), await t.view(h)];
    const updateId = `refused-${step}-${(update += 1)}`;
    const definition = stepUpdate(step) as unknown as UpdateDefinition<ReportView, [unknown], string>;
    const code = await refusalOf(h.executeUpdate(definition, { args: [input], updateId }));
    const after = await eventsOf(h);
    const isWorkflowTask = (e: (typeof after)[number]) =>
      !!(e.workflowTaskScheduledEventAttributes ?? e.workflowTaskStartedEventAttributes) ||
      !!e.workflowTaskCompletedEventAttributes;
    return {
      step,
      code,
      added: after
        .slice(before.length)
        .filter((e) => !isWorkflowTask(e))
        .map((e) => e.eventType),
      accepted: after.some(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === updateId,
      ),
      stateChanged: !isDeepStrictEqual(await t.view(h), view),
    };
  }

  it('has a wrong stage for every step', () => {
    const tried = [...LINE.flatMap(wrongAt), ...wrongAt('cancelled')];
    expect(tried.sort()).toEqual([...STEP_NAMES].sort());
  });

  describe('walking one report along the main line', () => {
    let h: ReportHandle;
    beforeAll(async () => {
      h = await t.start();
      // Let it settle first: intake done, projected, and the supervision loop waiting on a timer.
      await vi.waitFor(
        async () => expect((await eventsOf(h)).at(-1)?.timerStartedEventAttributes).toBeTruthy(),
        { timeout: 20_000, interval: 100 },
      );
    });

    for (const stage of LINE) {
      const wrong = wrongAt(stage);
      if (wrong.length > 0) {
        it(`at ${stage}, refuses ${wrong.join(', ')} as wrong_stage`, async () => {
          await driveTo(t, h, stage);
          for (const step of wrong) {
            expect(await refuse(h, step, validInput(step))).toEqual({
              step,
              ...refusedWithoutTrace('wrong_stage'),
            });
          }
        });
      }

      const applicable = APPLIES_AT[stage] ?? [];
      it(`at ${stage}, refuses ${applicable.join(', ')} to a wrong role, to another unit’s handler and with a field missing`, async () => {
        await driveTo(t, h, stage);
        for (const step of applicable) {
          const { roles, input } = STEP_RULES[step];
          const stranger = ROLE_VALUES.find((r) => !roles.includes(r))!;
          expect(await refuse(h, step, validInput(step, actorOf(stranger)))).toEqual({
            step,
            ...refusedWithoutTrace('not_allowed'),
          });
          if (roles.includes('handler')) {
            expect(await refuse(h, step, validInput(step, people.handlerB))).toEqual({
              step,
              ...refusedWithoutTrace('not_allowed'),
            });
          }
          const missing = Object.keys(input)[0] ?? 'actor';
          const { [missing]: _dropped, ...incomplete } = validInput(step) as Record<string, unknown>;
          expect(await refuse(h, step, incomplete)).toEqual({
            step,
            ...refusedWithoutTrace('invalid_input'),
          });
        }
        expect((await t.view(h)).stage.name).toBe(stage);
      });
    }
  });

  it('a finished report takes no step at all: cancelReport on a cancelled report is refused by the server', async () => {
    const h = await t.start();
    await t.step(h, 'cancelReport', validInput('cancelReport') as never);
    const before = await eventsOf(h);
    const again = t.step(h, 'cancelReport', validInput('cancelReport') as never);
    await expect(again).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await eventsOf(h)).length).toBe(before.length);
    expect(before.at(-1)?.workflowExecutionCompletedEventAttributes).toBeTruthy();
  });
});
