import AjvCompiler from '@fastify/ajv-compiler';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifySchemaCompiler,
  type RawServerDefault,
} from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../infra/config.js';
import type { Sql } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import { withTimeout } from '../infra/startup-error.js';
import { temporalIsHealthy } from '../infra/temporal.js';
import { createCalendarStore } from '../infra/calendar-store.js';
import { KeyRing } from '../infra/vault.js';
import { loadPolicyRegistry, type PolicyRegistry } from '../infra/policy-registry.js';
import { intakeBounds } from '../domain/policy.js';
import { EncryptingPayloadCodec } from '../infra/payload-codec.js';
import { directoryRoutes } from './directory/index.js';
import { deliveryRoutes, devOutboxRoutes } from './delivery/index.js';
import { statusPageRoutes } from './reports/status-page.js';
import { open311Routes } from './open311/index.js';
import { identityRoutes } from './identity/index.js';
import { installAuthentication } from './platform/authentication.js';
import { codecRoutes } from './platform/codec-routes.js';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './platform/error-handler.js';
import { healthRoutes } from './platform/health-routes.js';
import { installInputHygiene } from './platform/input-hygiene.js';
import { installMetrics } from './platform/metrics.js';
import { installOpenApi } from './platform/openapi.js';
import { reportsPlugin } from './reports/index.js';
import type { ReportAccess } from './reports/report-access.js';
import { dashboardRoutes } from './supervision/dashboard-routes.js';
import { supervisionPlugin } from './supervision/index.js';

/** What the routes need; tests pass real connections, as the entry points do. */
export interface ApiDeps {
  readonly config: Config;
  readonly sql: Sql;
  readonly temporal: Client;
  /** The reporter vault's keys (see infra/vault-keys.ts for how the entry points resolve them). */
  readonly vault: KeyRing;
  /** The Temporal payload codec, for the codec server (the client already encodes with it). */
  readonly codec: PayloadCodec;
  /** Whether the namespace has Bihuan's search attributes, so new reports may set them. */
  readonly searchAttributes: boolean;
  /** The policies new reports run under (for what intake accepts); loaded from config when absent. */
  readonly policies: PolicyRegistry | undefined;
  /** The clock intake checks `receivedAt` against (tests pass the time-skipping server's). */
  now(): Promise<number>;
  temporalHealthy(): Promise<boolean>;
  postgresHealthy(): Promise<boolean>;
}

export function createApiDeps(
  config: Config,
  sql: Sql,
  temporal: Client,
  opts: {
    vault?: KeyRing;
    codec?: PayloadCodec;
    searchAttributes?: boolean;
    policies?: PolicyRegistry;
    now?: () => Promise<number>;
  } = {},
): ApiDeps {
  return {
    config,
    sql,
    temporal,
    vault: opts.vault ?? new KeyRing(config.vaultKeys),
    codec: opts.codec ?? new EncryptingPayloadCodec(new KeyRing(config.codecKeys)),
    searchAttributes: opts.searchAttributes ?? false,
    policies: opts.policies,
    now: opts.now ?? (() => Promise.resolve(Date.now())),
    temporalHealthy: () => temporalIsHealthy(temporal.connection),
    postgresHealthy: () =>
      withTimeout(sql`select 1`, 2000, () => new Error('timeout')).then(
        () => true,
        () => false,
      ),
  };
}

/** The API as a Fastify instance, not yet listening: entry points call `listen`, tests `inject`. */
export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * Bodies are validated strictly (no coercion, see `ajv` below), but a query string or a path is
 * text by nature: there `limit=20` is a number, `overdue=true` a boolean, and a repeated
 * `stage=…&stage=…` (or a single one) an array.
 */
