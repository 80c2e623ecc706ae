import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import type { Authorize } from '../platform/authentication.js';
import { boardRoutes } from './board-routes.js';
import { exportRoutes } from './export-routes.js';
import { statisticsRoutes } from './statistics-routes.js';
import { policyRoutes } from './policy-routes.js';
import { whatIfRoutes } from './what-if-routes.js';
import type { PolicyRegistry } from '../../infra/policy-registry.js';
import type { CalendarStore } from '../../infra/calendar-store.js';
import type { ReportAccess } from '../reports/report-access.js';
import { adoptionRoutes } from './adoption-routes.js';
import { calendarRoutes } from './calendar-routes.js';

/**
 * What supervisors read (督办): statistics and their trend, the due and overdue boards, and
 * exports of lists and figures — all from the read model, with the list's own filters. (The
 * dashboard that shows them is a page of its own: dashboard-routes.ts.)
 */
export function supervisionPlugin(deps: {
  sql: postgres.Sql;
  authorize: Authorize;
  policies: PolicyRegistry;
  access: ReportAccess;
  calendars: CalendarStore;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(statisticsRoutes(deps));
    await app.register(whatIfRoutes(deps));
    await app.register(policyRoutes(deps));
    await app.register(adoptionRoutes(deps));
    await app.register(calendarRoutes(deps));
    await app.register(boardRoutes(deps));
    await app.register(exportRoutes(deps));
  };
}
