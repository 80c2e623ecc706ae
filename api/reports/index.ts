import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Authorize } from '../platform/authentication.js';
import type { IntakeDeps } from './intake.js';
import { intakeRoutes } from './intake-routes.js';
import { readRoutes } from './read-routes.js';
import type { ReportAccess } from './report-access.js';
import { stepRoutes } from './step-routes.js';
import { writeUpRoutes } from './write-up-routes.js';

/**
 * `/reports`: intake (接件), the human steps, reads of one report and the list, and the case
 * write-up of a closed one. Intake starts a report's workflow; every other route reaches it
 * through {@link ReportAccess}, the list through the read model.
 */
export function reportsPlugin(deps: {
  readonly intake: IntakeDeps & { readonly rateLimitPerMinute: number };
  readonly access: ReportAccess;
  readonly authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  const { access, authorize } = deps;
  return async (app) => {
    await app.register(intakeRoutes({ ...deps.intake, authorize }));
    await app.register(readRoutes({ access, sql: access.sql, authorize }));
    await app.register(stepRoutes({ access, sql: access.sql, vault: deps.intake.vault, authorize }));
    await app.register(writeUpRoutes({ access, sql: access.sql, authorize }));
  };
}
