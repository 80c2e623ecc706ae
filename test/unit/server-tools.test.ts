import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedCliPath, resolveTemporalCli } from '../../scripts/tools/temporal-cli.js';
import { resolveTestServer } from '../../scripts/tools/test-server.js';

async function fakeExecutable(name: string, script = '#!/bin/sh\nexit 0\n'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bihuan-tools-'));
  const path = join(dir, name);
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}

describe('finding the Temporal dev server (CLI)', () => {
  it('takes TEMPORAL_CLI_PATH first', async () => {
    const path = await fakeExecutable('my-temporal');
    expect(await resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: path, PATH: '' }, build: false })).toEqual({
      type: 'existing-path',
      path,
    });
  });

  it('refuses a TEMPORAL_CLI_PATH that is not executable, naming it', async () => {
    await expect(
      resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: '/nonexistent/temporal' }, build: false }),
    ).rejects.toThrow(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal is not an executable file/);
  });

  it('then a `temporal` on PATH that answers --version', async () => {
    const path = await fakeExecutable('temporal');
    expect(await resolveTemporalCli({ env: { PATH: join(path, '..') }, build: false })).toEqual({
      type: 'existing-path',
      path,
    });
  });

  it('then the tools cache, and only then (without building) the SDK download', async () => {
    const found = await resolveTemporalCli({ env: { PATH: '' }, build: false });
    expect(found).toEqual(
      found.type === 'existing-path'
        ? { type: 'existing-path', path: cachedCliPath() }
        : { type: 'cached-download' },
    );
  });
});

describe('finding the time-skipping test server', () => {
  it('takes TEMPORAL_TEST_SERVER_PATH first and refuses a missing one', async () => {
    const path = await fakeExecutable('test-server');
    expect(await resolveTestServer({ env: { TEMPORAL_TEST_SERVER_PATH: path }, fetch: false })).toEqual({
      type: 'existing-path',
      path,
    });
    await expect(
      resolveTestServer({ env: { TEMPORAL_TEST_SERVER_PATH: '/nope' }, fetch: false }),
    ).rejects.toThrow(/TEMPORAL_TEST_SERVER_PATH=\/nope/);
  });
});