const partAwareValidator: AjvCompiler.BuildCompilerFromPool = (externalSchemas, options) => {
  // The package types the compiler as taking a schema; Fastify calls it with the route part.
  const strict = AjvCompiler()(externalSchemas, options) as unknown as FastifySchemaCompiler<unknown>;
  const coercing = AjvCompiler()(externalSchemas, {
    ...options,
    customOptions: { ...options?.customOptions, coerceTypes: 'array' },
  } as Parameters<AjvCompiler.BuildCompilerFromPool>[1]) as unknown as FastifySchemaCompiler<unknown>;
  const compile: FastifySchemaCompiler<unknown> = (route) =>
    route.httpPart === 'body' ? strict(route) : coercing(route);
  return compile as unknown as ReturnType<AjvCompiler.BuildCompilerFromPool>;
};

/** A caller's x-request-id is kept when it is a plain token (it ends up in every log line). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the API: thin by design — it authenticates, validates against the route schemas,
 * authorises and forwards to the report's workflow; the workflow holds the rules.
 */
export async function buildApp(deps: ApiDeps, log: Logger): Promise<App> {
  const loggerInstance: FastifyBaseLogger = log.child({ component: 'api' });
  const app = Fastify({
    loggerInstance,
    bodyLimit: 256 * 1024,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Bodies are taken as sent: an unknown field (an `actor`, a typo) is refused, not dropped,
    // and "3" is not a number.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    schemaController: { compilersFactory: { buildValidator: partAwareValidator } },
    // A report id is up to 104 characters (report:<channel>:<64-character external id>).
    routerOptions: { maxParamLength: 256 },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // JSON only: a text/plain body is refused as 415 like any other type (Fastify parses it by default).
  app.removeContentTypeParser('text/plain');
  // The authentication scheme is case-insensitive (RFC 9110 §11.1): `bearer <key>` is `Bearer <key>`.
  app.addHook('onRequest', (req, _reply, done) => {
    const given = req.headers.authorization;
    if (given && /^bearer\s/i.test(given) && !given.startsWith('Bearer '))
      req.headers.authorization = `Bearer ${given.replace(/^bearer\s+/i, '')}`;
    done();
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  installErrorHandler(app);
  installInputHygiene(app);
  await installMetrics(app);
  await installOpenApi(app);
  await app.register(rateLimit, { global: false });
  const authorize = await installAuthentication(app, {
    sql: deps.sql,
    jwtSecret: deps.config.jwtSecret,
    apiKeyCacheMs: deps.config.api.keyCacheMs,
  });
  const policies =
    deps.policies ?? (await loadPolicyRegistry(deps.config.policy.dir, deps.config.policy.defaultId));
  const { temporal } = deps;
  await app.register(healthRoutes(deps));
  const access: ReportAccess = { temporal, sql: deps.sql, timeoutMs: deps.config.api.temporalTimeoutMs };
  const v1 = { prefix: '/v1' };
  const intake = {
    sql: deps.sql,
    temporal,
    vault: deps.vault,
    taskQueue: deps.config.temporal.taskQueue,
    searchAttributes: deps.searchAttributes,
    rateLimitPerMinute: deps.config.intakeRateLimit,
    intakeBounds: () => {
      const policy = policies.current();
      return { policy: { id: policy.id, version: policy.version }, ...intakeBounds(policy) };
    },
    now: () => deps.now(),
  };
  await app.register(reportsPlugin({ intake, access, authorize }), v1);
  await app.register(
    open311Routes({ sql: deps.sql, intake, rateLimitPerMinute: deps.config.intakeRateLimit }),
    { prefix: '/open311/v2' },
  );
  await app.register(identityRoutes({ access, sql: deps.sql, vault: deps.vault, authorize }), v1);
  const calendars = createCalendarStore(deps.sql);
  await app.register(supervisionPlugin({ sql: deps.sql, authorize, policies, access, calendars }), v1);
  await app.register(directoryRoutes({ sql: deps.sql, authorize }), v1);
  await app.register(deliveryRoutes({ sql: deps.sql, authorize }), v1);
  if (deps.config.mode !== 'production') await app.register(devOutboxRoutes({ sql: deps.sql, authorize }));
  await app.register(statusPageRoutes({ sql: deps.sql }));
  await app.register(dashboardRoutes);
  await app.register(
    codecRoutes({ codec: deps.codec, corsOrigins: deps.config.codecCorsOrigins, authorize }),
  );
  return app;
}
