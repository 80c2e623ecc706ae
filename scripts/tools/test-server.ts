import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandWorks, runLongCommand } from './run-command.js';
import type { Progress, ServerExecutable } from './temporal-cli.js';
import { toolPath } from './tools-dir.js';

/** Pinned release of Temporal's Java time-skipping test server (Maven Central). */
export const TEST_SERVER_VERSION = '1.38.0';

/** Bumped when the wrapper or launcher changes, so existing caches are rebuilt. */
const LAUNCHER_REVISION = 'l1';
export const cachedTestServerPath = (): string =>
  toolPath('temporal-test-server', `${TEST_SERVER_VERSION}-${LAUNCHER_REVISION}`, 'temporal-test-server');
const LAUNCHER_SOURCE = fileURLToPath(new URL('./BihuanTestServer.java', import.meta.url));

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bihuan.tools</groupId>
  <artifactId>temporal-test-server-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;

// The SDK stops the server with SIGKILL on the PID it started: `exec` makes that PID the JVM's,
// so no orphaned JVM outlives a test run. Our launcher (BihuanTestServer.java) adds --start-time.
const WRAPPER = `#!/bin/sh
# Temporal time-skipping test server ${TEST_SERVER_VERSION}; obtained by \`npm run setup\` from Maven Central.
DIR="$(cd "$(dirname "$0")" && pwd)"
if [ -f "$DIR/classes/BihuanTestServer.class" ]; then
  exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$DIR/lib/*:$DIR/classes" BihuanTestServer "$@"
fi
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$DIR/lib/*" io.temporal.testserver.TestServer "$@"
`;

/** True when the test server at `path` is our wrapper with the launcher that takes --start-time. */
export function supportsStartTime(path: string): boolean {
  return existsSync(join(path, '..', 'classes', 'BihuanTestServer.class'));
}

function isReady(wrapper: string): boolean {
  try {
    accessSync(wrapper, constants.X_OK);
    return readdirSync(join(wrapper, '..', 'lib')).some((f) => f.startsWith('temporal-test-server'));
  } catch {
    return false;
  }
}

/**
 * Finds the time-skipping test server, in this order: `TEMPORAL_TEST_SERVER_PATH`; the tools cache;
 * jars fetched with Maven behind an `exec java` wrapper (≈25 s, once); the SDK's download.
 */
export async function resolveTestServer(
  opts: { env?: NodeJS.ProcessEnv; progress?: Progress; fetch?: boolean } = {},
): Promise<ServerExecutable> {
  const env = opts.env ?? process.env;
  const say = opts.progress ?? (() => undefined);
  const explicit = env.TEMPORAL_TEST_SERVER_PATH;
  if (explicit) {
    if (!existsSync(explicit))
      throw new Error(`TEMPORAL_TEST_SERVER_PATH=${explicit} does not exist: fix or unset it`);
    return { type: 'existing-path', path: explicit };
  }
  const wrapper = cachedTestServerPath();
  if (isReady(wrapper)) return { type: 'existing-path', path: wrapper };
  if (opts.fetch === false) return { type: 'cached-download' };
  if (process.platform !== 'win32' && commandWorks('java', ['-version']) && commandWorks('mvn', ['-v'])) {
    try {
      await fetchWithMaven(wrapper, say);
      return { type: 'existing-path', path: wrapper };
    } catch (err) {
      say(
        `fetching the test server with Maven failed; falling back to the SDK's download. ${(err as Error).message}`,
      );
    }
  } else {
    say(
      'Java and Maven are not both installed: the Temporal SDK will download its test server (needs internet).',
    );
  }
  return { type: 'cached-download' };
}

async function fetchWithMaven(wrapper: string, say: Progress): Promise<void> {
  const dir = join(wrapper, '..');
  const staging = `${dir}.fetching-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    say(
      `fetching the Temporal test server ${TEST_SERVER_VERSION} with Maven (≈40 MB of jars, about 30 s once)`,
    );
    await writeFile(join(staging, 'pom.xml'), POM);
    const mvnArgs = [
      '-B',
      '-q',
      '-f',
      join(staging, 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
    ];
    await runLongCommand('mvn', [...mvnArgs, `-DoutputDirectory=${join(staging, 'lib')}`], {
      onHeartbeat: (s) => say(`… still fetching the test server (${s} s)`),
      heartbeatMs: 15_000,
    });
    if (commandWorks('javac', ['-version'])) {
      await runLongCommand('javac', [
        '-d',
        join(staging, 'classes'),
        '-cp',
        `${join(staging, 'lib')}/*`,
        LAUNCHER_SOURCE,
      ]);
    } else {
      say('javac is not installed: tests that need the server to start on a chosen date will be skipped');
    }
    await writeFile(join(staging, 'temporal-test-server'), WRAPPER);
    await chmod(join(staging, 'temporal-test-server'), 0o755);
    await rm(join(staging, 'pom.xml'));
    await mkdir(join(dir, '..'), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  say(`Temporal test server ready at ${wrapper}`);
}
