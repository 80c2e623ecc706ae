import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { createGenerator } from 'json-schema-faker';

// ajv-formats is CommonJS: its function is the default export's default.
const addFormats = formats.default;

/**
 * Requests generated from the API's own OpenAPI document, valid and broken, from a fixed seed (so
 * a failure is reproduced by running again). Free of vitest: the test in `npm test` runs a few
 * hundred, and a drill can run thousands with another seed.
 */
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: { readonly schemas?: Record<string, JsonSchema> };
}
export interface Operation {
  readonly operationId?: string;
  readonly parameters?: readonly { in: string; name: string; required?: boolean; schema: JsonSchema }[];
  readonly requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  readonly responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}
export type JsonSchema = Record<string, unknown>;

export interface FuzzCase {
  readonly operation: string;
  readonly kind: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string;
}

/** A small seeded PRNG (mulberry32), for the choices the schema generator does not make. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ways to break a request that a real client (or attacker) sends. */
const BREAKERS = [
  'valid',
  'wrong-type',
  'missing-field',
  'extra-field',
  'proto-key',
  'nul-text',
  'oversized',
  'deep-nesting',
  'bad-json',
  'odd-path',
] as const;
export type Breaker = (typeof BREAKERS)[number];

export function createFuzzer(doc: OpenApiDocument, seed: number, realValues: Record<string, string[]>) {
  const random = prng(seed);
  const generator = createGenerator({ seed });
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const withComponents = (schema: JsonSchema): JsonSchema => ({
    ...schema,
    $defs: doc.components?.schemas ?? {},
  });
  const generate = async (schema: JsonSchema): Promise<unknown> => {
    // Refs in the document point at #/components/schemas; the generator resolves $defs.
    const text = JSON.stringify(schema).replaceAll('#/components/schemas/', '#/$defs/');
    return generator.generate(withComponents(JSON.parse(text) as JsonSchema));
  };

  async function valueFor(param: { name: string; schema: JsonSchema }): Promise<string> {
    const real = realValues[param.name];
    if (real && random() < 0.6) return pick(real);
    const value = await generate(param.schema);
    return Array.isArray(value) ? String(value[0] ?? '') : String(value);
  }

  async function makeCase(
    path: string,
    method: string,
    op: Operation,
    breaker: Breaker,
    headers: Record<string, string>,
  ): Promise<FuzzCase> {
    let url = path;
    const query: [string, string][] = [];
    for (const p of op.parameters ?? []) {
      if (p.in === 'path') {
        let value = encodeURIComponent(await valueFor(p));
        if (breaker === 'odd-path')
          value = pick([`${value}%2F..%2F`, '%252e%252e', '%E0%A4%A', '..', '%00', 'x'.repeat(400)]);
        url = url.replace(`{${p.name}}`, value);
      } else if (p.in === 'query' && (p.required || random() < 0.4)) {
        query.push([p.name, await valueFor(p)]);
      } else if (p.in === 'header' && random() < 0.3) {
        headers = { ...headers, [p.name]: String(await generate(p.schema)) };
      }
    }
    // One parameter broken at a time, so that the others pass and the broken one reaches its use.
    const victim = query.length > 0 ? pick(query) : undefined;
    if (victim && breaker === 'nul-text') victim[1] = `${victim[1]}\u0000`;
    if (victim && breaker === 'wrong-type')
      victim[1] = pick(['-1', '1e400', 'true', '[]', '99999999999999999999', '']);
    if (breaker === 'extra-field' && method === 'get') query.push(['unexpected', '1']);
    if (query.length > 0)
      url += `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;

    const bodySchema = op.requestBody?.content['application/json']?.schema;
    let payload: string | undefined;
    if (bodySchema) {
      let body = (await generate(bodySchema)) as Record<string, unknown>;
      const keys = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
      const key = keys.length > 0 ? pick(keys) : undefined;
      switch (breaker) {
        case 'wrong-type':
          if (key) body[key] = pick([12345, [], {}, true, null, 'text']);
          else body = pick([[], 'text', 7]) as never;
          break;
        case 'missing-field':
          if (key) delete body[key];
          break;
        case 'extra-field':
          body = { ...body, unexpectedField: 'x' };
          break;
        case 'nul-text':
          if (key && typeof body[key] === 'string') body[key] = `${String(body[key])}\u0000`;
          else body = { ...body, note: 'a\u0000b' };
          break;
        default:
          break;
      }
      payload = JSON.stringify(body);
      if (breaker === 'proto-key') payload = `{"__proto__":{"polluted":true},${payload.slice(1)}`;
      if (breaker === 'oversized') payload = JSON.stringify({ ...body, padding: 'x'.repeat(300 * 1024) });
      if (breaker === 'deep-nesting') payload = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      if (breaker === 'bad-json') payload = payload.slice(0, Math.max(1, payload.length - 2));
    }
    return {
      operation: op.operationId ?? `${method} ${path}`,
      kind: breaker,
      method: method.toUpperCase(),
      url,
      headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(payload !== undefined ? { payload } : {}),
    };
  }

  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );
  return {
    operations,
    /**
     * Two passes: each operation asked validly by every credential; then every way of breaking a
     * request, sent by each credential the first pass found allowed (or by all, where none was),
     * so that broken input reaches validation, the workflow and SQL, not only authentication.
     */
    async *cases(
      credentials: Record<string, Record<string, string>>,
      allowed: (operation: string) => readonly string[],
    ): AsyncGenerator<FuzzCase & { readonly credential: string }> {
      for (const { path, method, op } of operations)
        for (const [credential, headers] of Object.entries(credentials))
          yield { credential, ...(await makeCase(path, method, op, 'valid', headers)) };
      for (const { path, method, op } of operations) {
        const who = allowed(op.operationId ?? `${method} ${path}`);
        for (const breaker of BREAKERS.filter((b) => b !== 'valid'))
          for (const credential of who.length > 0 ? who : Object.keys(credentials))
            yield { credential, ...(await makeCase(path, method, op, breaker, credentials[credential]!)) };
      }
    },
  };
}

/** What the document declares for `status`: its content types, or undefined if not declared. */
export function declaredContent(op: Operation, status: number): string[] | undefined {
  const response = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`];
  if (!response) return undefined;
  return Object.keys(response.content ?? {});
}

/** What one request answered, whoever sent it (inject in a test, fetch in a drill). */
export interface FuzzAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly json: () => unknown;
}

