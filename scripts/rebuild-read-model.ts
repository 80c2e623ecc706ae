/**
 * `npm run rebuild-read-model [-- --dry-run] [-- --query 'TaskQueue = "bihuan-reports"']`: writes
 * the read model (reports, report_events, report_clocks) again from every report workflow Temporal
 * has — disaster recovery after a lost or damaged database. A worker must be running (`npm start`,
 * or the deployment's workers): the workflows answer the state query through it. With --dry-run it
 * only lists the reports whose rows differ from their workflow's state.
 */
import { parseArgs } from 'node:util';
import { rebuildReadModel } from './read-model/rebuild.js';
import { loadConfig } from '../infra/config.js';
import { connectPostgres } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runMain } from '../infra/main-guard.js';
import { encryptingDataConverter } from '../infra/payload-codec.js';
import { connectTemporalClient } from '../infra/temporal.js';
import { resolveCodecKeys } from '../infra/vault-keys.js';
import { embeddedPostgresUrl } from './embedded/postgres.js';

runMain(async () => {
  const { values: args } = parseArgs({
    options: { 'dry-run': { type: 'boolean', default: false }, query: { type: 'string' } },
  });
  const config = loadConfig();
  const log = createLogger(config.logLevel, { process: 'rebuild-read-model' });
  const say = (m: string) => console.log(`[rebuild-read-model] ${m}`);
  const databaseUrl =
    config.postgres.kind === 'external' ? config.postgres.url : embeddedPostgresUrl(config.postgres.port);
  const sql = await connectPostgres(databaseUrl, { timeoutMs: config.startupTimeoutMs, log, max: 8 });
  const client = await connectTemporalClient(config, {
    dataConverter: encryptingDataConverter(await resolveCodecKeys(config, log)),
  });
  const started = Date.now();
  try {
    const result = await rebuildReadModel({
      client,
      sql,
      log,
      dryRun: args['dry-run'],
      ...(args.query ? { query: args.query } : {}),
      progress: say,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (args['dry-run'])
      say(
        `${result.workflows} workflows compared in ${seconds} s; ${result.differing.length} differ${result.differing.length ? `: ${result.differing.join(', ')}` : ''}`,
      );
    else say(`${result.rebuilt} of ${result.workflows} reports rebuilt in ${seconds} s`);
    for (const f of result.failed) say(`failed: ${f.reportId}: ${f.error}`);
    if (result.failed.length > 0) process.exitCode = 1;
  } finally {
    await client.connection.close();
    await sql.end();
  }
});
