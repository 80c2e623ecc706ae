import { ApplicationFailure } from '@temporalio/common';
import { Counter, register } from 'prom-client';

/** The ApplicationFailure type of a write PostgreSQL refused for what it holds, not for when it came. */
export const DATA_REJECTED = 'data_rejected';

/** Rejected writes by activity: each is a report whose read model or outbox is now behind. */
const rejections =
  (register.getSingleMetric('bihuan_activity_data_rejected_total') as Counter<'activity'> | undefined) ??
  new Counter({
    name: 'bihuan_activity_data_rejected_total',
    help: 'Activity writes PostgreSQL refused for their data (never retried; the report records it)',
    labelNames: ['activity'],
  });

/**
 * A data exception (SQLSTATE class 22: a NUL in text, a date PostgreSQL cannot hold, a number out
 * of range) or a check violation (23514) fails the same way on every retry: retrying it forever
 * wedged the report. Such a failure becomes a non-retryable {@link DATA_REJECTED}, which the
 * workflow records and reports instead of waiting; anything else (a connection lost, a deadlock)
 * stays retryable.
 */
export async function refuseBadData<T>(activity: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('22') || code === '23514')) {
      rejections.inc({ activity });
      throw ApplicationFailure.nonRetryable(
        `PostgreSQL refused the data (SQLSTATE ${code}): ${(err as Error).message}`,
        DATA_REJECTED,
      );
    }
    throw err;
  }
}
