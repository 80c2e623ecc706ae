import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../infra/project-paths.js';
import { describe, expect, inject, it, beforeAll, afterAll } from 'vitest';
import { freePort } from '../../scripts/embedded/port.js';
import { spawnEntry } from '../support/processes.js';

/**
 * A bad setting, an unreachable dependency or a taken port: one clear line naming the setting and
 * the fix, a non-zero exit, and no stack trace. The process must end by itself: how soon is
 * STARTUP_TIMEOUT_MS's job (5 s here), and the test's own timeout is generous, because two busy
 * cores make any tight wall-clock bound flaky.
 */
async function expectCleanFailure(entry: string, env: Record<string, string>, setting: RegExp) {
  const run = spawnEntry(entry, { LOG_LEVEL: 'silent', STARTUP_TIMEOUT_MS: '5000', ...env });
  const code = await run.exited;
  const lines = run.output().trim().split('\n');
  expect(code).not.toBe(0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bihuan: /);
  expect(lines[0]).toMatch(setting);
  expect(run.output()).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe('start-up failures are one clear line, never a hang or a stack trace', { timeout: 120_000 }, () => {
  let postgresUrl: string;
  let temporalAddress: string;
  beforeAll(() => {
    postgresUrl = inject('postgresAdminUrl');
    temporalAddress = inject('temporalAddress');
  });

  it('names TEMPORAL_ADDRESS when nothing answers there', async () => {
    const closed = await freePort();
    const line = await expectCleanFailure(
      'api/main.ts',
      { DATABASE_URL: postgresUrl, TEMPORAL_ADDRESS: `127.0.0.1:${closed}`, PORT: String(await freePort()) },
      /TEMPORAL_ADDRESS/,
    );
    expect(line).toContain(`127.0.0.1:${closed}`);
  });

  it('names DATABASE_URL when PostgreSQL cannot be reached', async () => {
    const closed = await freePort();
    await expectCleanFailure(
      'worker/main.ts',
      {
        DATABASE_URL: `postgres://nobody:wrong@127.0.0.1:${closed}/bihuan`,
        TEMPORAL_ADDRESS: temporalAddress,
      },
      /cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/bihuan .*DATABASE_URL/,
    );
  });

  it('names DATABASE_URL when PostgreSQL refuses the credentials', async () => {
    const wrong = postgresUrl.replace(/\/\/[^@]+@/, '//bihuan:not-the-password@');
    await expectCleanFailure(
      'api/main.ts',
      { DATABASE_URL: wrong, TEMPORAL_ADDRESS: temporalAddress },
      /DATABASE_URL/,
    );
  });

  it('names a malformed setting before connecting to anything', async () => {
    await expectCleanFailure('api/main.ts', { PORT: 'three thousand' }, /PORT="three thousand" is invalid/);
    await expectCleanFailure(
      'api/main.ts',
      { DATABASE_URL: 'mysql://db/x', TEMPORAL_ADDRESS: 'x:1' },
      /DATABASE_URL/,
    );
  });

  it('names BIHUAN_POLICY, the file and the field when a policy file is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bihuan-bad-policy-'));
    const policy = JSON.parse(
      await readFile(projectPath('policies', 'district-default.v1.json'), 'utf8'),
    ) as { maxReopens: number };
    policy.maxReopens = 99;
    await writeFile(join(dir, 'district-default.v1.json'), JSON.stringify(policy));
    await expectCleanFailure(
      'worker/main.ts',
      { DATABASE_URL: postgresUrl, TEMPORAL_ADDRESS: temporalAddress, BIHUAN_POLICY_DIR: dir },
      /cannot load the policies in .*district-default\.v1\.json: \/maxReopens.*BIHUAN_POLICY_DIR and BIHUAN_POLICY/,
    );
  });

  it('tells `npm run worker` to set DATABASE_URL rather than starting anything embedded', async () => {
    await expectCleanFailure('worker/main.ts', {}, /DATABASE_URL is not set/);
  });

  describe('with the API port taken', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      blocker = createServer();
      await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    });
    afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

    it('names PORT', async () => {
      await expectCleanFailure(
        'api/main.ts',
        { DATABASE_URL: postgresUrl, TEMPORAL_ADDRESS: temporalAddress, PORT: String(port) },
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use.*PORT`),
      );
    });

    it('names TEMPORAL_DEV_PORT when `npm start` cannot start the embedded dev server there', async () => {
      await expectCleanFailure(
        'scripts/start.ts',
        { DATABASE_URL: postgresUrl, TEMPORAL_DEV_PORT: String(port), TEMPORAL_CLI_PATH: cliPath() },
        /port \d+ is in use.*TEMPORAL_DEV_PORT/,
      );
    });
  });
});

function cliPath(): string {
  const cli = inject('temporalCli');
  return cli.type === 'existing-path' ? cli.path : '';
}
