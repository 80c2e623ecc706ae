import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp, createApiDeps, type App } from '../../api/app.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { freePort } from '../../scripts/embedded/port.js';

const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://x@127.0.0.1/x',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
});
const log = createLogger('silent');

describe('GET /health and GET /ready', () => {
  let live: App;
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    const sql = postgres(inject('postgresAdminUrl'), { max: 1 });
    live = await buildApp(createApiDeps(config, sql, new Client({ connection })), log);
  });
  afterAll(async () => {
    await live.close();
    await connection.close();
  });

  it('answers liveness without touching any dependency', async () => {
    const res = await live.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('is ready when Temporal and PostgreSQL both answer', async () => {
    const res = await live.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      dependencies: { temporal: { status: 'up' }, postgres: { status: 'up' } },
    });
  });

  it('answers 503 naming PostgreSQL when the database is down', async () => {
    const deadSql = postgres(`postgres://x:y@127.0.0.1:${await freePort()}/none`, {
      max: 1,
      connect_timeout: 1,
    });
    const app = await buildApp(createApiDeps(config, deadSql, new Client({ connection })), log);
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().dependencies).toEqual({ temporal: { status: 'up' }, postgres: { status: 'down' } });
    await app.close();
    await deadSql.end({ timeout: 0 });
  });

  it('answers 503 naming Temporal when the Temporal frontend is down', async () => {
    const deadTemporal = Connection.lazy({
      address: `127.0.0.1:${await freePort()}`,
      connectTimeout: 500,
    });
    const sql = postgres(inject('postgresAdminUrl'), { max: 1 });
    const app = await buildApp(createApiDeps(config, sql, new Client({ connection: deadTemporal })), log);
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().dependencies).toEqual({ temporal: { status: 'down' }, postgres: { status: 'up' } });
    await app.close();
    await sql.end();
  });
});
