import { accessSync, constants, existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { commandWorks, runLongCommand } from './run-command.js';
import { toolPath } from './tools-dir.js';

/**
 * The Temporal server itself — not the CLI's dev server — and its SQL schema tool, for the cluster
 * profile (`npm run cluster`): the same release as the dev server's, built from source with
 * `go install` into `.tools/temporal-server/<version>/` (minutes once, seconds with a warm Go
 * cache), with the PostgreSQL schemas copied beside them from the module. Official images hold the
 * same binaries; this is how a machine without a registry gets them.
 */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';

export interface TemporalServerTools {
  readonly server: string;
  readonly sqlTool: string;
  /** `<dir>/temporal/versioned` and `<dir>/visibility/versioned`: PostgreSQL 12+ schemas. */
  readonly schemaDir: string;
}

const dir = () => toolPath('temporal-server', TEMPORAL_SERVER_VERSION);
const toolsIn = (base: string): TemporalServerTools => ({
  server: join(base, 'server'),
  sqlTool: join(base, 'temporal-sql-tool'),
  schemaDir: join(base, 'schema', 'postgresql', 'v12'),
});

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The cached tools, building them first when they are missing (`build: false` only looks). */
export async function resolveTemporalServer(
  opts: { progress?: (m: string) => void; build?: boolean } = {},
): Promise<TemporalServerTools | undefined> {
  const say = opts.progress ?? (() => undefined);
  const tools = toolsIn(dir());
  if (executable(tools.server) && executable(tools.sqlTool) && existsSync(tools.schemaDir)) return tools;
  if (opts.build === false) return undefined;
  if (!commandWorks('go', ['version']))
    throw new Error('the cluster profile builds the Temporal server with Go: install Go ≥ 1.23');
  const staging = `${dir()}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  say(
    `building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with go install — once per machine; about 8 minutes on 2 cores with cold Go caches, a minute when warm`,
  );
  try {
    const env = { ...process.env, GOBIN: staging, GOFLAGS: `${process.env.GOFLAGS ?? ''} -trimpath`.trim() };
    let packages = 0;
    for (const cmd of ['cmd/server', 'cmd/tools/sql']) {
      await runLongCommand('go', ['install', '-v', `${MODULE}/${cmd}@${TEMPORAL_SERVER_VERSION}`], {
        env,
        onLine: (line) => {
          if (!line.startsWith('go: ')) packages += 1;
          else if (line.startsWith('go: downloading')) say(line);
        },
        onHeartbeat: (s) =>
          say(`… still building the Temporal server (${s} s, ${packages} packages compiled)`),
      });
    }
    await rename(join(staging, 'sql'), join(staging, 'temporal-sql-tool'));
    const modDir = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], {
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    }).stdout.trim();
    if (!modDir || !existsSync(join(modDir, 'schema', 'postgresql', 'v12')))
      throw new Error(`the schema of ${MODULE}@${TEMPORAL_SERVER_VERSION} is not in the Go module cache`);
    await cp(join(modDir, 'schema', 'postgresql', 'v12'), join(staging, 'schema', 'postgresql', 'v12'), {
      recursive: true,
    });
    // The module cache is read-only; the copy need not be (so that deleting .tools/ just works).
    spawnSync('chmod', ['-R', 'u+w', join(staging, 'schema')]);
    await rm(dir(), { recursive: true, force: true });
    await mkdir(join(dir(), '..'), { recursive: true });
    await rename(staging, dir());
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  say(`Temporal server ready at ${tools.server}`);
  return tools;
}
