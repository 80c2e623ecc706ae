import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { PROBLEMS, PROBLEM_BASE, ProblemSchema } from './problems.js';

interface OpenApiOperation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { required?: string[] } }> };
}

/**
 * OpenAPI 3.1, generated from the route schemas (the single source of validation, types and
 * documentation), served as JSON at `/docs/json` and browsable at `/docs`. 3.1 because the
 * schemas are JSON Schema (`const`, `anyOf`), which 3.0 cannot state. Register before routes.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(ProblemSchema);
  const problemList = Object.entries(PROBLEMS)
    .map(([kind, p]) => `- \`${PROBLEM_BASE}${kind}\` (${p.status}): ${p.title}`)
    .join('\n');
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Bihuan 闭环 API',
        version: '1.0.0',
        description: [
          'Citizen reports of workplace-safety hazards, each a durable workflow from intake to a closed loop.',
          'Authenticate with `Authorization: Bearer <API key>` (or a JWT where configured); the caller is the actor of every step.',
          `Errors are RFC 9457 problem documents (\`application/problem+json\`) whose \`type\` is one of:\n\n${problemList}`,
        ].join('\n\n'),
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API key (bh_…) or an HS256 JWT' },
        },
      },
      tags: [
        { name: 'intake', description: '接件: intake systems start reports' },
        { name: 'steps', description: 'the human steps of a report, one per Update of its workflow' },
        { name: 'reports', description: 'reading one report' },
      ],
    },
    // A body whose fields are all optional may be left out (payReward, startVerification …):
    // the routes take no body as `{}`, and the document says so.
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      const { openapiObject } = document;
      for (const item of Object.values(openapiObject.paths ?? {}))
        for (const op of Object.values(item as Record<string, OpenApiOperation>)) {
          const schema = op.requestBody?.content?.['application/json']?.schema;
          if (op.requestBody && schema && !(schema.required?.length ?? 0)) op.requestBody.required = false;
        }
      return openapiObject;
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}
