/**
 * `npm run setup`: obtains the Temporal dev server (CLI), the time-skipping test server, a
 * pg_dump matching the embedded PostgreSQL (for the privacy test), a headless Chromium (for the
 * dashboard test), a Python Open311 client (for the Open311 test) and the Temporal server with its SQL
 * tool (for the cluster profile) into `.tools/`. Idempotent: what
 * is already there is reused in well under a second. `npm start` and `npm test` call the same
 * functions, so running this by hand is never required.
 */
import { resolveChromium } from './tools/chromium.js';
import { resolveOpen311Client } from './tools/open311-client.js';
import { resolvePgDump } from './tools/pg-dump.js';
import { resolveTemporalCli } from './tools/temporal-cli.js';
import { resolveTestServer } from './tools/test-server.js';
import { resolveTemporalServer } from './tools/temporal-server.js';

const say = (message: string): void => console.log(`[setup] ${message}`);

const [cli, testServer] = [
  await resolveTemporalCli({ progress: say }),
  await resolveTestServer({ progress: say }),
];
const show = (e: typeof cli) =>
  e.type === 'existing-path' ? e.path : "the Temporal SDK's download (needs internet)";
say(`Temporal dev server (CLI): ${show(cli)}`);
say(`Temporal test server:      ${show(testServer)}`);
// Only the privacy test needs pg_dump: without one, that test fails saying why, the rest run.
const pgDump = await resolvePgDump({ progress: say }).then(
  (d) => `${d.path} (${d.version})`,
  (err: Error) => `none — ${err.message}`,
);
say(`pg_dump:                   ${pgDump}`);
// Only the dashboard's browser test needs Chromium: without one, that test fails saying why.
const chromium = await resolveChromium({ progress: say }).then(
  (path) => path,
  (err: Error) => `none — ${err.message}`,
);
say(`Chromium:                  ${chromium}`);
// Only the Open311 test needs an existing GeoReport client: without one, that test fails saying why.
const open311 = await resolveOpen311Client({ progress: say }).then(
  (path) => path,
  (err: Error) => `none — ${err.message}`,
);
say(`Open311 client (georeport): ${open311}`);
// The cluster profile (npm run cluster, and its drills in npm test) runs the Temporal server itself.
const cluster = await resolveTemporalServer({ progress: say }).then(
  (tools) => tools!.server,
  (err: Error) => `none — ${err.message}`,
);
say(`Temporal server (cluster): ${cluster}`);
