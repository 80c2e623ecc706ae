import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import { projectPath } from './project-paths.js';

/**
 * The service's configuration, read once from the environment, validated, frozen and passed down.
 * No other module reads `process.env` (tools discovery in `scripts/tools/` aside, which runs before
 * the service exists).
 *
 * Unset `TEMPORAL_ADDRESS` / `DATABASE_URL` mean "embedded": `npm start` starts a Temporal dev
 * server and a private PostgreSQL under `DATA_DIR`. In production mode both are required.
 */
const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  { default: 'info' },
);
/** `<id>:<base64 of 32 bytes>`, comma-separated; the first key encrypts, every key decrypts. */
const VAULT_KEYS_PATTERN =
  '^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=)*$';
const Port = (fallback?: number) =>
  Type.Integer({ minimum: 1, maximum: 65535, ...(fallback === undefined ? {} : { default: fallback }) });

export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PORT: Port(3000),
  LOG_LEVEL: LogLevel,
  DATA_DIR: Type.String({ minLength: 1, default: 'data' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  EMBEDDED_POSTGRES_PORT: Port(5433),
  TEMPORAL_ADDRESS: Type.Optional(Type.String({ pattern: '^[^\\s:/]+:\\d{1,5}$' })),
  TEMPORAL_NAMESPACE: Type.String({ minLength: 1, default: 'default' }),
  TEMPORAL_TASK_QUEUE: Type.String({ minLength: 1, default: 'bihuan-reports' }),
  TEMPORAL_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  TEMPORAL_TLS: Type.Boolean({ default: false }),
  TEMPORAL_TLS_CERT_PATH: Type.Optional(Type.String({ minLength: 1 })),
  TEMPORAL_TLS_KEY_PATH: Type.Optional(Type.String({ minLength: 1 })),
  TEMPORAL_DEV_PORT: Port(7233),
  TEMPORAL_UI_PORT: Port(8233),
  WORKER_HEALTH_PORT: Type.Optional(Port()),
  WORKER_MAX_CACHED_WORKFLOWS: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  STARTUP_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 120_000, default: 10_000 }),
  API_TEMPORAL_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 120_000, default: 15_000 }),
  API_KEY_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 5000 }),
  BIHUAN_POLICY: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', default: 'district-default' }),
  BIHUAN_POLICY_DIR: Type.Optional(Type.String({ minLength: 1 })),
  BIHUAN_VAULT_KEYS: Type.Optional(Type.String({ pattern: VAULT_KEYS_PATTERN })),
  BIHUAN_CODEC_KEYS: Type.Optional(Type.String({ pattern: VAULT_KEYS_PATTERN })),
  BIHUAN_CODEC_CORS_ORIGINS: Type.String({ minLength: 1, default: 'http://localhost:8233' }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  INTAKE_RATE_LIMIT: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 600 }),
  DELIVERY_WEBHOOKS: Type.Optional(Type.String({ minLength: 2 })),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3, default: '闭环 <bihuan@localhost>' }),
  MAILBOX_SUPERVISORS: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
  MAILBOX_DISPATCH_CENTRE: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
  MAILBOX_OPERATORS: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' })),
  SMS_GATEWAY_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  SMS_GATEWAY_AUTH: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]+: ?\\S.*$' })),
  SMS_TEMPLATES: Type.Optional(Type.String({ minLength: 2 })),
  DELIVERY_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
  DELIVERY_BACKOFF_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 30_000 }),
  DELIVERY_BACKOFF_MAX_MS: Type.Integer({ minimum: 10, maximum: 86_400_000, default: 3_600_000 }),
  DELIVERY_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  DELIVERY_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
  DELIVERY_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 64, default: 4 }),
  DELIVERY_HEALTH_PORT: Type.Optional(Port()),
  DEV_SMTP_PORT: Port(2525),
  DEV_SINK_PORT: Port(3025),
});
type Env = Static<typeof EnvSchema>;

