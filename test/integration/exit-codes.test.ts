import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/embedded/port.js';
import { REPO_ROOT } from '../support/processes.js';

/**
 * A failing test must fail `npm test` (and so `.ci/run`) by its exit code, not only by its summary
 * line. These run the real `npm test` in a child process on planted test files, through the
 * project's own vitest configuration (global setup, reporters, pools), with only `include` pointed
 * at the planted files — and a passing control, so "non-zero" is not simply what always happens.
 */
const PLANTED_ROOT = join(REPO_ROOT, 'test', '.output');

interface Run {
  readonly code: number | string;
  readonly output: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code, signal) => resolve({ code: code ?? signal ?? -1, output }));
  });
}

/** A vitest config that is the project's own, but collects only the files under `dir`. */
async function plantedConfig(dir: string): Promise<string> {
  const from = relative(REPO_ROOT, dir);
  const file = join(dir, 'vitest.planted.config.ts');
  await writeFile(
    file,
    `import base from ${JSON.stringify(join(REPO_ROOT, 'vitest.config.ts'))};
const projects = (base.test?.projects ?? []).map((p) => {
  const project = p as { test: { name: string } };
  return { ...project, test: { ...project.test, include: [${JSON.stringify(from)} + '/' + project.test.name + '/**/*.test.ts'] } };
});
export default { ...base, root: ${JSON.stringify(REPO_ROOT)}, test: { ...base.test, projects } };
`,
  );
  return file;
}

async function plant(kind: 'unit' | 'integration', body: string): Promise<string> {
  await mkdir(PLANTED_ROOT, { recursive: true });
  const dir = await mkdtemp(join(PLANTED_ROOT, `planted-${kind}-`));
  await mkdir(join(dir, kind));
  await writeFile(
    join(dir, kind, 'planted.test.ts'),
    `import { expect, it } from 'vitest';\nit('is planted', () => { ${body} });\n`,
  );
  return plantedConfig(dir);
}

const npmTest = (config: string) => run('npm', ['test', '--', '--config', config]);

describe('exit codes tell the truth', () => {
  const planted: string[] = [];
  afterAll(async () => {
    for (const dir of planted) await rm(dir, { recursive: true, force: true });
  });
  const plantAndRun = async (kind: 'unit' | 'integration', body: string) => {
    const config = await plant(kind, body);
    planted.push(join(config, '..'));
    const first = await npmTest(config);
    // Once in many CI runs vitest reported "No test files found" for a file written before it
    // started (cause not found; see the session notes). Such a run says nothing about exit codes
    // either way, so it is run once more rather than judged.
    return /No test files found/.test(first.output) ? npmTest(config) : first;
  };

  it('a failing unit test makes `npm test` exit non-zero', { timeout: 300_000 }, async () => {
    const result = await plantAndRun('unit', 'expect(1).toBe(2);');
    expect(result.output).toMatch(/Tests: 0 passed, 1 failed/);
    expect(result.code).not.toBe(0);
  });

  it(
    'a failing integration test (with the global setup that starts PostgreSQL) makes `npm test` exit non-zero',
    { timeout: 300_000 },
    async () => {
      const result = await plantAndRun('integration', 'expect(1).toBe(2);');
      expect(result.output).toMatch(/Tests: 0 passed, 1 failed/);
      expect(result.code).not.toBe(0);
    },
  );

  it('a passing integration test exits 0 (the control)', { timeout: 300_000 }, async () => {
    const result = await plantAndRun('integration', 'expect(1).toBe(1);');
    expect(result.output).toMatch(/Tests: 1 passed, 0 failed/);
    expect(result.code).toBe(0);
  });

  describe('npm start', () => {
    let blocker: Server;
    let port: number;
    let dataDir: string;
    beforeAll(async () => {
      port = await freePort();
      blocker = createServer();
      await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
      dataDir = await mkdtemp(join(tmpdir(), 'bihuan-exit-'));
      await chmod(dataDir, 0o755);
    });
    afterAll(async () => {
      await new Promise<void>((r) => blocker.close(() => r()));
      await rm(dataDir, { recursive: true, force: true });
    });

    it('exits non-zero on a malformed setting', { timeout: 120_000 }, async () => {
      const result = await run('npm', ['start'], { PORT: 'three thousand', LOG_LEVEL: 'silent' });
      expect(result.output).toMatch(/bihuan: PORT="three thousand" is invalid/);
      expect(result.code).not.toBe(0);
    });

    it(
      'exits non-zero when it fails after starting the embedded PostgreSQL',
      { timeout: 240_000 },
      async () => {
        const cli = inject('temporalCli');
        const result = await run('npm', ['start'], {
          DATA_DIR: dataDir,
          EMBEDDED_POSTGRES_PORT: String(await freePort()),
          TEMPORAL_DEV_PORT: String(port),
          LOG_LEVEL: 'silent',
          ...(cli.type === 'existing-path' ? { TEMPORAL_CLI_PATH: cli.path } : {}),
        });
        expect(result.output).toMatch(/bihuan: .*TEMPORAL_DEV_PORT/);
        expect(result.code).not.toBe(0);
      },
    );
  });
});
