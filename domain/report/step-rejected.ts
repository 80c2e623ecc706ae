/**
 * Why a step was refused. `code` is stable: the workflow raises it as the ApplicationFailure type
 * and the API maps it to a problem document (wrong_stage → 409, not_allowed → 403, invalid → 400).
 */
export const STEP_REJECTION_CODES = {
  invalid_input: 'the input is missing fields or malformed',
  wrong_stage: 'the report is not at a stage where this step applies',
  not_allowed: 'the actor may not take this step on this report',
  same_person: 'one person cannot hold two reward roles on one report',
  out_of_window: 'the step came too late',
  not_eligible: 'the report or reporter is not eligible',
  unknown_report: 'no such report',
} as const;
export type StepRejectionCode = keyof typeof STEP_REJECTION_CODES;

export class StepRejected extends Error {
  override readonly name = 'StepRejected';
  constructor(
    readonly code: StepRejectionCode,
    message: string,
  ) {
    super(message);
  }
}

export const reject = (code: StepRejectionCode, message: string): never => {
  throw new StepRejected(code, message);
};
