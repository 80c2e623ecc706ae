/**
 * The production-like deployment (docker-compose.yml, Dockerfile, deploy/), checked by reading the
 * files: no Docker engine runs here. Each test states one property the stack must keep.
 */
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../infra/config.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const repoPath = (path: string) => new URL(`../../${path}`, import.meta.url);

// ---- docker-compose.yml --------------------------------------------------------------------------

interface Healthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}
interface Service {
  image?: string;
  entrypoint?: string[];
  deploy?: { replicas?: number };
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  restart?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
}
interface Compose {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const composeText = read('docker-compose.yml');
// `merge: true`: the file shares settings through YAML merge keys (`<<: *anchor`), as Compose does.
const compose = parse(composeText, { merge: true }) as Compose;
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`no service ${name} in docker-compose.yml`);
  return s;
};

/**
 * Every variable docker-compose.yml interpolates, documented: required (compose refuses to run
 * without it) or with its default. Adding a `${VAR}` to the compose file means adding it here and
 * to deploy/env.example.
 */
const COMPOSE_VARIABLES: Record<string, { required: true } | { default: string }> = {
  // secrets of later issues: never defaulted
  BIHUAN_VAULT_KEYS: { required: true },
  BIHUAN_CODEC_KEYS: { required: true },
  // PostgreSQL passwords: clearly marked development defaults, overridable
  POSTGRES_PASSWORD: { default: 'dev-only-postgres' },
  BIHUAN_DB_PASSWORD: { default: 'dev-only-bihuan' },
  TEMPORAL_DB_PASSWORD: { default: 'dev-only-temporal' },
  // plain settings
  TEMPORAL_NAMESPACE: { default: 'default' },
  TEMPORAL_TASK_QUEUE: { default: 'bihuan-reports' },
  TEMPORAL_NAMESPACE_RETENTION: { default: '720h' },
  TEMPORAL_UI_CORS_ORIGINS: { default: 'http://localhost:8233' },
  LOG_LEVEL: { default: 'info' },
  // API: optional JWTs (unset: API keys only), the intake rate limit
  JWT_SECRET: { default: '' },
  INTAKE_RATE_LIMIT: { default: '600' },
  // Delivery channels: each optional (unset: that channel is not used)
  DELIVERY_WEBHOOKS: { default: '' },
  SMTP_URL: { default: '' },
  MAIL_FROM: { default: '' },
  MAILBOX_SUPERVISORS: { default: '' },
  MAILBOX_DISPATCH_CENTRE: { default: '' },
  MAILBOX_OPERATORS: { default: '' },
  SMS_GATEWAY_URL: { default: '' },
  SMS_GATEWAY_AUTH: { default: '' },
  SMS_TEMPLATES: { default: '' },
};

interface VariableUse {
  name: string;
  operator: ':-' | ':?' | '-' | '?' | undefined;
  argument: string;
}
/** Compose interpolation `${NAME}`, `${NAME:-default}`, `${NAME:?message}`; `$$` is a literal `$`. */
const INTERPOLATION = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;
const variableUses = (text: string): VariableUse[] =>
  [...text.matchAll(INTERPOLATION)].map((m) => ({
    name: m[1]!,
    operator: m[2] as VariableUse['operator'],
    argument: m[3] ?? '',
  }));
/** Every string value of the file (Compose interpolates values, not comments), anchors included. */
const stringValues = (node: unknown): string[] => {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(stringValues);
  if (node !== null && typeof node === 'object') return Object.values(node).flatMap(stringValues);
  return [];
};
const composeValues = stringValues(parse(composeText));

/** What Compose would substitute, given the operator's environment. */
const interpolate = (value: string | number, env: Record<string, string>): string =>
  String(value).replace(
    INTERPOLATION,
    (_whole, name: string, operator: string | undefined, arg: string | undefined) => {
      const set = env[name];
      if (set !== undefined && set !== '') return set;
      if (operator === ':-' || operator === '-') return arg ?? '';
      if (operator === ':?' || operator === '?') throw new Error(`compose would stop: ${name} ${arg ?? ''}`);
      return '';
    },
  );

