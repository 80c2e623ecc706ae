import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { reportWorkflowId } from '../../domain/report/report-id.js';
import type { Intake } from '../../domain/report/step-inputs.js';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import { REPORT_WORKFLOW_TYPE } from '../../workflows/messages.js';
import type { reportWorkflow } from '../../workflows/report-workflow.js';

/**
 * Starts the workflow of a report, or reaches the one already running for the same
 * (channel, external id): an intake retry never starts a second workflow. A report whose workflow
 * has closed is never started again either (REJECT_DUPLICATE): that throws
 * `WorkflowExecutionAlreadyStartedError`.
 */
export async function startReport(
  client: Client,
  intake: Intake,
  opts: { taskQueue: string; searchAttributes: boolean },
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof reportWorkflow>> {
  const workflowId = reportWorkflowId(intake.channel, intake.externalId);
  return client.workflow.start<typeof reportWorkflow>(REPORT_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: opts.taskQueue,
    args: [{ intake }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    ...(opts.searchAttributes
      ? {
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.stage, value: 'received' },
            { key: SEARCH_ATTRIBUTES.urgency, value: intake.urgencyHint },
            { key: SEARCH_ATTRIBUTES.overdue, value: false },
            { key: SEARCH_ATTRIBUTES.majorHazard, value: false },
          ],
        }
      : {}),
  });
}
