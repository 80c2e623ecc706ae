import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/embedded/port.js';
import { isAlive, readRunRecord } from '../../scripts/embedded/run-state.js';
import { spawnEntry, waitForOk, type Spawned } from '../support/processes.js';

/**
 * `npm start` after a crash: whatever killed it, the next start comes up by itself with every
 * report, and a crashed worker comes back while the API goes on answering. One DATA_DIR through
 * the whole file, in order: kill -9 of `npm start`; kill -9 of `npm start` and of its guardian
 * (the embedded servers are left running: the next start must recognise them as its own); kill -9
 * of the worker alone.
 */
describe('npm start recovers from crashes by itself', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let api: string;
  let running: Spawned | undefined;
  let keys: Record<string, string>;
  const reportIds: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bihuan-recovery-'));
    await chmod(dataDir, 0o755);
    const cli = inject('temporalCli');
    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    env = {
      DATA_DIR: dataDir,
      PORT: String(apiPort),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      DEV_SMTP_PORT: String(await freePort()),
      DEV_SINK_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      ...(cli.type === 'existing-path' ? { TEMPORAL_CLI_PATH: cli.path } : {}),
    };
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGINT');
      await running.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    running = spawnEntry('scripts/start.ts', env);
    await waitForOk(`${api}/ready`, running, 180_000);
    return running;
  };
  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const everyReportIsThere = async () => {
    for (const id of reportIds) {
      const res = await call('GET', `/v1/reports/${encodeURIComponent(id)}`, keys.dispatcher!);
      expect(res.status, `${id}: ${await res.text()}\n${running!.output()}`).toBe(200);
    }
  };

  it('takes five reports', { timeout: 240_000 }, async () => {
    await start();
    keys = JSON.parse(await readFile(join(dataDir, 'dev-api-keys.json'), 'utf8')) as Record<string, string>;
    for (let i = 0; i < 5; i += 1) {
      const res = await call('POST', '/v1/reports', keys.intake!, {
        channel: 'hotline_12345',
        externalId: `CRASH-${i}`,
        receivedAt: new Date().toISOString(),
        description: '楼道内电动自行车充电',
        location: { address: '浦兴路100号', district: '浦东新区', street: '浦兴路街道' },
        reporter: { anonymous: true },
      });
      expect(res.status).toBe(201);
      reportIds.push(((await res.json()) as { id: string }).id);
    }
  });

  it(
    'after kill -9 of npm start, the next start is ready with every report',
    { timeout: 240_000 },
    async () => {
      running!.child.kill('SIGKILL');
      await running!.exited;
      const again = await start();
      await everyReportIsThere();
      expect(again.output()).not.toMatch(/in use/);
    },
  );

  it(
    'after kill -9 of npm start and its guardian, the next start stops the servers left running',
    { timeout: 240_000 },
    async () => {
      const guardian = await readRunRecord(dataDir, 'guardian');
      const temporal = await readRunRecord(dataDir, 'temporal');
      expect(guardian && isAlive(guardian.pid)).toBe(true);
      process.kill(guardian!.pid, 'SIGKILL');
      running!.child.kill('SIGKILL');
      await running!.exited;
      // Nothing stops the servers now: they are orphans, as after an OOM kill of both.
      expect(isAlive(temporal!.pid)).toBe(true);
      const again = await start();
      expect(again.output()).toMatch(
        /stopping the Temporal dev server \(pid \d+\) that an earlier npm start/,
      );
      expect(isAlive(temporal!.pid)).toBe(false);
      await everyReportIsThere();
    },
  );

  it(
    'a killed worker comes back, the API answering meanwhile, and open reports carry on',
    { timeout: 240_000 },
    async () => {
      const worker = await readRunRecord(dataDir, 'worker');
      expect(worker && isAlive(worker.pid)).toBe(true);
      process.kill(worker!.pid, 'SIGKILL');
      // The API is a process of its own: the list (PostgreSQL) answers while the worker is down.
      const list = await call('GET', '/v1/reports?limit=10', keys.dispatcher!);
      expect(list.status).toBe(200);
      expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(5);
      await expect
        .poll(
          async () => {
            const record = await readRunRecord(dataDir, 'worker');
            return record !== undefined && record.pid !== worker!.pid && isAlive(record.pid);
          },
          { timeout: 60_000, interval: 500 },
        )
        .toBe(true);
      const accepted = await call(
        'POST',
        `/v1/reports/${encodeURIComponent(reportIds[0]!)}/accept-report`,
        keys.dispatcher!,
        {
          urgency: 'general',
          category: 'fire',
          domain: 'e_bikes',
        },
      );
      expect(accepted.status).toBe(200);
      expect(((await accepted.json()) as { stage: { name: string } }).stage.name).toBe('accepted');
      expect(running!.output()).toMatch(/the worker was killed by SIGKILL; starting it again/);
      running!.child.kill('SIGINT');
      expect(await running!.exited).toBe(0);
    },
  );
});