/** Environment of a service as the container would see it (defaults applied, secrets given). */
const containerEnv = (name: string, operatorEnv: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, interpolate(v, operatorEnv)]),
  );
// A well-formed vault key (<id>:<base64 of 32 bytes>): the services validate its format at start-up.
const TEST_VAULT_KEYS = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const TEST_CODEC_KEYS = `c1:${Buffer.alloc(32, 2).toString('base64')}`;
const SECRETS = { BIHUAN_VAULT_KEYS: TEST_VAULT_KEYS, BIHUAN_CODEC_KEYS: TEST_CODEC_KEYS };

/** The Temporal server's roles, and the jobs that run once (schema, namespace) and exit. */
const SERVER_ROLES = ['temporal', 'temporal-history', 'temporal-matching', 'temporal-system-worker'];
const ONE_SHOT = ['temporal-namespace', 'temporal-schema'];

const healthPortOf = (s: Service): number => {
  const url = /http:\/\/127\.0\.0\.1:(\d+)\/ready/.exec(s.healthcheck?.test.join(' ') ?? '');
  if (!url) throw new Error('health check does not fetch /ready on 127.0.0.1');
  return Number(url[1]);
};

describe('docker-compose.yml: the services', () => {
  it('runs PostgreSQL, a Temporal cluster with its Web UI, the API, the workers and the delivery relay, as project "bihuan"', () => {
    expect(compose.name).toBe('bihuan');
    expect(Object.keys(compose.services).sort()).toEqual(
      ['api', 'delivery', 'postgres', ...ONE_SHOT, ...SERVER_ROLES, 'temporal-ui', 'worker'].sort(),
    );
  });

  it('runs Temporal as `npm run cluster` does: four server roles, each its own container, on 4 history shards', () => {
    expect(SERVER_ROLES.map((name) => containerEnv(name, SECRETS).TEMPORAL_SERVICES).sort()).toEqual([
      'frontend',
      'history',
      'matching',
      'worker',
    ]);
    for (const name of SERVER_ROLES) {
      const env = containerEnv(name, SECRETS);
      // Older images read SERVICES, newer ones TEMPORAL_SERVICES: both name the same role.
      expect(env.SERVICES, name).toBe(env.TEMPORAL_SERVICES);
      expect(env.NUM_HISTORY_SHARDS, name).toBe('4');
    }
    // Clients (the API, the workers, the UI, the CLI) reach the frontend by the name `temporal`.
    expect(containerEnv('temporal', SECRETS).TEMPORAL_SERVICES).toBe('frontend');
    expect(containerEnv('temporal-system-worker', SECRETS).PUBLIC_FRONTEND_ADDRESS).toBe('temporal:7233');
  });

  it('runs two Bihuan workers on the one task queue', () => {
    expect(service('worker').deploy?.replicas).toBe(2);
  });

  it('uses the official images, pinned to the server version `npm run cluster` builds (1.29.1)', () => {
    expect(service('postgres').image).toBe('postgres:17');
    for (const name of SERVER_ROLES) expect(service(name).image, name).toBe('temporalio/server:1.29.1');
    for (const name of ONE_SHOT) expect(service(name).image, name).toBe('temporalio/admin-tools:1.29.1');
    expect(service('temporal-ui').image).toBe('temporalio/ui:2.42.1');
    expect(read('scripts/tools/temporal-server.ts')).toContain("'v1.29.1'");
  });

  it('builds the API and the worker as one image from the project Dockerfile, each with its own command', () => {
    for (const name of ['api', 'worker', 'delivery']) {
      expect(service(name).build).toEqual({ context: '.', dockerfile: 'Dockerfile', target: 'runtime' });
      expect(service(name).image).toBe(service('api').image);
    }
    expect(service('api').command).toEqual(['node', 'dist/api/main.js']);
    expect(service('worker').command).toEqual(['node', 'dist/worker/main.js']);
    expect(service('delivery').command).toEqual(['node', 'dist/delivery/main.js']);
  });

  it('restarts every service unless an operator stopped it; the one-shot jobs until they succeed', () => {
    for (const [name, s] of Object.entries(compose.services))
      expect(s.restart, name).toBe(ONE_SHOT.includes(name) ? 'on-failure' : 'unless-stopped');
  });
});

