import { readFile } from 'node:fs/promises';
import { Client, Connection, type ConnectionLike, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { temporalAddress, type Config } from './config.js';
import { StartupError, describeError, withTimeout } from './startup-error.js';

async function tlsOptions(config: Config): Promise<ConnectionOptions['tls']> {
  const tls = config.temporal.tls;
  if (typeof tls === 'boolean') return tls;
  const [crt, key] = await Promise.all([readFile(tls.certPath), readFile(tls.keyPath)]).catch(
    (err: unknown) => {
      throw new StartupError(
        'TEMPORAL_TLS_CERT_PATH',
        `cannot read the Temporal client certificate or key (${describeError(err)}): check TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH`,
      );
    },
  );
  return { clientCertPair: { crt, key } };
}

function unreachable(config: Config, err: unknown): StartupError {
  const address = temporalAddress(config);
  return new StartupError(
    'TEMPORAL_ADDRESS',
    `cannot reach Temporal at ${address} (${describeError(err)}): check TEMPORAL_ADDRESS (and TEMPORAL_TLS / TEMPORAL_API_KEY), or unset it to use the embedded dev server`,
    { cause: err },
  );
}

/**
 * A client connection for starting workflows, updates and queries; fails fast and clearly. Give it
 * the deployment's data converter (infra/payload-codec.ts): a client without the codec cannot read
 * what the worker wrote, nor write what it can read.
 */
export async function connectTemporalClient(
  config: Config,
  opts: { dataConverter?: DataConverter } = {},
): Promise<Client> {
  const timeoutMs = config.startupTimeoutMs;
  try {
    const connection = await withTimeout(
      Connection.connect({
        address: temporalAddress(config),
        tls: await tlsOptions(config),
        apiKey: config.temporal.apiKey,
        connectTimeout: timeoutMs,
      }),
      timeoutMs,
      () => new Error(`no answer within ${timeoutMs} ms`),
    );
    return new Client({
      connection,
      namespace: config.temporal.namespace,
      ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    });
  } catch (err) {
    if (err instanceof StartupError) throw err;
    throw unreachable(config, err);
  }
}

/** The worker's native connection; fails fast and clearly. */
export async function connectTemporalWorker(config: Config): Promise<NativeConnection> {
  const timeoutMs = config.startupTimeoutMs;
  try {
    return await withTimeout(
      NativeConnection.connect({
        address: temporalAddress(config),
        tls: await tlsOptions(config),
        apiKey: config.temporal.apiKey,
      }),
      timeoutMs,
      () => new Error(`no answer within ${timeoutMs} ms`),
    );
  } catch (err) {
    if (err instanceof StartupError) throw err;
    throw unreachable(config, err);
  }
}

/** Liveness of the Temporal frontend for `/ready`: true when it answers a health check in time. */
export async function temporalIsHealthy(connection: ConnectionLike, timeoutMs = 2000): Promise<boolean> {
  try {
    await withTimeout(connection.workflowService.getSystemInfo({}), timeoutMs, () => new Error('timeout'));
    return true;
  } catch {
    return false;
  }
}
