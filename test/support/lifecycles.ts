import type { WorkflowHandle } from '@temporalio/client';
import type { ReportView } from '../../domain/report/report-view.js';
import type { StepInput, StepName } from '../../domain/report/step-inputs.js';
import type { VerificationOutcome } from '../../domain/vocabulary.js';
import type { reportWorkflow } from '../../workflows/report-workflow.js';
import { people } from './reports.js';

/**
 * Stretches of a report's life that many specifications (and the history recorder) walk through
 * before the part they are about. Free of vitest, so `scripts/record-histories.ts` drives the
 * same lifecycles the tests do.
 */

type Handle = WorkflowHandle<typeof reportWorkflow>;

/** What drives a report: a test's `ReportEnv`, or the recorder's own environment. */
export interface StepDriver {
  step<S extends StepName>(handle: Handle, step: S, input: StepInput<S>): Promise<ReportView>;
}

const DAY = 86_400_000;

/** 受理 and 交办 to unit A: the report ends `assigned`. */
export async function acceptAndAssign(
  d: StepDriver,
  h: Handle,
  classification: Partial<Omit<StepInput<'acceptReport'>, 'actor'>> = {},
): Promise<ReportView> {
  await d.step(h, 'acceptReport', {
    actor: people.dispatcher,
    urgency: 'general',
    category: 'fire',
    domain: 'e_bikes',
    ...classification,
  });
  return d.step(h, 'assignReport', { actor: people.dispatcher, unitId: 'unit-a', routing: 'rule' });
}

export interface Handling {
  readonly outcome?: VerificationOutcome;
  /** The fine ordered with the rectification, in fen; none when absent. */
  readonly fineFen?: number;
  /** A concealed accident established by verification (瞒报谎报事故). */
  readonly concealedAccident?: {
    readonly grade: 'general' | 'larger' | 'major' | 'especially_major';
    readonly concealedDeaths: number;
  };
}

/**
 * From `assigned` through 核查, 整改 (when hazards were found), 反馈 and a satisfied 回访: the
 * report ends where {@link concludeHandling} puts it — `reward_pending`, or closed.
 */
export async function handleToConclusion(
  d: StepDriver,
  h: Handle,
  { outcome = 'substantiated', fineFen, concealedAccident }: Handling = {},
): Promise<ReportView> {
  await d.step(h, 'startVerification', { actor: people.handlerA });
  const found = outcome === 'unsubstantiated' ? 0 : 1;
  const verified = await d.step(h, 'submitVerification', {
    actor: people.handlerA,
    outcome,
    findings: found ? '楼道内违规充电属实' : '现场未发现举报所述情况',
    hazardsFound: found,
    majorHazard: false,
    // An illegal activity (违法行为) earns a reward under the national rule; an ordinary hazard not.
    ...(found ? { illegalActivity: true } : {}),
    ...(concealedAccident ? { concealedAccident } : {}),
  });
  if (found) {
    await d.step(h, 'orderRectification', {
      actor: people.handlerA,
      measures: fineFen ? ['order_rectification', 'administrative_penalty'] : ['order_rectification'],
      ...(fineFen
        ? { fineFen, penaltyDecision: { number: '浦应急罚〔2026〕1号', decidedOn: '2026-11-20' } }
        : {}),
      dueAt: new Date(Date.parse(verified.timeline.at(-1)!.at) + 10 * DAY).toISOString(),
    });
    await d.step(h, 'reportRectification', { actor: people.handlerA, summary: '已清理电池，停止楼道充电' });
  }
  await d.step(h, 'giveFeedback', { actor: people.handlerA, summary: '已核查处理，结果见回复' });
  return d.step(h, 'recordSatisfaction', { actor: people.intake, rating: 'satisfied', resolved: true });
}

/** Accepted, assigned and handled: the report ends `reward_pending` when it earns a reward. */
export async function driveToConclusion(d: StepDriver, h: Handle, handling: Handling = {}) {
  await acceptAndAssign(d, h);
  return handleToConclusion(d, h, handling);
}
