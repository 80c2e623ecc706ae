import type { FastifyInstance } from 'fastify';
import metricsModule from 'fastify-metrics';

/**
 * Prometheus metrics at `/metrics`: the process's default metrics and, per route, request
 * durations (`http_request_duration_seconds`, labelled by method, route pattern and status) — the
 * route pattern, never the URL, so report ids do not explode the label set. The probes and the
 * metrics endpoint itself are not measured.
 *
 * prom-client's registry is global to the process: each app clears it when it starts (one API per
 * process in production; tests build several).
 */
export async function installMetrics(app: FastifyInstance): Promise<void> {
  // fastify-metrics is CommonJS with `exports.default`; ESM loaders differ on unwrapping it.
  const loaded = metricsModule as unknown;
  const plugin =
    typeof loaded === 'function' ? (loaded as typeof metricsModule.default) : metricsModule.default;
  await app.register(plugin, {
    endpoint: '/metrics',
    clearRegisterOnInit: true,
    defaultMetrics: { enabled: true },
    routeMetrics: {
      enabled: true,
      registeredRoutesOnly: true,
      routeBlacklist: ['/metrics', '/health', '/ready'],
    },
  });
}