describe('docker-compose.yml: what is reachable from the host', () => {
  it('publishes the API on port 3000', () => {
    expect(service('api').ports).toEqual(['3000:3000']);
  });

  it('publishes the Temporal Web UI (8080 in the container) on 8233, like the dev setup, on loopback only: it has no login', () => {
    expect(service('temporal-ui').ports).toEqual(['127.0.0.1:8233:8080']);
  });

  it('publishes nothing else: PostgreSQL, the Temporal roles and the workers stay on the compose network', () => {
    for (const name of Object.keys(compose.services).filter((n) => n !== 'api' && n !== 'temporal-ui'))
      expect(service(name).ports, name).toBeUndefined();
  });
});

describe('docker-compose.yml: health and start-up order', () => {
  it('gives every long-running service a health check, but the server roles (their image has no CLI)', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (ONE_SHOT.includes(name) || SERVER_ROLES.includes(name)) {
        expect(s.healthcheck, name).toBeUndefined();
        continue;
      }
      expect(s.healthcheck?.test[0], name).toMatch(/^CMD(-SHELL)?$/);
      expect(s.healthcheck?.test.length, name).toBeGreaterThan(1);
    }
  });

  it('calls PostgreSQL healthy when it accepts TCP connections, i.e. after the init scripts ran', () => {
    const test = service('postgres').healthcheck!.test;
    expect(test.slice(0, 2)).toEqual(['CMD', 'pg_isready']);
    expect(test).toContain('--host=127.0.0.1');
  });

  it('calls Temporal ready when the namespace job exits 0: the frontend served and Bihuan’s namespace is usable', () => {
    expect(service('temporal-namespace').entrypoint).toEqual(['/bin/sh', '/bihuan/create-namespace.sh']);
    expect(service('temporal-namespace').volumes).toEqual([
      './deploy/temporal/create-namespace.sh:/bihuan/create-namespace.sh:ro',
    ]);
    const script = read('deploy/temporal/create-namespace.sh');
    expect(script).toContain('temporal operator cluster health --address "$ADDRESS"');
    expect(script).toContain('temporal operator namespace create --namespace "$NAMESPACE"');
    expect(script).toContain('temporal operator search-attribute list --namespace "$NAMESPACE"');
    expect(containerEnv('temporal-namespace', SECRETS).TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('installs or upgrades the Temporal schemas in a job every server role waits for', () => {
    expect(service('temporal-schema').entrypoint).toEqual(['/bin/sh', '/bihuan/setup-schema.sh']);
    expect(service('temporal-schema').depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(service('temporal-history').depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    // History first, then matching, the frontend and the system worker, one after the other.
    expect(service('temporal-matching').depends_on).toEqual({
      'temporal-history': { condition: 'service_started' },
    });
    expect(service('temporal').depends_on).toEqual({ 'temporal-matching': { condition: 'service_started' } });
    expect(service('temporal-system-worker').depends_on).toEqual({
      temporal: { condition: 'service_started' },
    });
    const script = read('deploy/temporal/setup-schema.sh');
    expect(script).toContain('setup-schema -v 0.0');
    expect(script).toContain('update-schema -d "${SCHEMA_DIR}/${schema}/versioned"');
    for (const path of ['deploy/temporal/setup-schema.sh', 'deploy/temporal/create-namespace.sh'])
      expect(statSync(repoPath(path)).mode & 0o111, path).not.toBe(0);
  });

  it('calls the Web UI healthy when its /healthz answers', () => {
    expect(service('temporal-ui').healthcheck!.test.join(' ')).toMatch(
      /^CMD curl --fail .*http:\/\/127\.0\.0\.1:8080\/healthz$/,
    );
  });

  it('calls the API healthy when GET /ready on its PORT answers 2xx (Temporal and PostgreSQL reachable)', () => {
    const api = service('api');
    expect(api.healthcheck!.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(healthPortOf(api)).toBe(Number(containerEnv('api', SECRETS).PORT));
    expect(api.healthcheck!.test[3]).toContain('process.exit(r.ok?0:1)');
  });

  it('calls the worker healthy when GET /ready on its WORKER_HEALTH_PORT answers 2xx', () => {
    const worker = service('worker');
    expect(worker.healthcheck!.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(healthPortOf(worker)).toBe(Number(containerEnv('worker', SECRETS).WORKER_HEALTH_PORT));
  });

  it('starts the Web UI only once Temporal is ready', () => {
    expect(service('temporal-ui').depends_on).toEqual({
      'temporal-namespace': { condition: 'service_completed_successfully' },
    });
  });

  it('starts the API and the workers only once PostgreSQL is healthy and Temporal ready', () => {
    for (const name of ['api', 'worker']) {
      expect(service(name).depends_on, name).toEqual({
        postgres: { condition: 'service_healthy' },
        'temporal-namespace': { condition: 'service_completed_successfully' },
      });
    }
  });

  it('makes nothing wait for the API or the worker, and PostgreSQL wait for nothing', () => {
    for (const s of Object.values(compose.services)) {
      expect(Object.keys(s.depends_on ?? {})).not.toContain('api');
      expect(Object.keys(s.depends_on ?? {})).not.toContain('worker');
    }
    expect(service('postgres').depends_on).toBeUndefined();
  });
});

describe('docker-compose.yml: configuration of the API and the worker', () => {
  for (const name of ['api', 'worker']) {
    it(`${name}: production mode, PostgreSQL service's bihuan database, Temporal at temporal:7233`, () => {
      const env = containerEnv(name, SECRETS);
      expect(env.NODE_ENV).toBe('production');
      expect(env.HOST).toBe('0.0.0.0');
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      const db = new URL(env.DATABASE_URL!);
      expect([db.protocol, db.username, db.hostname, db.port, db.pathname]).toEqual([
        'postgres:',
        'bihuan',
        'postgres',
        '5432',
        '/bihuan',
      ]);
      expect(db.password).toBe('dev-only-bihuan');
    });

    it(`${name}: its environment passes the service's own configuration check`, () => {
      const config = loadConfig(containerEnv(name, SECRETS));
      expect(config.mode).toBe('production');
      expect(config.postgres.kind).toBe('external');
      expect(config.temporal.server).toEqual({ kind: 'external', address: 'temporal:7233' });
      expect(config.temporal.namespace).toBe('default');
      expect(config.temporal.taskQueue).toBe('bihuan-reports');
    });

    it(`${name}: receives the vault and codec keys from the operator's environment`, () => {
      const env = containerEnv(name, SECRETS);
      expect(env.BIHUAN_VAULT_KEYS).toBe(TEST_VAULT_KEYS);
      expect(env.BIHUAN_CODEC_KEYS).toBe(TEST_CODEC_KEYS);
    });

    it(`${name}: runs hardened (read-only root filesystem, no capabilities, no privilege escalation)`, () => {
      const s = service(name);
      expect(s.read_only).toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
      expect(s.security_opt).toContain('no-new-privileges:true');
    });
  }

  it('the API listens on 3000, the worker serves its health on 3001', () => {
    expect(loadConfig(containerEnv('api', SECRETS)).api).toEqual({
      host: '0.0.0.0',
      port: 3000,
      temporalTimeoutMs: 15_000,
      keyCacheMs: 5000,
    });
    expect(loadConfig(containerEnv('worker', SECRETS)).worker.healthPort).toBe(3001);
  });

  it('the DATABASE_URL password is the one the postgres service gives the bihuan role', () => {
    const operator = { ...SECRETS, BIHUAN_DB_PASSWORD: '0123abcd' };
    expect(new URL(containerEnv('api', operator).DATABASE_URL!).password).toBe('0123abcd');
    expect(containerEnv('postgres', operator).BIHUAN_DB_PASSWORD).toBe('0123abcd');
  });

  it('the API, the worker, Temporal and its UI agree on the namespace, and follow TEMPORAL_NAMESPACE', () => {
    for (const operator of [SECRETS, { ...SECRETS, TEMPORAL_NAMESPACE: 'bihuan-prod' }]) {
      const expected = operator === SECRETS ? 'default' : 'bihuan-prod';
      expect(containerEnv('api', operator).TEMPORAL_NAMESPACE).toBe(expected);
      expect(containerEnv('worker', operator).TEMPORAL_NAMESPACE).toBe(expected);
      expect(containerEnv('temporal-namespace', operator).TEMPORAL_NAMESPACE).toBe(expected);
      expect(containerEnv('temporal-ui', operator).TEMPORAL_DEFAULT_NAMESPACE).toBe(expected);
    }
  });

  it('refuses to start without the vault or codec keys', () => {
    expect(() => containerEnv('api', {})).toThrow(/BIHUAN_VAULT_KEYS/);
    expect(() => containerEnv('worker', { BIHUAN_VAULT_KEYS: 'k' })).toThrow(/BIHUAN_CODEC_KEYS/);
  });
});

describe('docker-compose.yml: PostgreSQL and Temporal', () => {
  const initScriptPath = 'deploy/postgres/initdb/10-bihuan-databases.sh';
  const initScript = read(initScriptPath);

  it('keeps PostgreSQL data in a named volume and creates the databases with the mounted init script', () => {
    const volumes = service('postgres').volumes;
    expect(volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(volumes).toContain('./deploy/postgres/initdb:/docker-entrypoint-initdb.d:ro');
    expect(compose.volumes).toHaveProperty('postgres-data');
    expect(statSync(repoPath(initScriptPath)).mode & 0o111).not.toBe(0);
  });

  it('the init script gives Bihuan and Temporal each their own non-superuser role and databases', () => {
    expect(initScript).toMatch(/CREATE ROLE bihuan LOGIN PASSWORD :'bihuan_password';/);
    expect(initScript).toMatch(/CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';/);
    expect(initScript).toMatch(/CREATE DATABASE bihuan OWNER bihuan;/);
    expect(initScript).toMatch(/CREATE DATABASE temporal OWNER temporal;/);
    expect(initScript).toMatch(/CREATE DATABASE temporal_visibility OWNER temporal;/);
    expect(initScript).not.toMatch(/SUPERUSER|CREATEDB|CREATEROLE/);
    for (const db of ['bihuan', 'temporal', 'temporal_visibility']) {
      expect(initScript).toContain(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`);
    }
  });

  it('the init script reads the passwords the postgres service is given', () => {
    const env = service('postgres').environment ?? {};
    for (const variable of ['BIHUAN_DB_PASSWORD', 'TEMPORAL_DB_PASSWORD']) {
      expect(env).toHaveProperty(variable);
      expect(initScript).toContain(`"$${variable}"`);
    }
  });

  it('runs Temporal on PostgreSQL with the temporal role, on the databases the init script made', () => {
    for (const name of [...SERVER_ROLES, 'temporal-schema']) {
      const env = containerEnv(name, SECRETS);
      expect(env, name).toMatchObject({
        DB: 'postgres12',
        DB_PORT: '5432',
        POSTGRES_SEEDS: 'postgres',
        POSTGRES_USER: 'temporal',
        POSTGRES_PWD: 'dev-only-temporal',
        DBNAME: 'temporal',
        VISIBILITY_DBNAME: 'temporal_visibility',
      });
      expect(env.POSTGRES_PWD).toBe(containerEnv('postgres', SECRETS).TEMPORAL_DB_PASSWORD);
    }
  });

  it('loads the dynamic config from deploy/temporal, read-only, in every server role, with the features Bihuan uses switched on', () => {
    for (const name of SERVER_ROLES) {
      const path = containerEnv(name, SECRETS).DYNAMIC_CONFIG_FILE_PATH;
      expect(service(name).volumes, name).toEqual([`./deploy/temporal/dynamicconfig.yaml:${path}:ro`]);
    }
    const dynamic = parse(read('deploy/temporal/dynamicconfig.yaml')) as Record<string, { value: unknown }[]>;
    expect(dynamic['frontend.enableUpdateWorkflowExecution']?.[0]?.value).toBe(true);
    expect(dynamic['frontend.enableExecuteMultiOperation']?.[0]?.value).toBe(true);
    for (const [key, values] of Object.entries(dynamic)) expect(Array.isArray(values), key).toBe(true);
  });

  it('points the Web UI at the Temporal frontend', () => {
    expect(containerEnv('temporal-ui', SECRETS)).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_CORS_ORIGINS: 'http://localhost:8233',
    });
  });
});

describe('docker-compose.yml: variables and secrets', () => {
  const uses = composeValues.flatMap(variableUses);

  it('reads only documented variables, each with one meaning: required everywhere or the same default everywhere', () => {
    for (const use of uses) {
      const documented = COMPOSE_VARIABLES[use.name];
      expect(documented, `\${${use.name}} is not in COMPOSE_VARIABLES`).toBeDefined();
      if (documented && 'required' in documented) expect(use.operator, use.name).toBe(':?');
      if (documented && 'default' in documented)
        expect([use.operator, use.argument], use.name).toEqual([':-', documented.default]);
    }
  });

  it('uses every documented variable (the list has nothing stale)', () => {
    expect(new Set(uses.map((u) => u.name))).toEqual(new Set(Object.keys(COMPOSE_VARIABLES)));
  });

  it('never hard-codes a secret: vault and codec keys are required, with a message pointing to the docs', () => {
    for (const use of uses.filter((u) => u.name === 'BIHUAN_VAULT_KEYS' || u.name === 'BIHUAN_CODEC_KEYS')) {
      expect(use.operator).toBe(':?');
      expect(use.argument).toMatch(/^set \w+ .*see deploy\/env\.example$/);
    }
  });

  it('marks every default password as development-only', () => {
    for (const [name, spec] of Object.entries(COMPOSE_VARIABLES)) {
      if (/PASSWORD/.test(name)) expect('default' in spec && spec.default, name).toMatch(/^dev-only-/);
    }
  });

  it('uses no bare $VAR (only ${VAR…}, or $$ for a literal dollar)', () => {
    for (const value of composeValues) expect(value.replaceAll('$$', '')).not.toMatch(/\$(?!\{)/);
  });

  it('documents every variable in deploy/env.example, the template of the operator’s .env', () => {
    const example = read('deploy/env.example');
    for (const name of Object.keys(COMPOSE_VARIABLES))
      expect(example, name).toMatch(new RegExp(`^#?${name}=`, 'm'));
    // the template holds no secret values
    expect(example).toMatch(/^BIHUAN_VAULT_KEYS=$/m);
    expect(example).toMatch(/^BIHUAN_CODEC_KEYS=$/m);
  });
});

// ---- Dockerfile ------------------------------------------------------------------------------------

interface Instruction {
  stage: string;
  keyword: string;
  args: string;
}
/** Instructions of the Dockerfile, continuation lines joined, comments dropped, each tagged with its stage. */
const dockerfile = (() => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '' && !l.startsWith('#'));
  let stage = '(global)';
  return lines.map((line): Instruction => {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const from = /^(\S+)\s+AS\s+(\S+)$/i.exec(args);
    if (keyword.toUpperCase() === 'FROM') stage = from?.[2] ?? args;
    return { stage, keyword: keyword.toUpperCase(), args };
  });
})();
const inStage = (stage: string, keyword?: string) =>
  dockerfile.filter((i) => i.stage === stage && (keyword === undefined || i.keyword === keyword));
const globalArgs = Object.fromEntries(
  inStage('(global)', 'ARG').map((i) => {
    const [name = '', value = ''] = i.args.split('=');
    return [name, value];
  }),
);
const baseImageOf = (stage: string): string => {
  const from = inStage(stage, 'FROM')[0];
  if (!from) throw new Error(`no stage ${stage}`);
  return from.args.split(/\s+/)[0]!.replace(/\$\{(\w+)\}/g, (_m, name: string) => globalArgs[name] ?? '');
};

describe('Dockerfile', () => {
  it('builds in stages: all dependencies, the build, runtime dependencies, and a slim runtime', () => {
    expect(inStage('deps', 'RUN').map((i) => i.args)).toContain(
      '--mount=type=cache,target=/root/.npm,sharing=locked npm ci',
    );
    expect(inStage('build', 'RUN').map((i) => i.args)).toContain('npm run build');
    expect(inStage('prod-deps', 'RUN').some((i) => /npm ci --omit=dev\b/.test(i.args))).toBe(true);
    expect(dockerfile.at(-1)?.stage).toBe('runtime');
  });

  it('runs on the pinned Node LTS, Debian slim: node:26-bookworm-slim', () => {
    expect(globalArgs.NODE_VERSION).toBe('26');
    expect(baseImageOf('runtime')).toBe('node:26-bookworm-slim');
    expect(baseImageOf('base')).toBe('node:26-bookworm-slim');
  });

  it('runs as the unprivileged node user, in production mode', () => {
    const users = inStage('runtime', 'USER').map((i) => i.args);
    expect(users.at(-1)).toBe('node');
    expect(users).not.toContain('root');
    expect(
      inStage('runtime', 'ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/\bNODE_ENV=production\b/);
  });

  it('ships runtime dependencies only, plus what the build assembled in /runtime', () => {
    expect(inStage('runtime', 'COPY').map((i) => i.args)).toEqual([
      '--from=prod-deps /app/node_modules ./node_modules',
      '--from=build /runtime/ ./',
    ]);
  });

  it('assembles package.json, dist/, migrations and policy data, also under dist/ where compiled modules look', () => {
    const assemble = inStage('build', 'RUN').at(-1)!.args;
    // dist/infra/database.js resolves `../migrations`, i.e. dist/migrations
    expect(assemble).toContain('for dir in migrations policies; do');
    expect(assemble).toContain('cp -R "$dir/." "dist/$dir/"');
    expect(assemble).toContain('cp -R package.json dist migrations /runtime/');
    expect(assemble).toContain('if [ -d policies ]; then cp -R policies /runtime/; fi');
    for (const entry of ['dist/api/main.js', 'dist/worker/main.js', 'dist/workflow-bundle.js']) {
      expect(assemble).toContain(`test -f /runtime/${entry}`);
    }
  });

  it('starts the API by default', () => {
    expect(inStage('runtime', 'CMD').map((i) => i.args)).toEqual(['["node", "dist/api/main.js"]']);
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  /** Docker's rule: a pattern (anchored at the context root) excludes a path or any folder above it; last match wins. */
  const toRegExp = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/^!/, '')
        .replace(/\/$/, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replaceAll('\u0000', '(?:.*/)?')}$`,
    );
  const rules = patterns.map((p) => ({ exclude: !p.startsWith('!'), re: toRegExp(p) }));
  const isIgnored = (path: string): boolean => {
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) ignored = rule.exclude;
    return ignored;
  };

  it('keeps host builds, local state, secrets, VCS data and tests out of the build context', () => {
    for (const path of [
      'node_modules/fastify/package.json',
      'dist/api/main.js',
      'data/postgres/PG_VERSION',
      '.tools/temporal-cli/v1.5.1/temporal',
      '.git/HEAD',
      '.env',
      '.env.production',
      'coverage/index.html',
      'test/unit/config.test.ts',
      'test/.output/run.log',
      'bench/.output/result.json',
      'server.log',
    ]) {
      expect(isIgnored(path), path).toBe(true);
    }
  });

  it('keeps everything `npm ci` and `npm run build` need in the context', () => {
    for (const path of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'api/main.ts',
      'worker/main.ts',
      'workflows/index.ts',
      'activities/index.ts',
      'infra/config.ts',
      'domain/policy.ts',
      'policies/district-default.v1.json',
      'migrations/20261123000000_report-lifecycle.sql',
      'scripts/bundle-workflows.ts',
    ]) {
      expect(isIgnored(path), path).toBe(false);
    }
  });
});
