import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { commandWorks, runLongCommand } from './run-command.js';
import { toolPath } from './tools-dir.js';

/** The Temporal CLI release built from source when no binary is at hand (server 1.29.1, UI 2.42.1). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;
const binaryName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** How to run the dev server: a binary we found or built, or the SDK's own download (needs internet). */
export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

export type Progress = (message: string) => void;

export const cachedCliPath = (): string => toolPath('temporal-cli', TEMPORAL_CLI_VERSION, binaryName);

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds the Temporal CLI, in this order: `TEMPORAL_CLI_PATH`; `temporal` on PATH; the tools cache;
 * a build into the tools cache with `go install` (minutes, once); the SDK's download.
 * With `build: false` it only looks (used by `npm start` to decide whether setup must run).
 */
export async function resolveTemporalCli(
  opts: { env?: NodeJS.ProcessEnv; progress?: Progress; build?: boolean } = {},
): Promise<ServerExecutable> {
  const env = opts.env ?? process.env;
  const say = opts.progress ?? (() => undefined);
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit))
      throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file: fix or unset it`);
    return { type: 'existing-path', path: explicit };
  }
  const fromPath = onPath(binaryName, env);
  if (fromPath && commandWorks(fromPath, ['--version'])) return { type: 'existing-path', path: fromPath };
  const cached = cachedCliPath();
  if (isExecutable(cached)) return { type: 'existing-path', path: cached };
  if (opts.build === false) return { type: 'cached-download' };

  if (commandWorks('go', ['version'])) {
    try {
      await buildWithGo(cached, env, say);
      return { type: 'existing-path', path: cached };
    } catch (err) {
      say(`building the Temporal CLI failed; falling back to the SDK's download. ${(err as Error).message}`);
    }
  } else {
    say('Go is not installed: the Temporal SDK will download its dev server (needs internet).');
  }
  return { type: 'cached-download' };
}

async function buildWithGo(target: string, env: NodeJS.ProcessEnv, say: Progress): Promise<void> {
  const dir = join(target, '..');
  const staging = `${dir}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  say(
    `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install — once per machine; about 6 minutes on 2 cores with cold Go caches, seconds when warm`,
  );
  let packages = 0;
  try {
    await runLongCommand('go', ['install', '-v', CLI_MODULE], {
      env: { ...env, GOBIN: staging, GOFLAGS: `${env.GOFLAGS ?? ''} -trimpath`.trim() },
      onLine: (line) => {
        if (!line.startsWith('go: ')) packages += 1;
        else if (line.startsWith('go: downloading')) say(line);
      },
      onHeartbeat: (s) => say(`… still building the Temporal CLI (${s} s, ${packages} packages compiled)`),
    });
    await mkdir(join(dir, '..'), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!existsSync(target)) throw new Error(`go install finished but ${target} is missing`);
  say(`Temporal CLI ready at ${target}`);
}
