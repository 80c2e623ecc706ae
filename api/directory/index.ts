import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { RoutingRuleBody, routeReport, UnitBody, UnitId, UNIT_KINDS } from '../../domain/directory.js';
import { OneOf } from '../../domain/schema.js';
import { DOMAIN_VALUES, type Role } from '../../domain/vocabulary.js';
import type { Authorize } from '../platform/authentication.js';
import { deleteRule, getUnit, listRules, listUnits, putRule, putUnit } from './repository.js';
import { ALL_ROLES } from '../platform/authentication.js';
import { ProblemError, problemResponses } from '../platform/problems.js';

/** Who routes reports and watches the routing: the command centre and supervisors (admins edit). */
export const ROUTING_ROLES: readonly Role[] = ['dispatcher', 'supervisor', 'admin'];

const Contact = Type.Object({
  name: Type.String(),
  phone: Type.String(),
  email: Type.Optional(Type.String()),
});
const UnitSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: OneOf(UNIT_KINDS),
  district: Type.String(),
  contacts: Type.Object({ leaderInCharge: Contact, sectionChief: Contact, caseOfficer: Contact }),
  active: Type.Boolean(),
});
const RuleSchema = Type.Object({
  id: Type.Integer(),
  domain: Type.String(),
  district: Type.String(),
  street: Type.Optional(Type.String()),
  unitId: Type.String(),
});

/**
 * The directory (units with their contact sheet, streets, routing rules) and the routing
 * suggestion. Everyone who works reports may read units and streets; admins edit; a rule must
 * point to an active unit.
 */
export function directoryRoutes(deps: {
  sql: postgres.Sql;
  authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  return (app) => {
    const security = [{ bearer: [] }];
    const tags = ['directory'];
    const activeUnit = async (id: string) => {
      const unit = await getUnit(deps.sql, id);
      if (!unit?.active) throw new ProblemError('unknown-unit', `no active unit ${id} in the directory`);
      return unit;
    };

    app.get(
      '/units',
      {
        onRequest: deps.authorize(ALL_ROLES),
        schema: {
          tags,
          operationId: 'listUnits',
          summary: 'The handling units and their contact sheets',
          security,
          response: { 200: Type.Array(UnitSchema), ...problemResponses },
        },
      },
      async () => listUnits(deps.sql),
    );
    app.get(
      '/units/:id',
      {
        onRequest: deps.authorize(ALL_ROLES),
        schema: {
          tags,
          operationId: 'getUnit',
          summary: 'One unit',
          security,
          params: Type.Object({ id: UnitId }),
          response: { 200: UnitSchema, ...problemResponses },
        },
      },
      async (req) => {
        const unit = await getUnit(deps.sql, req.params.id);
        if (!unit) throw new ProblemError('unknown-unit', `no unit ${req.params.id}`);
        return unit;
      },
    );
    app.put(
      '/units/:id',
      {
        onRequest: deps.authorize(['admin']),
        schema: {
          tags,
          operationId: 'putUnit',
          summary: 'Creates or replaces a unit (set active: false to retire it)',
          security,
          params: Type.Object({ id: UnitId }),
          body: UnitBody,
          response: { 200: UnitSchema, ...problemResponses },
        },
      },
      async (req) => putUnit(deps.sql, req.params.id, req.body),
    );
    app.get(
      '/streets',
      {
        onRequest: deps.authorize(ALL_ROLES),
        schema: {
          tags,
          operationId: 'listStreets',
          summary: 'The streets and towns (街道/镇) of the district',
          security,
          response: {
            200: Type.Array(Type.Object({ id: Type.String(), district: Type.String(), name: Type.String() })),
            ...problemResponses,
          },
        },
      },
      async () =>
        deps.sql<
          { id: string; district: string; name: string }[]
        >`select id, district, name from streets order by district, id`,
    );
    app.get(
      '/routing-rules',
      {
        onRequest: deps.authorize(ROUTING_ROLES),
        schema: {
          tags,
          operationId: 'listRoutingRules',
          summary: 'Routing rules: domain × locality → unit',
          security,
          response: { 200: Type.Array(RuleSchema), ...problemResponses },
        },
      },
      async () => listRules(deps.sql),
    );
    app.put(
      '/routing-rules',
      {
        onRequest: deps.authorize(['admin']),
        schema: {
          tags,
          operationId: 'putRoutingRule',
          summary: 'Creates or replaces the rule of (domain, district, street); the unit must be active',
          security,
          body: RoutingRuleBody,
          response: { 200: RuleSchema, ...problemResponses },
        },
      },
      async (req) => {
        await activeUnit(req.body.unitId);
        return putRule(deps.sql, req.body);
      },
    );
    app.delete(
      '/routing-rules/:id',
      {
        onRequest: deps.authorize(['admin']),
        schema: {
          tags,
          operationId: 'deleteRoutingRule',
          summary: 'Removes a rule',
          security,
          params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
          response: { 204: Type.Null(), ...problemResponses },
        },
      },
      async (req, reply) => {
        if (!(await deleteRule(deps.sql, req.params.id)))
          throw new ProblemError('no-routing-rule', `no rule ${req.params.id}`);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/routing/suggest',
      {
        onRequest: deps.authorize(ROUTING_ROLES),
        schema: {
          tags,
          operationId: 'suggestUnit',
          summary: 'The unit the routing rules pick for a domain and locality, and the rule that matched',
          security,
          querystring: Type.Object(
            {
              domain: OneOf(DOMAIN_VALUES),
              district: Type.String({ minLength: 1, maxLength: 100 }),
              street: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ unit: UnitSchema, rule: RuleSchema }), ...problemResponses },
        },
      },
      async (req) => {
        const rules = await listRules(deps.sql);
        const units = new Map((await listUnits(deps.sql)).map((u) => [u.id, u]));
        const rule = routeReport(
          rules.filter((r) => units.get(r.unitId)?.active),
          req.query,
        );
        if (!rule)
          throw new ProblemError(
            'no-routing-rule',
            'no rule covers this domain and locality: choose the unit by hand',
          );
        return { unit: units.get(rule.unitId)!, rule };
      },
    );
    return Promise.resolve();
  };
}
