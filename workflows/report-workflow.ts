import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Policy } from '../domain/policy.js';
import { isTerminal, type ReportState } from '../domain/report/report-state.js';
import { viewReport, type ReportView } from '../domain/report/report-view.js';
import { StepRejected } from '../domain/report/step-rejected.js';
import { STEP_NAMES, type StepInput, type StepName } from '../domain/report/step-inputs.js';
import { STEPS } from '../domain/report/steps.js';
import { applyStep, endPause, guardStep, record } from '../domain/report/machine.js';
import { newReport } from '../domain/report/new-report.js';
import { NEWEST_RULES, rulesFor } from '../domain/report/rule-changes.js';
import { nextClockEvent } from '../domain/report/clocks.js';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { createEffects } from './effects-runner.js';
import { createProjector } from './projector.js';
import { createLock } from './lock.js';
import { duplicateMergedSignal, getReportQuery, stepUpdate, type ReportWorkflowInput } from './messages.js';
import { fireClockEvent } from './supervision.js';
import { callInterview } from '../domain/report/supervision-steps.js';

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds' });

export interface ReportOutcome {
  readonly stage: ReportState['stage'];
}

const nowIso = () => new Date(Date.now()).toISOString();

/**
 * One report, from intake to a closed loop. Human steps arrive as Updates (validated before they
 * reach history); timers supervise every deadline; activities do every side effect. The loop below
 * only waits: for the next clock event, or for a step to change the state.
 */
export async function reportWorkflow({ intake }: ReportWorkflowInput): Promise<ReportOutcome> {
  const reportId = workflowInfo().workflowId;
  // A step may arrive with the workflow's first task (update-with-start, or a client stepping at
  // once after starting): the SDK drops an Update that has no handler when that task ends, so
  // every step has one from the start, waiting until the report exists and its first clocks run.
  // The handlers registered below (with validators) replace these for every later step; an early
  // step the machine refuses fails its Update instead of being rejected before history.
  let ready = false;
  // Likewise a query may come before the report exists (the policy look-up below is the first
  // await): it sees the report as just received, never a missing handler.
  const created: { state?: ReportState } = {};
  setHandler(getReportQuery, () =>
    viewReport(
      created.state ??
        newReport(
          reportId,
          intake,
          { id: intake.policyId ?? '', version: 0 },
          workflowInfo().startTime.toISOString(),
        ),
    ),
  );
  for (const step of STEP_NAMES) {
    setHandler(stepUpdate(step), async (input: StepInput<StepName>) => {
      await condition(() => ready);
      return runStep(step, input);
    });
  }
  let policy: Policy = await local.resolvePolicy({ policyId: intake.policyId });
  const state = newReport(reportId, intake, { id: policy.id, version: policy.version }, nowIso());
  created.state = state;
  // Custom search attributes exist only where the starter set them (not on the test server).
  const searchable = workflowInfo().typedSearchAttributes.get(SEARCH_ATTRIBUTES.stage) !== undefined;
  const exclusive = createLock();
  let version = 0;
  const projector = createProjector({ state, activities, nowIso, searchable });
  /** Writes the read model; every state change ends here, which wakes the loop below. */
  const project = async () => {
    await projector();
    version += 1;
  };
  const effects = createEffects({
    state,
    activities,
    local,
    policy: () => policy,
    setPolicy: (p) => (policy = p),
    nowIso,
  });

  for (const step of STEP_NAMES) registerStep(step);
  setHandler(duplicateMergedSignal, (link) =>
    exclusive(async () => {
      if (state.duplicates.some((d) => d.reportId === link.reportId)) return;
      state.duplicates.push(link);
      record(state, 'duplicate_merged', { now: nowIso() }, { reportId: link.reportId });
      await project();
    }),
  );

  function registerStep(step: StepName) {
    setHandler(stepUpdate(step), (input: StepInput<StepName>) => runStep(step, input), {
      validator: (input: StepInput<StepName>) =>
        void asFailure(() =>
          guardStep(STEPS, step, state, input, { now: nowIso(), policy, rules: NEWEST_RULES }),
        ),
    });
  }

  function runStep(step: StepName, input: StepInput<StepName>): Promise<ReportView> {
    return exclusive(async () => {
      const now = nowIso();
      // A step is all or nothing: if fixing its deadline or another effect fails, the state
      // goes back to what it was and the caller gets the failure.
      const saved = JSON.stringify(state);
      const savedPolicy = policy;
      try {
        const rules = rulesFor(patched);
        const applied = asFailure(() => applyStep(STEPS, step, state, input, { now, policy, rules }));
        await effects.run(applied, now);
      } catch (err) {
        restore(state, saved);
        policy = savedPolicy;
        throw err;
      }
      await project();
      return viewReport(state);
    });
  }

  await exclusive(async () => {
    await effects.run(
      [
        { kind: 'start_clock', clock: 'acceptance' },
        { kind: 'start_clock', clock: 'feedback', urgency: intake.urgencyHint },
      ],
      state.timeline[0]!.at,
    );
    await project();
  });
  ready = true;

  while (!isTerminal(state.stage)) {
    const seen = version;
    const next = nextClockEvent(state);
    if (!next) {
      await condition(() => version !== seen);
      continue;
    }
    const wait = next.at - Date.now();
    if (wait > 0 && (await condition(() => version !== seen, wait))) continue;
    await exclusive(async () => {
      if (version !== seen) return; // a step got in first; look again
      if (next.kind === 'pause_limit') {
        // 补充材料 held the clock as long as the policy allows: it runs again, moved by the pause.
        const now = nowIso();
        await effects.run(endPause(state, { now }, { automatic: true }), now);
      } else {
        await fireClockEvent(state, next, { activities, nowIso, policy });
        // 约谈 reached by the ladder: an interview to hold, under a clock (policy version 5 on).
        if (next.kind === 'rung' && next.rung === 'interview') {
          const now = nowIso();
          await effects.run(callInterview(state, { now, policy }, { clock: next.clock.schedule.clock }), now);
        }
      }
      await project();
    });
  }
  await condition(allHandlersFinished);
  return { stage: state.stage };
}

function restore(state: ReportState, saved: string): void {
  const target = state as unknown as Record<string, unknown>;
  const before = JSON.parse(saved) as Record<string, unknown>;
  for (const key of Object.keys(target)) if (!(key in before)) delete target[key];
  Object.assign(target, before);
}

/** Runs a machine call; a refused step becomes an ApplicationFailure whose type is its stable code. */
function asFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StepRejected)
      throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true });
    throw err;
  }
}

export type { ReportView };
