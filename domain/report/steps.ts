import { caseSteps } from './side-steps.js';
import { handlingSteps } from './handling-steps.js';
import type { StepTable } from './machine.js';
import { rewardSteps } from './reward-steps.js';

/** Every human step of a report, by wire name. */
export const STEPS: StepTable = { ...handlingSteps, ...rewardSteps, ...caseSteps };
