import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/embedded/port.js';
import { spawnEntry, waitForOk, type Spawned } from '../support/processes.js';
import { reportWorkflow } from '../../workflows/report-workflow.js';
import { getReportQuery, stepUpdates } from '../../workflows/messages.js';
import { anIntake, people } from '../support/reports.js';
import { parseVaultKeys } from '../../infra/config.js';
import { EncryptingPayloadCodec } from '../../infra/payload-codec.js';
import { DEV_CODEC_KEY_FILE } from '../../infra/vault-keys.js';
import { KeyRing } from '../../infra/vault.js';

/**
 * `npm start` with no DATABASE_URL or TEMPORAL_ADDRESS: it starts its own PostgreSQL and Temporal
 * dev server under DATA_DIR, and what was running before a stop is still running after a start.
 */
describe('npm start on the embedded defaults', () => {
  let dataDir: string;
  let running: Spawned | undefined;
  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGINT');
      await running.exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('resumes a workflow started before Ctrl-C after the next start', { timeout: 240_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bihuan-start-'));
    await chmod(dataDir, 0o755);
    const cli = inject('temporalCli');
    const [apiPort, pgPort, devPort, uiPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const env = {
      DATA_DIR: dataDir,
      PORT: String(apiPort),
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      TEMPORAL_DEV_PORT: String(devPort),
      TEMPORAL_UI_PORT: String(uiPort),
      DEV_SMTP_PORT: String(await freePort()),
      DEV_SINK_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      ...(cli.type === 'existing-path' ? { TEMPORAL_CLI_PATH: cli.path } : {}),
    };
    const start = async () => {
      running = spawnEntry('scripts/start.ts', env);
      await waitForOk(`http://127.0.0.1:${apiPort}/ready`, running, 120_000);
      return running;
    };
    const stop = async (spawned: Spawned) => {
      spawned.child.kill('SIGINT');
      expect(await spawned.exited).toBe(0);
    };

    const first = await start();
    expect(await fetch(`http://127.0.0.1:${uiPort}/`).then((r) => r.status)).toBe(200);
    let connection = await Connection.connect({ address: `127.0.0.1:${devPort}` });
    // The stack encrypts payloads under the development codec key it created in DATA_DIR; a client
    // of it needs that key, before and after the restart.
    const codecKey = (await readFile(join(dataDir, DEV_CODEC_KEY_FILE), 'utf8')).trim();
    const dataConverter = {
      payloadCodecs: [new EncryptingPayloadCodec(new KeyRing(parseVaultKeys(codecKey, 'BIHUAN_CODEC_KEYS')))],
    };
    const workflowId = `restart-${Date.now()}`;
    const intake = anIntake({ receivedAt: new Date().toISOString() });
    await new Client({ connection, dataConverter }).workflow.start(reportWorkflow, {
      workflowId,
      taskQueue: 'bihuan-reports',
      args: [{ intake }],
    });
    const sql = postgres(`postgres://bihuan:bihuan-embedded@127.0.0.1:${pgPort}/bihuan`, { max: 1 });
    await expect
      .poll(async () => (await sql`select stage from reports where report_id = ${workflowId}`)[0]?.stage, {
        timeout: 20_000,
      })
      .toBe('received');
    await sql.end();
    await connection.close();
    await stop(first);

    const second = await start();
    connection = await Connection.connect({ address: `127.0.0.1:${devPort}` });
    const handle = new Client({ connection, dataConverter }).workflow.getHandle(workflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await handle.query(getReportQuery)).stage.name).toBe('received');
    const accepted = await handle.executeUpdate(stepUpdates.acceptReport, {
      args: [{ actor: people.dispatcher, urgency: 'general', category: 'fire', domain: 'e_bikes' }],
    });
    expect(accepted.stage.name).toBe('accepted');
    await handle.executeUpdate(stepUpdates.cancelReport, {
      args: [{ actor: people.admin, reason: 'end of test' }],
    });
    expect((await handle.result()).stage).toEqual({ name: 'cancelled', reason: 'end of test' });
    await connection.close();

    // The outbox leaves for the development sinks: a named reporter's rejection SMS and the hotline's
    // webhook are sent, and /dev/outbox shows them.
    const keys = JSON.parse(await readFile(join(dataDir, 'dev-api-keys.json'), 'utf8')) as Record<
      string,
      string
    >;
    const call = (path: string, key: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${apiPort}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const filed = await call('/v1/reports', keys.intake!, {
      channel: 'hotline_12345',
      externalId: `START-${Date.now()}`,
      receivedAt: new Date().toISOString(),
      description: '楼道内电动自行车充电',
      location: { address: '浦兴路街道某路1号', district: '浦东新区' },
      reporter: { anonymous: false, name: '王五', phone: '13700000000' },
    });
    expect(filed.status).toBe(201);
    const { id } = (await filed.json()) as { id: string };
    const rejected = await call(`/v1/reports/${encodeURIComponent(id)}/reject-report`, keys.dispatcher!, {
      reason: '不属于安全生产举报受理范围',
    });
    expect(rejected.status).toBe(200);
    await expect
      .poll(
        async () => {
          const { items } = (await (await call('/dev/outbox', keys.admin!)).json()) as {
            items: { reportId: string; channel: string; status: string }[];
          };
          return items
            .filter((d) => d.reportId === id)
            .map((d) => [d.channel, d.status])
            .sort();
        },
        { timeout: 30_000, interval: 250 },
      )
      .toEqual([
        ['sms', 'delivered'],
        ['webhook', 'delivered'],
      ]);
    await stop(second);
  });
});
