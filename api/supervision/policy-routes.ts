import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { TERMINAL_STAGES } from '../../domain/report/report-state.js';
import type { PolicyRegistry } from '../../infra/policy-registry.js';
import type { Authorize } from '../platform/authentication.js';
import { problemResponses } from '../platform/problems.js';

/**
 * `GET /v1/policies`: every policy version the service knows, with its source (the documents its
 * figures come from) and the reports that run under it — all, and those still open — counted from
 * each report's last `policy_fixed` event. Which version is current: what a new report runs under.
 */
export function policyRoutes(deps: {
  sql: postgres.Sql;
  authorize: Authorize;
  policies: PolicyRegistry;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    app.get(
      '/policies',
      {
        onRequest: deps.authorize(['admin', 'supervisor']),
        schema: {
          tags: ['policies'],
          operationId: 'listPolicies',
          summary: 'Policy versions, their sources, and the reports (open and all) that run under each',
          security: [{ bearer: [] }],
          response: {
            200: Type.Array(
              Type.Object({
                id: Type.String(),
                version: Type.Integer(),
                name: Type.String(),
                source: Type.String(),
                current: Type.Boolean(),
                reports: Type.Object({ total: Type.Integer(), open: Type.Integer() }),
              }),
            ),
            ...problemResponses,
          },
        },
      },
      async () => {
        const counts = await deps.sql<{ id: string; version: number; total: number; open: number }[]>`
          select p.data ->> 'id' as id, (p.data ->> 'version')::int as version, count(*)::int as total,
                 (count(*) filter (where r.stage not in ${deps.sql([...TERMINAL_STAGES])}))::int as open
          from reports r
          cross join lateral (
            select data from report_events e
            where e.report_id = r.report_id and e.type in ('policy_fixed', 'policy_adopted')
            order by e.sequence desc limit 1) p
          group by 1, 2`;
        const countOf = (id: string, version: number) =>
          counts.find((c) => c.id === id && c.version === version) ?? { total: 0, open: 0 };
        return deps.policies
          .all()
          .sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version)
          .map((p) => {
            const { total, open } = countOf(p.id, p.version);
            return {
              id: p.id,
              version: p.version,
              name: p.name,
              source: p.source,
              current: deps.policies.current(p.id).version === p.version,
              reports: { total, open },
            };
          });
      },
    );
    return Promise.resolve();
  };
}
