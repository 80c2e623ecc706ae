import { ApplicationFailure } from '@temporalio/common';
import {
  ScheduleError,
  rescheduleClock,
  scheduleClock,
  shiftSchedule,
  type ClockSchedule,
  type ScheduleRequest,
} from '../domain/deadline-schedule.js';
import type { Policy, PolicyRef } from '../domain/policy.js';
import type { Urgency } from '../domain/vocabulary.js';
import { CalendarVersionUnknown, type CalendarStore } from '../infra/calendar-store.js';
import type { ActivityDeps } from './index.js';

const invalidInput = (err: unknown): never => {
  // Retrying cannot help a request the policy refuses: fail the step at once.
  if (err instanceof ScheduleError || err instanceof CalendarVersionUnknown)
    throw ApplicationFailure.nonRetryable(err.message, 'invalid_input');
  throw err;
};

/**
 * Policy and deadline look-ups. They read only data shipped with the worker, but they run as
 * (local) activities on purpose: their results are recorded in the workflow history, so a later
 * policy or calendar edit never changes a deadline already fixed, on replay or otherwise.
 */
export function createDeadlineActivities({
  policies,
  calendars,
}: Pick<ActivityDeps, 'policies'> & { calendars: CalendarStore }) {
  return {
    /** The newest version of a policy (the default one when no id is given). */
    resolvePolicy(input: { policyId?: string }): Promise<Policy> {
      return Promise.resolve(policies.current(input.policyId));
    },
    /** When a 补充材料 pause begun at `from` ends by itself: the end of the policy's last working day. */
    async pauseLimit(input: { policy: PolicyRef; from: string }): Promise<string> {
      const policy = policies.get(input.policy.id, input.policy.version);
      if (!policy.pause)
        throw ApplicationFailure.nonRetryable(
          `policy ${policy.id} v${policy.version} limits no pause`,
          'invalid_input',
        );
      const calendar = await calendars.current();
      const until = calendar.addWorkingDays(Date.parse(input.from), policy.pause.maxWorkingDays);
      return new Date(until).toISOString();
    },
    /** Moves a schedule by a pause that ended (see shiftSchedule). */
    async shiftDeadline(input: {
      policy: PolicyRef;
      schedule: ClockSchedule;
      pause: { from: string; to: string };
    }): Promise<ClockSchedule> {
      const policy = policies.get(input.policy.id, input.policy.version);
      const calendar = await calendars.current();
      try {
        return shiftSchedule(policy, calendar, input.schedule, input.pause);
      } catch (err) {
        return invalidInput(err);
      }
    },
    /** Fixes a clock's deadline, warning and ladder under an exact policy version. */
    async fixDeadline(input: { policy: PolicyRef; request: ScheduleRequest }): Promise<ClockSchedule> {
      const policy = policies.get(input.policy.id, input.policy.version);
      const calendar = await calendars.current();
      try {
        return scheduleClock(policy, calendar, input.request);
      } catch (err) {
        return invalidInput(err);
      }
    },
    /**
     * Running schedules fixed again (issue 17): under `policy` (an adoption), with a calendar that
     * holds at least `calendarVersion` when given (an import). Each entry is the new schedule, or
     * null where the policy runs no such clock (it keeps its schedule). The policy comes back whole
     * so the workflow runs under it from here on.
     */
    async recomputeDeadlines(input: {
      policy: PolicyRef;
      calendarVersion?: string;
      urgency: Urgency;
      schedules: readonly ClockSchedule[];
    }): Promise<{ policy: Policy; calendarVersion: string; schedules: (ClockSchedule | null)[] }> {
      let policy: Policy;
      try {
        policy = policies.get(input.policy.id, input.policy.version);
      } catch (err) {
        throw ApplicationFailure.nonRetryable((err as Error).message, 'invalid_input');
      }
      const calendar = await (input.calendarVersion
        ? calendars.holding(input.calendarVersion).catch(invalidInput)
        : calendars.current());
      const schedules = input.schedules.map((schedule) => {
        try {
          return rescheduleClock(policy, calendar, schedule, input.urgency);
        } catch (err) {
          if (err instanceof ScheduleError) return null;
          throw err;
        }
      });
      return { policy, calendarVersion: calendar.version, schedules };
    },
  };
}
