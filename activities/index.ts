import type { Sql } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import { createDeadlineActivities } from './deadlines.js';
import { createCalendarStore, type CalendarStore } from '../infra/calendar-store.js';
import { createLedgerActivities } from './reward-ledger.js';
import { createNotificationActivities } from './notifications.js';
import type { PolicyRegistry } from '../infra/policy-registry.js';
import { createProjectionActivities } from './projection.js';

/** What activities need; created once per worker process. */
export interface ActivityDeps {
  readonly sql: Sql;
  readonly log: Logger;
  readonly policies: PolicyRegistry;
  /** The work calendar with the years imported into the database (one is made when not given). */
  readonly calendars?: CalendarStore;
}

/**
 * Every side effect of the report workflow. Each activity is idempotent — it may run more than
 * once (retries, a worker dying after the write) — because each write is keyed by a natural key.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDeadlineActivities({ ...deps, calendars: deps.calendars ?? createCalendarStore(deps.sql) }),
    ...createProjectionActivities(deps),
    ...createNotificationActivities(deps),
    ...createLedgerActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
