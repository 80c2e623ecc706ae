import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from './problems.js';

/**
 * Text that the stores cannot hold or the people cannot read is refused at the door, before any
 * schema, route or workflow sees it: PostgreSQL refuses U+0000 in text and jsonb (a report
 * carrying one was accepted, then never projected, and every later step on it hung), and the other
 * C0 controls and DEL are never part of a citizen's report. Tab, line feed and carriage return are
 * kept. Every string of the body, query and path parameters — keys included — is also brought to
 * Unicode NFC, so "同一" typed two ways is one string for fingerprints, searches and lengths.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A JSON Schema pattern for the same rule, for the OpenAPI document of free-text fields. */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';

/** Deeper than any request of this API: a body nested further is refused, not walked. */
const MAX_DEPTH = 32;

interface Offence {
  readonly path: string;
  readonly message: string;
}

const describe = (text: string) => {
  const code = text.codePointAt(text.search(FORBIDDEN))!;
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `contains the control character ${name}: text may hold none but tab, line feed and carriage return`;
};

/** NFC-normalises every string in `value` (in place for objects); collects offending paths. */
function clean(value: unknown, path: string, offences: Offence[], depth = 0): unknown {
  if (depth > MAX_DEPTH) {
    offences.push({ path, message: `is nested more than ${MAX_DEPTH} levels deep` });
    return value;
  }
  if (typeof value === 'string') {
    if (FORBIDDEN.test(value)) offences.push({ path, message: describe(value) });
    return value.normalize('NFC');
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) value[i] = clean(value[i], `${path}/${i}`, offences, depth + 1);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const target = value as Record<string, unknown>;
    for (const key of Object.keys(target)) {
      if (FORBIDDEN.test(key)) offences.push({ path: `${path}/${key}`, message: 'the key ' + describe(key) });
      const cleaned = clean(target[key], `${path}/${key}`, offences, depth + 1);
      const normalKey = key.normalize('NFC');
      if (normalKey !== key) delete target[key];
      target[normalKey] = cleaned;
    }
  }
  return value;
}

function checkRequest(req: FastifyRequest): void {
  const offences: Offence[] = [];
  req.body = clean(req.body, 'body', offences);
  req.query = clean(req.query, 'querystring', offences);
  req.params = clean(req.params, 'params', offences);
  if (offences.length > 0) {
    throw new ProblemError('invalid-input', `${offences[0]!.path} ${offences[0]!.message}`, {
      errors: offences,
    });
  }
}

/**
 * Ajv coerces the query string's text to numbers, and takes "1e400" as Infinity within any
 * `maximum`: after validation, a number in the query or path that is not a safe integer or a
 * finite number is refused rather than handed to date arithmetic or SQL.
 */
function checkNumbers(req: FastifyRequest): void {
  for (const [part, values] of [
    ['querystring', req.query],
    ['params', req.params],
  ] as const) {
    for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
      for (const v of [value].flat()) {
        if (typeof v === 'number' && !(Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER)) {
          const message = `is not a number this API takes (${String(v)})`;
          throw new ProblemError('invalid-input', `${part}/${name} ${message}`, {
            errors: [{ path: `${part}/${name}`, message }],
          });
        }
      }
    }
  }
}

/** Installs the checks on every route: text before validation, numbers after it. */
export function installInputHygiene(app: FastifyInstance): void {
  app.addHook('preHandler', (req, _reply, done) => {
    try {
      checkNumbers(req);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  app.addHook('preValidation', (req, _reply, done) => {
    try {
      checkRequest(req);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
}