/** How each setting is fixed when it is wrong: the second half of the one-line error. */
const HINTS: Record<keyof Env, string> = {
  NODE_ENV: 'use development, production or test',
  HOST: 'an interface address such as 127.0.0.1 or 0.0.0.0',
  PORT: 'a TCP port 1–65535, e.g. PORT=3000',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  DATA_DIR: 'a writable directory for the embedded servers',
  DATABASE_URL:
    'a PostgreSQL URL, e.g. postgres://user:pass@host:5432/bihuan, or unset it to use the embedded PostgreSQL',
  EMBEDDED_POSTGRES_PORT: 'a free TCP port for the embedded PostgreSQL',
  TEMPORAL_ADDRESS:
    'host:port of the Temporal frontend, e.g. localhost:7233, or unset it to use the embedded dev server',
  TEMPORAL_NAMESPACE: 'an existing Temporal namespace',
  TEMPORAL_TASK_QUEUE: 'a task queue name',
  TEMPORAL_API_KEY: 'a Temporal Cloud API key',
  TEMPORAL_TLS: 'true or false',
  TEMPORAL_TLS_CERT_PATH: 'path to the client certificate (PEM)',
  TEMPORAL_TLS_KEY_PATH: 'path to the client key (PEM)',
  TEMPORAL_DEV_PORT: 'a free TCP port for the embedded Temporal dev server',
  TEMPORAL_UI_PORT: 'a free TCP port for the Temporal Web UI',
  WORKER_HEALTH_PORT: 'a TCP port for the worker health endpoint, or unset it',
  WORKER_MAX_CACHED_WORKFLOWS:
    'how many reports a worker keeps in memory between their events, 0–1000000, or unset it',
  STARTUP_TIMEOUT_MS: 'milliseconds, 1000–120000',
  API_TEMPORAL_TIMEOUT_MS: 'milliseconds an API request waits for a report to answer, 1000–120000',
  API_KEY_CACHE_MS:
    'milliseconds an API key is trusted without asking PostgreSQL again, 0–60000 (0: every request asks)',
  BIHUAN_POLICY: 'the id of a policy in policies/, e.g. district-default',
  BIHUAN_POLICY_DIR: 'a directory of <id>.v<version>.json policy files',
  BIHUAN_VAULT_KEYS:
    'comma-separated <id>:<base64 of 32 random bytes>, newest first, e.g. k1:$(openssl rand -base64 32)',
  BIHUAN_CODEC_KEYS:
    'comma-separated <id>:<base64 of 32 random bytes>, newest first, other keys than the vault’s',
  BIHUAN_CODEC_CORS_ORIGINS: 'comma-separated origins of the Temporal Web UI that may call /codec',
  JWT_SECRET:
    'a shared secret of at least 32 characters for HS256 tokens, or unset it to accept API keys only',
  INTAKE_RATE_LIMIT: 'intake requests per minute per API client, 1–1000000',
  DELIVERY_WEBHOOKS:
    'JSON: intake channel → { "url": "https://…", "secrets": ["whsec_…"] } (newest secret first), e.g. {"hotline_12345":{"url":"https://12345.example/bihuan","secrets":["whsec_…"]}}',
  SMTP_URL: 'smtp://user:pass@host:587 or smtps://…:465, or unset it to send no e-mail',
  MAIL_FROM: 'the From address of notices, e.g. 区应急管理局 <bihuan@example.gov.cn>',
  MAILBOX_SUPERVISORS: 'the 安委办 mailbox, e.g. anweiban@example.gov.cn',
  MAILBOX_DISPATCH_CENTRE: 'the dispatch centre mailbox',
  MAILBOX_OPERATORS: 'the mailbox of whoever runs Bihuan',
  SMS_GATEWAY_URL: 'the SMS gateway endpoint, https://…, or unset it to send no SMS',
  SMS_GATEWAY_AUTH: 'one header line the gateway authenticates by, e.g. "Authorization: Bearer …"',
  SMS_TEMPLATES: 'JSON: message kind → the gateway’s template id, e.g. {"feedback_to_reporter":"SMS_123"}',
  DELIVERY_MAX_ATTEMPTS: 'attempts before a delivery becomes a dead letter, 1–50',
  DELIVERY_BACKOFF_MS: 'milliseconds before the first retry (doubling each time), 10–3600000',
  DELIVERY_BACKOFF_MAX_MS: 'the longest wait between retries, in milliseconds',
  DELIVERY_TIMEOUT_MS: 'milliseconds one delivery attempt may take, 100–120000',
  DELIVERY_POLL_MS: 'milliseconds between looks at the outbox when it is empty, 10–60000',
  DELIVERY_CONCURRENCY: 'deliveries in flight at once, 1–64',
  DELIVERY_HEALTH_PORT: 'a TCP port for the delivery relay’s health endpoint, or unset it',
  DEV_SMTP_PORT: 'a free TCP port for the development SMTP sink of `npm start`',
  DEV_SINK_PORT: 'a free TCP port for the development SMS and webhook sink of `npm start`',
};

/** Settings whose values never appear in a message. */
const SECRETS = new Set<string>([
  'TEMPORAL_API_KEY',
  'BIHUAN_VAULT_KEYS',
  'BIHUAN_CODEC_KEYS',
  'JWT_SECRET',
  'DELIVERY_WEBHOOKS',
  'SMTP_URL',
  'SMS_GATEWAY_AUTH',
]);

