import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from './logger.js';

let installed = false;

/**
 * Routes the Temporal SDK's logs (worker, workflows, activities) into pino, and turns off the
 * SDK's own signal handling: our entry points stop the API, the worker and embedded servers in order.
 * Must run before the first connection; later calls do nothing.
 */
export function installTemporalRuntime(log: Logger): void {
  if (installed) return;
  installed = true;
  const sdk = log.child({ component: 'temporal-sdk' });
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const logger: TemporalLogger = {
    log: (level: LogLevel, message: string, meta?: LogMetadata) => sdk[levels[level]](meta ?? {}, message),
    trace: (message, meta) => sdk.trace(meta ?? {}, message),
    debug: (message, meta) => sdk.debug(meta ?? {}, message),
    info: (message, meta) => sdk.info(meta ?? {}, message),
    warn: (message, meta) => sdk.warn(meta ?? {}, message),
    error: (message, meta) => sdk.error(meta ?? {}, message),
  };
  Runtime.install({ logger, shutdownSignals: [] });
}
