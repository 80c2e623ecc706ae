import type { PolicyRef } from '../policy.js';
import { record } from './machine.js';
import type { ReportState } from './report-state.js';
import type { Intake } from './step-inputs.js';

/** The state of a report just received: nothing decided yet, the reporter only as a vault reference. */
export function newReport(reportId: string, intake: Intake, policy: PolicyRef, now: string): ReportState {
  const { reporter, ...rest } = intake;
  const state: ReportState = {
    reportId,
    intake: rest,
    reporter,
    policy,
    stage: { name: 'received' },
    assignments: [],
    disputes: [],
    feedback: [],
    satisfaction: [],
    reopens: 0,
    reward: {},
    duplicates: [],
    clocks: [],
    escalations: [],
    timeline: [],
  };
  record(
    state,
    'received',
    { now },
    {
      channel: intake.channel,
      externalId: intake.externalId,
      receivedAt: intake.receivedAt,
      urgencyHint: intake.urgencyHint,
    },
  );
  return state;
}
