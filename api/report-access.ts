import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { ReportView } from '../domain/report/report-view.js';
import type { StepInput, StepName } from '../domain/report/step-inputs.js';
import type { Actor } from '../domain/vocabulary.js';
import { getReportQuery, stepUpdates } from '../workflows/messages.js';
import { ProblemError } from './problems.js';

/**
 * How the API reaches a report's workflow on behalf of a caller. A handler sees and acts on the
 * reports of its own unit only; any other report answers exactly as a report that does not exist
 * (404), so a handler cannot learn which reports other units hold.
 */
const notFound = () => new ProblemError('report-not-found', 'no such report');

const mayAccess = (caller: Actor, view: ReportView) =>
  caller.role !== 'handler' || (view.unitId !== undefined && view.unitId === caller.unitId);

/** The report's full state (the workflow query), if `caller` may see it. */
export async function readReport(temporal: Client, caller: Actor, id: string): Promise<ReportView> {
  let view: ReportView;
  try {
    view = await temporal.workflow.getHandle(id).query(getReportQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound();
    throw err;
  }
  if (!mayAccess(caller, view)) throw notFound();
  return view;
}

/**
 * Runs a step as a Temporal Update and answers the new state. The workflow's validator is the
 * judge (role, unit, stage, input); the API only refuses earlier what it can see itself. An
 * Update cannot reach a closed workflow: that is a step at the wrong stage, not a missing report.
 */
export async function runStep<S extends StepName>(
  temporal: Client,
  caller: Actor,
  id: string,
  step: S,
  input: Omit<StepInput<S>, 'actor'>,
): Promise<ReportView> {
  if (caller.role === 'handler') await readReport(temporal, caller, id);
  const handle = temporal.workflow.getHandle(id);
  const update = stepUpdates[step] as unknown as UpdateDefinition<ReportView, [StepInput<S>], S>;
  try {
    return await handle.executeUpdate(update, { args: [{ ...input, actor: caller } as StepInput<S>] });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const status = await handle.describe().then(
      (d) => d.status.name,
      (e: unknown) => {
        if (e instanceof WorkflowNotFoundError) return undefined;
        throw e;
      },
    );
    if (status === undefined || status === 'RUNNING') throw notFound();
    throw new ProblemError('wrong-stage', `the report is closed; ${step} no longer applies`);
  }
}
