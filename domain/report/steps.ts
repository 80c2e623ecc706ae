import { assignmentSteps } from './assignment-steps.js';
import { deadlineRecomputeSteps } from './deadline-recompute-steps.js';
import { extensionSteps } from './extension-steps.js';
import { supervisionSteps } from './supervision-steps.js';
import { feedbackSteps } from './feedback-steps.js';
import { jointHandlingSteps } from './joint-handling-steps.js';
import { pauseApprovalSteps } from './pause-approval.js';
import type { StepTable } from './machine.js';
import { rectificationSteps } from './rectification-steps.js';
import { rewardSteps } from './reward-steps.js';
import { sideSteps } from './side-steps.js';
import { verificationSteps } from './verification-steps.js';

/**
 * Every human step of a report, by wire name, in lifecycle order. A step in STEP_INPUTS without a
 * definition here, or one defined twice, is a compile error.
 */
export const STEPS: StepTable = {
  ...assignmentSteps,
  ...verificationSteps,
  ...rectificationSteps,
  ...feedbackSteps,
  ...rewardSteps,
  ...extensionSteps,
  ...pauseApprovalSteps,
  ...supervisionSteps,
  ...jointHandlingSteps,
  ...sideSteps,
  ...deadlineRecomputeSteps,
};