export interface Config {
  readonly mode: 'development' | 'production' | 'test';
  readonly logLevel: Env['LOG_LEVEL'];
  readonly dataDir: string;
  readonly api: {
    readonly host: string;
    readonly port: number;
    /** How long a request waits for a report's workflow (a query, a step) before answering 503 `timeout`. */
    readonly temporalTimeoutMs: number;
    /** How long an API key's actor is remembered: a revoked key stops working within this. */
    readonly keyCacheMs: number;
  };
  /** Intake requests per minute per authenticated API client. */
  readonly intakeRateLimit: number;
  /** HS256 secret: when set, `Authorization: Bearer <JWT>` is accepted besides API keys. */
  readonly jwtSecret: string | undefined;
  /**
   * Keys of the reporter vault (AES-256-GCM), newest first: the first encrypts, all decrypt.
   * Empty when BIHUAN_VAULT_KEYS is unset; the API then uses a development key or refuses to start.
   */
  readonly vaultKeys: readonly VaultKey[];
  /** Keys of the Temporal payload codec, same format; empty when unset (see infra/payload-codec.ts). */
  readonly codecKeys: readonly VaultKey[];
  /** Origins (Temporal Web UI) that may call the codec endpoints from a browser. */
  readonly codecCorsOrigins: readonly string[];
  readonly worker: {
    readonly healthPort: number | undefined;
    /**
     * Reports kept in memory between their events (the SDK sizes it from the heap when unset).
     * Bounds the worker's memory whatever the number of open reports: one evicted replays its
     * history when its next timer or step comes.
     */
    readonly maxCachedWorkflows: number | undefined;
  };
  readonly postgres:
    | { readonly kind: 'external'; readonly url: string }
    | { readonly kind: 'embedded'; readonly port: number; readonly dataDir: string };
  readonly temporal: {
    readonly namespace: string;
    readonly taskQueue: string;
    readonly apiKey: string | undefined;
    readonly tls: boolean | { readonly certPath: string; readonly keyPath: string };
    readonly server:
      | { readonly kind: 'external'; readonly address: string }
      | {
          readonly kind: 'embedded';
          readonly port: number;
          readonly uiPort: number;
          readonly dbFile: string;
        };
  };
  /** Every connection attempt at start-up gives up after this long, with a clear message. */
  readonly startupTimeoutMs: number;
  /** The policy new reports run under, and where policy files live. */
  readonly policy: { readonly defaultId: string; readonly dir: string };
  /** Delivering the outbox (delivery/): channels, and retries before a dead letter. */
  readonly delivery: DeliveryConfig;
  /** Where `npm start` runs its development sinks when no channel is configured. */
  readonly devSinks: { readonly smtpPort: number; readonly httpPort: number };
}

export interface WebhookTarget {
  readonly url: string;
  /** Standard Webhooks secrets (`whsec_…`), newest first: every one signs, so a receiver can rotate. */
  readonly secrets: readonly string[];
}

export interface DeliveryConfig {
  /** 工单回传: a webhook per intake channel. */
  readonly webhooks: Readonly<Record<string, WebhookTarget>>;
  readonly smtp: { readonly url: string; readonly from: string } | undefined;
  readonly mailboxes: {
    readonly supervisors: string | undefined;
    readonly dispatch_centre: string | undefined;
    readonly operators: string | undefined;
  };
  readonly sms:
    | {
        readonly url: string;
        readonly authHeader: { readonly name: string; readonly value: string } | undefined;
        readonly templates: Readonly<Record<string, string>>;
      }
    | undefined;
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly concurrency: number;
  /** `/health` and `/ready` of the relay process, when set. */
  readonly healthPort: number | undefined;
}

/** The gateway's template per reporter message kind, unless SMS_TEMPLATES names others. */
export const DEFAULT_SMS_TEMPLATES: Readonly<Record<string, string>> = Object.freeze({
  acceptance_notice: 'BIHUAN_ACCEPTANCE',
  rejection_notice: 'BIHUAN_REJECTION',
  interim_reply: 'BIHUAN_INTERIM_REPLY',
  feedback_to_reporter: 'BIHUAN_FEEDBACK',
  reward_paid: 'BIHUAN_REWARD',
});

const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=]{16,}$/;

function parseJsonSetting(setting: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new ConfigError(setting, `${setting} is not JSON: ${HINTS[setting as keyof Env]}`);
  }
}

