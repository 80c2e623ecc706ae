import { ActivityFailure, ApplicationFailure, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { record } from '../domain/report/machine.js';
import type { ReportState, TimelineEvent } from '../domain/report/report-state.js';
import { summariseReport } from '../domain/report/report-summary.js';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';

/** activities/data-errors.ts's DATA_REJECTED (a wire name; activities stay out of the sandbox). */
const DATA_REJECTED = 'data_rejected';

/** True when an activity failed because PostgreSQL refused its data: retrying cannot help. */
export const isDataRejected = (err: unknown): boolean =>
  err instanceof ActivityFailure &&
  err.cause instanceof ApplicationFailure &&
  err.cause.type === DATA_REJECTED;

/**
 * Keeps the read model (and, where the namespace has them, the search attributes) in step with the
 * report: each call writes the timeline events not yet written and the current summary. Idempotent
 * on the activity's side, so a retry writes nothing twice.
 *
 * A report whose data PostgreSQL refuses (a control character that slipped past the API, an
 * impossible date) must not wedge: the refusal is recorded on the timeline once, the operators are
 * told through the outbox, and the report goes on taking steps; each later projection tries again
 * with everything not yet written, so a fixed cause heals by itself.
 */
export function createProjector(deps: {
  state: ReportState;
  activities: Pick<Activities, 'projectReport' | 'enqueueNotifications'>;
  nowIso: () => string;
  searchable: boolean;
}) {
  const { state, activities } = deps;
  let projected = 0;
  let failing = false;
  return async function project(): Promise<void> {
    const events: TimelineEvent[] = state.timeline.slice(projected);
    const summary = summariseReport(state, { withText: projected === 0 });
    try {
      await activities.projectReport({ summary, events });
      projected = state.timeline.length;
      failing = false;
    } catch (err) {
      if (!isDataRejected(err)) throw err;
      if (!failing) {
        failing = true;
        const reason = (err as ActivityFailure).cause!.message;
        record(state, 'projection_failed', { now: deps.nowIso() }, { reason });
        await activities.enqueueNotifications([
          {
            dedupeKey: `${state.reportId}:${state.timeline.length}:projection_failed`,
            reportId: state.reportId,
            notification: {
              kind: 'projection_failed',
              recipient: { kind: 'operators' },
              payload: { reason },
            },
          },
        ]);
      }
    }
    if (deps.searchable) {
      upsertSearchAttributes([
        { key: SEARCH_ATTRIBUTES.stage, value: summary.stage },
        { key: SEARCH_ATTRIBUTES.urgency, value: summary.urgency },
        { key: SEARCH_ATTRIBUTES.overdue, value: summary.overdue },
        { key: SEARCH_ATTRIBUTES.majorHazard, value: summary.majorHazard },
        ...(summary.unitId ? [{ key: SEARCH_ATTRIBUTES.unit, value: summary.unitId }] : []),
      ]);
    }
  };
}
