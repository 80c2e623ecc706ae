import fastifyAuth from '@fastify/auth';
import fastifyBearerAuth from '@fastify/bearer-auth';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { Value } from 'typebox/value';
import type { Sql } from '../../infra/database.js';
import { OneOf } from '../../domain/schema.js';
import { ROLES, ROLE_VALUES, type Actor, type Role } from '../../domain/vocabulary.js';
import { cachedApiKeyLookup } from './api-keys.js';
import { ProblemError } from './problems.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once authenticated: every step's `actor`. Clients never send an actor. */
    caller: Actor | undefined;
  }
}

/** An onRequest hook: authenticates, then refuses (403) a role not in `roles`. */
export type Authorize = (
  roles: readonly Role[],
) => (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void;

export const ALL_ROLES: readonly Role[] = ROLE_VALUES;

const JwtClaims = Type.Object({
  sub: Type.String({ minLength: 1, maxLength: 128 }),
  role: OneOf(ROLE_VALUES),
  unitId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

/** A JWT has three dot-separated parts; an API key has none. */
const looksLikeJwt = (token: string) => token.split('.').length === 3;

/**
 * Bearer authentication through @fastify/auth and @fastify/bearer-auth: an API key (looked up by
 * its hash) or, when JWT_SECRET is set, an HS256 JWT with claims `sub`, `role` and `unitId` (a
 * handler's unit, required for handlers). Either way the caller becomes `req.caller`. It runs in
 * onRequest, before the body is read or validated: an unauthenticated or unauthorised request
 * learns nothing, not even whether its body would have been valid.
 */
export async function installAuthentication(
  app: FastifyInstance,
  deps: { sql: Sql; jwtSecret: string | undefined; apiKeyCacheMs?: number },
): Promise<Authorize> {
  const actorOfKey = cachedApiKeyLookup(deps.sql, deps.apiKeyCacheMs ?? 0);
  app.decorateRequest('caller', undefined);
  await app.register(fastifyAuth);
  if (deps.jwtSecret) {
    // Tokens must expire: one without `exp` is refused. Tokens this app signs (tests, tools) last 1 h.
    await app.register(fastifyJwt, {
      secret: deps.jwtSecret,
      sign: { algorithm: 'HS256', expiresIn: '1h' },
      verify: { algorithms: ['HS256'], requiredClaims: ['exp', 'sub', 'role'] },
    });
  }
  const actorOfJwt = (token: string): Actor | undefined => {
    let claims: unknown;
    try {
      claims = app.jwt.verify(token);
    } catch {
      return undefined;
    }
    if (!Value.Check(JwtClaims, claims)) return undefined;
    if (claims.role === 'handler' && !claims.unitId) return undefined;
    return {
      id: claims.sub,
      role: claims.role,
      ...(claims.role === 'handler' ? { unitId: claims.unitId } : {}),
    };
  };
  await app.register(fastifyBearerAuth, {
    keys: [],
    addHook: false,
    verifyErrorLogLevel: 'info',
    auth: async (token, req) => {
      req.caller = deps.jwtSecret && looksLikeJwt(token) ? actorOfJwt(token) : await actorOfKey(token);
      return req.caller !== undefined;
    },
  });
  const verifyBearer = app.verifyBearerAuth!;

  return (roles) => {
    const allowed = new Set(roles);
    const checkRole = (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
      const role = req.caller?.role;
      if (role && allowed.has(role)) return done();
      done(
        new ProblemError(
          'not-allowed',
          `this endpoint is not for the ${role ? ROLES[role] : '?'} (${role}) role`,
        ),
      );
    };
    return app.auth([verifyBearer, checkRole], { relation: 'and' });
  };
}