function parseWebhooks(value: string | undefined): Record<string, WebhookTarget> {
  const data = parseJsonSetting('DELIVERY_WEBHOOKS', value) ?? {};
  const bad = () =>
    new ConfigError('DELIVERY_WEBHOOKS', `DELIVERY_WEBHOOKS is invalid: ${HINTS.DELIVERY_WEBHOOKS}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad();
  const out: Record<string, WebhookTarget> = {};
  for (const [channel, target] of Object.entries(data as Record<string, unknown>)) {
    const t = target as { url?: unknown; secrets?: unknown };
    if (
      typeof t !== 'object' ||
      t === null ||
      typeof t.url !== 'string' ||
      !/^https?:\/\//.test(t.url) ||
      !Array.isArray(t.secrets) ||
      t.secrets.length === 0 ||
      !t.secrets.every((x) => typeof x === 'string' && WEBHOOK_SECRET.test(x))
    )
      throw bad();
    out[channel] = Object.freeze({ url: t.url, secrets: Object.freeze([...(t.secrets as string[])]) });
  }
  return Object.freeze(out);
}

function parseTemplates(value: string | undefined): Record<string, string> {
  const data = parseJsonSetting('SMS_TEMPLATES', value) ?? {};
  if (
    typeof data !== 'object' ||
    data === null ||
    !Object.values(data as Record<string, unknown>).every((v) => typeof v === 'string' && v.length > 0)
  )
    throw new ConfigError('SMS_TEMPLATES', `SMS_TEMPLATES is invalid: ${HINTS.SMS_TEMPLATES}`);
  return Object.freeze({ ...DEFAULT_SMS_TEMPLATES, ...(data as Record<string, string>) });
}

function deliveryConfig(e: Env): DeliveryConfig {
  const auth = e.SMS_GATEWAY_AUTH?.match(/^([A-Za-z0-9-]+): ?(.*)$/);
  return Object.freeze({
    webhooks: parseWebhooks(e.DELIVERY_WEBHOOKS),
    smtp: e.SMTP_URL ? Object.freeze({ url: e.SMTP_URL, from: e.MAIL_FROM }) : undefined,
    mailboxes: Object.freeze({
      supervisors: e.MAILBOX_SUPERVISORS,
      dispatch_centre: e.MAILBOX_DISPATCH_CENTRE,
      operators: e.MAILBOX_OPERATORS,
    }),
    sms: e.SMS_GATEWAY_URL
      ? Object.freeze({
          url: e.SMS_GATEWAY_URL,
          authHeader: auth ? Object.freeze({ name: auth[1]!, value: auth[2]! }) : undefined,
          templates: parseTemplates(e.SMS_TEMPLATES),
        })
      : undefined,
    maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
    backoffMs: e.DELIVERY_BACKOFF_MS,
    backoffMaxMs: e.DELIVERY_BACKOFF_MAX_MS,
    timeoutMs: e.DELIVERY_TIMEOUT_MS,
    pollMs: e.DELIVERY_POLL_MS,
    concurrency: e.DELIVERY_CONCURRENCY,
    healthPort: e.DELIVERY_HEALTH_PORT,
  });
}

export interface VaultKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Parses `<id>:<base64>,…` (already checked against the pattern); ids must be unique. */
export function parseVaultKeys(
  value: string | undefined,
  setting: 'BIHUAN_VAULT_KEYS' | 'BIHUAN_CODEC_KEYS' = 'BIHUAN_VAULT_KEYS',
): readonly VaultKey[] {
  if (!value) return [];
  const keys = value.split(',').map((entry) => {
    const [id = '', material = ''] = entry.split(':');
    return Object.freeze({ id, key: Buffer.from(material, 'base64') });
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length || keys.some((k) => k.key.length !== 32)) {
    throw new ConfigError(setting, `${setting} is invalid: ${HINTS[setting]} (unique ids)`);
  }
  return Object.freeze(keys);
}

/**
 * Secrets that may come from a file instead (`<SETTING>_FILE=/run/secrets/…`, as Docker and
 * Kubernetes secrets are mounted), so they need not sit in the process environment.
 */
const FROM_FILE = new Set([
  'BIHUAN_VAULT_KEYS',
  'BIHUAN_CODEC_KEYS',
  'JWT_SECRET',
  'TEMPORAL_API_KEY',
  'DELIVERY_WEBHOOKS',
  'SMTP_URL',
  'SMS_GATEWAY_AUTH',
]);

function readSecretFile(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(
      `${setting}_FILE`,
      `${setting}_FILE=${path} cannot be read (${(err as Error).message}): point it at the file holding ${setting}`,
    );
  }
}

/** A setting that is missing or malformed. `message` is the one line shown to the operator. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads and validates the environment. Throws {@link ConfigError} naming the first bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value =
      FROM_FILE.has(key) && env[`${key}_FILE`] ? readSecretFile(key, env[`${key}_FILE`]!) : env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed: unknown = Value.Convert(EnvSchema, Value.Default(EnvSchema, { ...raw }));
  const [firstError] = [...Value.Errors(EnvSchema, parsed)];
  if (firstError) {
    const setting = firstError.instancePath.replace(/^\//, '') as keyof Env;
    const shown =
      env[setting] === undefined && !env[`${setting}_FILE`]
        ? '(unset)'
        : SECRETS.has(setting)
          ? '(hidden)'
          : JSON.stringify(env[setting]);
    throw new ConfigError(setting, `${setting}=${shown} is invalid: ${HINTS[setting] ?? firstError.message}`);
  }
  const e = parsed as Env;
  const mode = e.NODE_ENV;
  if (mode === 'production') {
    if (!e.DATABASE_URL)
      throw new ConfigError('DATABASE_URL', `DATABASE_URL is required in production: ${HINTS.DATABASE_URL}`);
    if (!e.TEMPORAL_ADDRESS)
      throw new ConfigError(
        'TEMPORAL_ADDRESS',
        `TEMPORAL_ADDRESS is required in production: ${HINTS.TEMPORAL_ADDRESS}`,
      );
  }
  if (Boolean(e.TEMPORAL_TLS_CERT_PATH) !== Boolean(e.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError(
      'TEMPORAL_TLS_CERT_PATH',
      'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together: set both for mTLS, or neither',
    );
  }
  const dataDir = resolve(e.DATA_DIR);
  const tls =
    e.TEMPORAL_TLS_CERT_PATH && e.TEMPORAL_TLS_KEY_PATH
      ? { certPath: e.TEMPORAL_TLS_CERT_PATH, keyPath: e.TEMPORAL_TLS_KEY_PATH }
      : e.TEMPORAL_TLS || e.TEMPORAL_API_KEY !== undefined;
  return Object.freeze({
    mode,
    logLevel: e.LOG_LEVEL,
    dataDir,
    api: Object.freeze({
      host: e.HOST,
      port: e.PORT,
      temporalTimeoutMs: e.API_TEMPORAL_TIMEOUT_MS,
      keyCacheMs: e.API_KEY_CACHE_MS,
    }),
    intakeRateLimit: e.INTAKE_RATE_LIMIT,
    jwtSecret: e.JWT_SECRET,
    vaultKeys: parseVaultKeys(e.BIHUAN_VAULT_KEYS),
    codecKeys: parseVaultKeys(e.BIHUAN_CODEC_KEYS, 'BIHUAN_CODEC_KEYS'),
    codecCorsOrigins: Object.freeze(e.BIHUAN_CODEC_CORS_ORIGINS.split(',').map((o) => o.trim())),
    worker: Object.freeze({
      healthPort: e.WORKER_HEALTH_PORT,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    }),
    postgres: Object.freeze(
      e.DATABASE_URL
        ? { kind: 'external' as const, url: e.DATABASE_URL }
        : {
            kind: 'embedded' as const,
            port: e.EMBEDDED_POSTGRES_PORT,
            dataDir: resolve(dataDir, 'postgres'),
          },
    ),
    temporal: Object.freeze({
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls,
      server: Object.freeze(
        e.TEMPORAL_ADDRESS
          ? { kind: 'external' as const, address: e.TEMPORAL_ADDRESS }
          : {
              kind: 'embedded' as const,
              port: e.TEMPORAL_DEV_PORT,
              uiPort: e.TEMPORAL_UI_PORT,
              dbFile: resolve(dataDir, 'temporal.sqlite'),
            },
      ),
    }),
    startupTimeoutMs: e.STARTUP_TIMEOUT_MS,
    policy: Object.freeze({
      defaultId: e.BIHUAN_POLICY,
      dir: resolve(e.BIHUAN_POLICY_DIR ?? projectPath('policies')),
    }),
    delivery: deliveryConfig(e),
    devSinks: Object.freeze({ smtpPort: e.DEV_SMTP_PORT, httpPort: e.DEV_SINK_PORT }),
  });
}

/** The address clients use; for the embedded server, the loopback port it will listen on. */
export function temporalAddress(config: Config): string {
  const server = config.temporal.server;
  return server.kind === 'external' ? server.address : `127.0.0.1:${server.port}`;
}