export interface FuzzFinding {
  readonly case: FuzzCase;
  readonly status: number;
  readonly contentType: string;
  readonly why: string;
}

/**
 * Who the fuzz asks as: nobody, a forged API key, a forged JWT, and each real key (one per role).
 */
export const fuzzCredentials = (keys: Record<string, string>): Record<string, Record<string, string>> => ({
  nobody: {},
  forged: { authorization: 'Bearer bh_forged0000000000000000000000000000' },
  'forged-jwt': { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' },
  ...Object.fromEntries(
    Object.entries(keys).map(([name, key]) => [name, { authorization: `Bearer ${key}` }]),
  ),
});

/**
 * Judges answers against the document: an error against its Problem schema, a success against the
 * schema declared for its status (whose `$ref`s point into the document's components).
 */
export function documentValidators(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  const problemOk = ajv.compile(doc.components!.schemas!.Problem!);
  const validators = new Map<JsonSchema, ValidateFunction>();
  return {
    problemValid: (body: unknown) => (problemOk(body) ? undefined : ajv.errorsText(problemOk.errors)),
    bodyValid: (schema: JsonSchema, body: unknown) => {
      // Compiled as the root of a document that has the components, so that `#/components/…` resolves.
      let validate = validators.get(schema);
      if (!validate)
        validators.set(schema, (validate = ajv.compile({ ...schema, components: doc.components })));
      return validate(body) ? undefined : ajv.errorsText(validate.errors);
    },
  };
}

/** Where a fingerprint of the system's state differs: the parts (tables, histories) that changed. */
export type Fingerprint = Readonly<Record<string, string>>;
export const changedParts = (before: Fingerprint, after: Fingerprint): string[] =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();

/**
 * Sends every case of one seed and judges each answer: never 5xx, never a status the document does
 * not declare for the operation, never a content type it does not declare for that status, every
 * error a problem document in its schema, every JSON success in the schema declared for it, and —
 * given a fingerprint of the state — every refused request leaves the state as it found it.
 */
export async function runFuzz(opts: {
  doc: OpenApiDocument;
  seed: number;
  credentials: Record<string, Record<string, string>>;
  realValues: Record<string, string[]>;
  problemValid: (body: unknown) => string | undefined;
  /** Judges a body against a schema of the document (its `$ref`s point into `components`). */
  bodyValid?: (schema: JsonSchema, body: unknown) => string | undefined;
  /** The state a refused request must not change (the database, the reports' histories). */
  fingerprint?: () => Promise<Fingerprint>;
  send: (c: FuzzCase) => Promise<FuzzAnswer>;
}) {
  const fuzzer = createFuzzer(opts.doc, opts.seed, opts.realValues);
  const operations = new Map(
    Object.entries(opts.doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const),
    ),
  );
  const findings: FuzzFinding[] = [];
  const statuses = new Map<number, number>();
  const allowed = new Map<string, Set<string>>();
  let sent = 0;
  let refusalsChecked = 0;
  // The state as the last judged request left it; undefined after a successful write, whose effects
  // (a projection, a notification) may still be arriving: then it is taken again once it holds still.
  let known: Fingerprint | undefined;
  for await (const c of fuzzer.cases(opts.credentials, (operation) => [...(allowed.get(operation) ?? [])])) {
    if (opts.fingerprint && known === undefined) known = await settled(opts.fingerprint);
    const res = await opts.send(c);
    sent += 1;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (c.kind === 'valid' && res.status !== 401 && res.status !== 403)
      allowed.set(c.operation, (allowed.get(c.operation) ?? new Set()).add(c.credential));
    const contentType = res.contentType.split(';')[0]!;
    const template = [...operations.entries()].find(([key]) => {
      const [m, p] = key.split(' ');
      return (
        m === c.method && new RegExp(`^${p!.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(c.url.split('?')[0]!)
      );
    });
    const op = template?.[1];
    const declared = op ? declaredContent(op, res.status) : undefined;
    const note = (why: string) => findings.push({ case: c, status: res.status, contentType, why });
    if (res.status >= 500) note('5xx');
    // A broken path may no longer name the operation: then only the problem shape is checked.
    if (op && declared === undefined) note('status not declared for the operation');
    else if (op && declared && declared.length > 0 && !declared.includes(contentType))
      note(`content type not declared (${declared.join(', ')})`);
    if (res.status >= 400) {
      if (contentType !== 'application/problem+json') note('an error that is not a problem document');
      else {
        const why = opts.problemValid(res.json());
        if (why) note(`problem document off its schema: ${why}`);
      }
    } else if (op && opts.bodyValid && contentType === 'application/json') {
      const schema = declaredSchema(op, res.status, contentType);
      const why = schema && opts.bodyValid(schema, res.json());
      if (why) note(`body off the schema declared for ${res.status}: ${why}`);
    }
    if (!opts.fingerprint) continue;
    if (res.status >= 400 && res.status < 500) {
      const now = await opts.fingerprint();
      const changed = changedParts(known!, now);
      refusalsChecked += 1;
      if (changed.length > 0) note(`refused, yet changed ${changed.join(', ')}`);
      known = now;
    } else if (c.method === 'GET' && res.status < 300) {
      // A read may write its audit row (who read a reporter's identity), and nothing after it.
      known = await opts.fingerprint();
    } else known = undefined;
  }
  return { sent, statuses, findings, refusalsChecked };
}

/** The state once two readings a moment apart agree (what a success set going has arrived). */
async function settled(fingerprint: () => Promise<Fingerprint>): Promise<Fingerprint> {
  let last = await fingerprint();
  for (let i = 0; i < 150; i += 1) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await fingerprint();
    if (changedParts(last, now).length === 0) return now;
    last = now;
  }
  throw new Error('the state did not settle within 15 s of a successful request');
}

/** The schema the document declares for a status and content type, if any. */
function declaredSchema(op: Operation, status: number, contentType: string): JsonSchema | undefined {
  const response = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`];
  return response?.content?.[contentType]?.schema;
}
