import {
  condition,
  defineSignal,
  defineQuery,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export interface ReportIntake {
  channel: string;
  externalId: string;
  receivedAt: string;
  description: string;
  urgency: string;
}

export const closeSignal = defineSignal('close');
export const stageQuery = defineQuery<string>('stage');

const { projectReport } = proxyActivities<Activities>({ startToCloseTimeout: '30s' });

export async function reportWorkflow(intake: ReportIntake): Promise<string> {
  let stage = 'received';
  setHandler(stageQuery, () => stage);
  setHandler(closeSignal, () => void (stage = 'closed'));
  await projectReport({
    reportId: workflowInfo().workflowId,
    ...intake,
    stage,
    sequence: 1,
    snapshot: { stage },
  });
  await condition(() => stage === 'closed');
  return stage;
}
