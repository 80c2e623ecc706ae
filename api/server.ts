import type { FastifyInstance } from 'fastify';
import type { Config } from '../infra/config.js';
import { StartupError, describeError } from '../infra/startup-error.js';

/** Binds the API; a taken port becomes a one-line {@link StartupError} naming PORT. */
export async function listen(app: FastifyInstance, config: Config): Promise<string> {
  try {
    return await app.listen({ host: config.api.host, port: config.api.port });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new StartupError(
        'PORT',
        `port ${config.api.port} on ${config.api.host} is in use: stop what holds it or set PORT to a free port`,
        { cause: err },
      );
    }
    throw new StartupError(
      'HOST',
      `cannot listen on ${config.api.host}:${config.api.port} (${describeError(err)}): check HOST and PORT`,
      { cause: err },
    );
  }
}
