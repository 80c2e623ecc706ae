import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DuplicateLink } from '../domain/report/report-state.js';
import type { ReportView } from '../domain/report/report-view.js';
import { STEP_NAMES, type Intake, type StepInput, type StepName } from '../domain/report/step-inputs.js';

/**
 * The report workflow's messages. Wire names are stable: renaming one is a versioning change.
 * Every human step is an Update named after the step, answering with the new state; a step in the
 * wrong stage, by the wrong actor or with a malformed input is refused by its validator and never
 * reaches the history.
 */

export const REPORT_WORKFLOW_TYPE = 'reportWorkflow';

export interface ReportWorkflowInput {
  readonly intake: Intake;
}

export type StepUpdates = { readonly [S in StepName]: UpdateDefinition<ReportView, [StepInput<S>], S> };

export const stepUpdates = Object.fromEntries(
  STEP_NAMES.map((step) => [step, defineUpdate(step)]),
) as unknown as StepUpdates;

/** The Update of one step, typed by that step's input (for callers generic in the step). */
export const stepUpdate = <S extends StepName>(step: S): UpdateDefinition<ReportView, [StepInput<S>], S> =>
  stepUpdates[step];

/** The whole state: stage, unit, every deadline with its provenance, escalations, timeline. */
export const getReportQuery = defineQuery<ReportView>('getReport');

/**
 * Sent by a report merged into this one as a duplicate: fire-and-forget is right here, the
 * duplicate has already closed and the survivor only records the link.
 */
export const duplicateMergedSignal = defineSignal<[DuplicateLink]>('duplicateMerged');
