import cors from '@fastify/cors';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Type from 'typebox';
import type { Role } from '../../domain/vocabulary.js';
import type { Authorize } from './authentication.js';
import { ProblemError, problemResponses } from './problems.js';

/**
 * The codec server (Temporal's convention: POST /codec/encode and /codec/decode with
 * `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`), so an operator's Temporal Web UI
 * or `temporal` CLI can show the payloads the payload codec encrypted. Decoding shows workflow
 * inputs and results in clear — never a reporter's identity, which the workflows do not hold —
 * so it is for administrators and supervisors only, and the browser origins allowed to call it are
 * configured (BIHUAN_CODEC_CORS_ORIGINS).
 */
export const CODEC_ROLES: readonly Role[] = ['admin', 'supervisor'];

const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 4 * 1024 * 1024 });
const JsonPayload = Type.Object({
  metadata: Type.Optional(Type.Record(Type.String(), Base64)),
  data: Type.Optional(Base64),
});
const Payloads = Type.Object({ payloads: Type.Array(JsonPayload, { maxItems: 1000 }) });
type JsonPayloadT = { metadata?: Record<string, string>; data?: string };

const fromJson = (p: JsonPayloadT): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayloadT => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function codecRoutes(deps: {
  codec: PayloadCodec;
  corsOrigins: readonly string[];
  authorize: Authorize;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Registered inside this plugin: CORS applies to the codec routes only.
    await app.register(cors, {
      origin: [...deps.corsOrigins],
      methods: ['POST', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'x-namespace'],
      credentials: true,
      maxAge: 600,
    });
    for (const direction of ['encode', 'decode'] as const) {
      app.post(
        `/codec/${direction}`,
        {
          onRequest: deps.authorize(CODEC_ROLES),
          bodyLimit: 8 * 1024 * 1024,
          schema: {
            tags: ['codec'],
            operationId: `codec${direction === 'encode' ? 'Encode' : 'Decode'}`,
            summary: `${direction === 'encode' ? 'Encrypts' : 'Decrypts'} Temporal payloads (codec server for the Web UI and CLI)`,
            security: [{ bearer: [] }],
            body: Payloads,
            response: { 200: Payloads, ...problemResponses },
          },
        },
        async (req) => {
          const payloads = req.body.payloads.map(fromJson);
          try {
            const out = await (direction === 'encode'
              ? deps.codec.encode(payloads)
              : deps.codec.decode(payloads));
            return { payloads: out.map(toJson) };
          } catch (err) {
            throw new ProblemError(
              'invalid-input',
              `cannot ${direction} these payloads: ${(err as Error).message}`,
            );
          }
        },
      );
    }
  };
}
