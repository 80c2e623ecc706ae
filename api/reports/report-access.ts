import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type postgres from 'postgres';
import type { ReportView } from '../../domain/report/report-view.js';
import type { StepInput, StepName } from '../../domain/report/step-inputs.js';
import type { Actor } from '../../domain/vocabulary.js';
import { getReportQuery, stepUpdate } from '../../workflows/messages.js';
import { canonicalJson } from './intake-schema.js';
import { supportingUnitIds } from '../../domain/report/joint-handling-steps.js';
import { ProblemError } from '../platform/problems.js';

/**
 * How the API reaches a report's workflow on behalf of a caller.
 *
 * A handler sees and acts on the reports of its own unit only. Whether a report is one of them is
 * answered from the read model for every handler request, so another unit's report and a report
 * that does not exist are refused by the same query, in the same time, with the same 404: a
 * handler learns nothing about which reports other units hold.
 *
 * Every call to Temporal has a deadline (API_TEMPORAL_TIMEOUT_MS): a report whose worker is busy
 * or restarting answers 503 `timeout` with Retry-After instead of holding the request open.
 */
export interface ReportAccess {
  readonly temporal: Client;
  readonly sql: postgres.Sql;
  readonly timeoutMs: number;
}

const notFound = () => new ProblemError('report-not-found', 'no such report');

const withDeadline = <T>(access: ReportAccess, fn: () => Promise<T>): Promise<T> =>
  access.temporal.withDeadline(Date.now() + access.timeoutMs, fn);

/**
 * Refuses (404) a handler whose unit neither holds the report nor supports the lead (协办); other
 * roles pass.
 */
async function checkUnitHolds(access: ReportAccess, caller: Actor, id: string): Promise<void> {
  if (caller.role !== 'handler') return;
  const unit = caller.unitId ?? '';
  const [row] = await access.sql<{ mine: boolean }[]>`
    select (unit_id = ${unit} or ${unit} = any(supporting_unit_ids)) as mine
    from reports where report_id = ${id}`;
  if (!row?.mine) throw notFound();
}

/** The report's full state (the workflow query), if `caller` may see it. */
export async function readReport(access: ReportAccess, caller: Actor, id: string): Promise<ReportView> {
  await checkUnitHolds(access, caller, id);
  let view: ReportView;
  try {
    view = await withDeadline(access, () => access.temporal.workflow.getHandle(id).query(getReportQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound();
    throw err;
  }
  // The read model may lag a reassignment by a moment: the workflow has the last word.
  if (
    caller.role === 'handler' &&
    view.unitId !== caller.unitId &&
    !supportingUnitIds(view).includes(caller.unitId ?? '')
  )
    throw notFound();
  return view;
}

/**
 * The Update id of a step request. With an Idempotency-Key, the same caller sending the same key
 * and body gets the same id, and Temporal runs an Update id once per workflow run: a retry after
 * a timeout or a dropped connection answers what the first attempt answered, however many times
 * it is sent and however many arrive at once. Without a key every request is new. The same key
 * with another body is another request (the key names one request, not a slot).
 */
export function stepUpdateId(
  step: StepName,
  caller: Actor,
  idempotencyKey: string | undefined,
  body: unknown,
): string | undefined {
  if (idempotencyKey === undefined) return undefined;
  const digest = createHash('sha256')
    .update(canonicalJson([caller.role, caller.id, caller.unitId ?? null, idempotencyKey, body]))
    .digest('hex');
  return `${step}:${digest.slice(0, 40)}`;
}

/**
 * Runs a step as a Temporal Update and answers the new state. The workflow's validator is the
 * judge (role, unit, stage, input); the API only refuses earlier what it can see itself. An
 * Update cannot reach a closed workflow: that is a step at the wrong stage, not a missing report
 * — unless it repeats (same Update id) a step that closed it, which answers as it did then.
 */
export async function runStep<S extends StepName>(
  access: ReportAccess,
  caller: Actor,
  id: string,
  step: S,
  input: Omit<StepInput<S>, 'actor'>,
  opts: { updateId?: string } = {},
): Promise<ReportView> {
  await checkUnitHolds(access, caller, id);
  const handle = access.temporal.workflow.getHandle(id);
  const update = stepUpdate(step);
  try {
    return await withDeadline(access, () =>
      handle.executeUpdate(update, {
        args: [{ ...input, actor: caller } as StepInput<S>],
        ...(opts.updateId ? { updateId: opts.updateId } : {}),
      }),
    );
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const status = await withDeadline(access, () => handle.describe()).then(
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
