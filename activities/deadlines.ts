import { ApplicationFailure } from '@temporalio/common';
import {
  ScheduleError,
  scheduleClock,
  shiftSchedule,
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
    /** When a 补充材料 pause begun at `from` ends by itself: the end of the policy's last working day. */
    pauseLimit(input: { policy: PolicyRef; from: string }): Promise<string> {
      const policy = policies.get(input.policy.id, input.policy.version);
      if (!policy.pause)
        throw ApplicationFailure.nonRetryable(
          `policy ${policy.id} v${policy.version} limits no pause`,
          'invalid_input',
        );
      const until = workCalendar.addWorkingDays(Date.parse(input.from), policy.pause.maxWorkingDays);
      return Promise.resolve(new Date(until).toISOString());
    },
    /** Moves a schedule by a pause that ended (see shiftSchedule). */
    shiftDeadline(input: {
      policy: PolicyRef;
      schedule: ClockSchedule;
      pause: { from: string; to: string };
    }): Promise<ClockSchedule> {
      const policy = policies.get(input.policy.id, input.policy.version);
      try {
        return Promise.resolve(shiftSchedule(policy, workCalendar, input.schedule, input.pause));
      } catch (err) {
        if (err instanceof ScheduleError) throw ApplicationFailure.nonRetryable(err.message, 'invalid_input');
        throw err;
      }
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
