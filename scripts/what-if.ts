/**
 * `npm run what-if -- --policy policies/<proposed>.json --from 2026-01-01 --to 2026-10-01
 * [--xlsx what-if.xlsx]`: what a proposed policy would have decided for the reports received in the
 * period — breaches that would appear or disappear per step and unit, and the on-time rates before
 * and after — from the read model's recorded facts, with the workflow's own deadline code. It
 * changes nothing. Prints JSON; with --xlsx, also writes the sheet.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { tableStream } from '../api/supervision/tabular.js';
import { runWhatIf, whatIfTable } from '../api/supervision/what-if.js';
import { validatePolicy } from '../domain/policy.js';
import { loadConfig } from '../infra/config.js';
import { connectPostgres } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runMain } from '../infra/main-guard.js';
import { loadPolicyRegistry } from '../infra/policy-registry.js';
import { embeddedPostgresUrl } from './embedded/postgres.js';

runMain(async () => {
  const { values: args } = parseArgs({
    options: {
      policy: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      xlsx: { type: 'string' },
    },
  });
  if (!args.policy || !args.from || !args.to)
    throw new Error(
      'usage: npm run what-if -- --policy <file.json> --from <date> --to <date> [--xlsx <file>]',
    );
  const [from, to] = [new Date(args.from), new Date(args.to)];
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || !(from < to))
    throw new Error('--from and --to are dates, the first before the second (e.g. 2026-01-01)');
  const proposal = validatePolicy(JSON.parse(await readFile(args.policy, 'utf8')) as unknown, args.policy);
  const config = loadConfig();
  const log = createLogger(config.logLevel, { process: 'what-if' });
  const databaseUrl =
    config.postgres.kind === 'external' ? config.postgres.url : embeddedPostgresUrl(config.postgres.port);
  const sql = await connectPostgres(databaseUrl, { timeoutMs: config.startupTimeoutMs, log, max: 2 });
  try {
    const registry = await loadPolicyRegistry(config.policy.dir, config.policy.defaultId);
    const started = Date.now();
    const result = await runWhatIf(sql, (id, version) => registry.get(id, version), proposal, { from, to });
    console.log(JSON.stringify(result, null, 2));
    console.error(`[what-if] ${result.reports} reports in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (args.xlsx) await pipeline(tableStream(whatIfTable(result), 'xlsx'), createWriteStream(args.xlsx));
  } finally {
    await sql.end();
  }
});
