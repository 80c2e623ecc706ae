/**
 * `npm run drill`: the fault drills of issue 18, on the dev server and on the cluster profile.
 * Each starts from a stack of separate processes (scripts/drill/stack.ts), hurts one part in the
 * middle of real work, and prints requests sent, 2xx, lost, doubled and 5xx other than 503. Any
 * drill that finds something lost or doubled, or a 5xx other than 503, makes the run exit 1.
 *
 *   npm run drill [-- --profile dev|cluster|both] [--only worker,temporal,postgres,api,relay,fuzz]
 *                 [--outage 60] [--json bench/results/drill-<date>.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../infra/logger.js';
import { runMain } from '../infra/main-guard.js';
import { installTemporalRuntime } from '../infra/temporal-runtime.js';
import {
  apiRestart,
  fuzz,
  postgresOutage,
  relayKill,
  temporalRestart,
  workerKill,
  type DrillResult,
} from './drill/drills.js';
import { startStack, type Profile } from './drill/stack.js';
import { machine } from './drill/machine.js';

const DRILLS = {
  worker: workerKill,
  temporal: temporalRestart,
  api: apiRestart,
  relay: relayKill,
  postgres: postgresOutage,
  fuzz,
} as const;

runMain(async () => {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'both' },
      only: { type: 'string' },
      outage: { type: 'string', default: '60' },
      json: { type: 'string' },
    },
  });
  const profiles: Profile[] = values.profile === 'both' ? ['dev', 'cluster'] : [values.profile as Profile];
  const only = values.only ? values.only.split(',') : Object.keys(DRILLS);
  const unknown = only.filter((d) => !(d in DRILLS));
  if (unknown.length > 0)
    throw new Error(`unknown drill ${unknown.join(', ')}: choose from ${Object.keys(DRILLS).join(', ')}`);
  const outage = Number(values.outage);
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', { process: 'drill' });
  installTemporalRuntime(log);
  const results: DrillResult[] = [];
  for (const profile of profiles) {
    const say = (m: string) => console.log(`[drill ${profile}] ${m}`);
    say('starting the stack');
    const stack = await startStack(profile, log);
    try {
      for (const name of only) {
        say(`drill: ${name}`);
        const run = DRILLS[name as keyof typeof DRILLS];
        const r = name === 'postgres' ? await postgresOutage(stack, say, outage) : await run(stack, say);
        results.push(r);
        say(
          `${r.drill}: sent ${r.sent}, 2xx ${r.ok}, lost ${r.lost}, doubled ${r.doubled}, 5xx≠503 ${r.other5xx} (${r.notes})`,
        );
      }
    } finally {
      await stack.stop();
    }
  }
  const header = '| profile | drill | sent | 2xx | lost | doubled | 5xx ≠ 503 | s | notes |';
  console.log(`\n${header}\n|---|---|---|---|---|---|---|---|---|`);
  for (const r of results)
    console.log(
      `| ${r.profile} | ${r.drill} | ${r.sent} | ${r.ok} | ${r.lost} | ${r.doubled} | ${r.other5xx} | ${r.seconds} | ${r.notes} |`,
    );
  console.log(`\nmachine: ${machine()}`);
  if (values.json) {
    await mkdir(dirname(values.json), { recursive: true });
    await writeFile(
      values.json,
      `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), results }, null, 2)}\n`,
    );
  }
  const bad = results.filter((r) => r.lost > 0 || r.doubled > 0 || r.other5xx > 0 || (r.findings ?? 0) > 0);
  if (bad.length > 0) {
    console.error(`\n${bad.length} drill(s) found something lost, doubled or a 5xx other than 503`);
    process.exitCode = 1;
  }
});
