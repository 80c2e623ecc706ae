import { ApplicationFailure } from '@temporalio/common';
import {
  ScheduleError,
  scheduleClock,
  type ClockSchedule,
  type ScheduleRequest,
} from '../domain/deadline-schedule.js';
import type { Policy, PolicyRef } from '../domain/policy.js';
import { workCalendar } from '../domain/work-calendar.js';
import type { ActivityDeps } from './index.js';

/**
 * Policy and deadline look-ups. They read only data shipped with the worker, but they run as
 * (local) activities on purpose: their results are recorded in the workflow history, so a later
 * policy or calendar edit never changes a deadline already fixed, on replay or otherwise.
 */
export function createDeadlineActivities({ policies }: Pick<ActivityDeps, 'policies'>) {
  return {
    /** The newest version of a policy (the default one when no id is given). */
    resolvePolicy(input: { policyId?: string }): Promise<Policy> {
      return Promise.resolve(policies.current(input.policyId));
    },
    /** Fixes a clock's deadline, warning and ladder under an exact policy version. */
    fixDeadline(input: { policy: PolicyRef; request: ScheduleRequest }): Promise<ClockSchedule> {
      const policy = policies.get(input.policy.id, input.policy.version);
      try {
        return Promise.resolve(scheduleClock(policy, workCalendar, input.request));
      } catch (err) {
        // Retrying cannot help a request the policy refuses: fail the step at once.
        if (err instanceof ScheduleError) throw ApplicationFailure.nonRetryable(err.message, 'invalid_input');
        throw err;
      }
    },
  };
}
