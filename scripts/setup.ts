/**
 * `npm run setup`: obtains the Temporal dev server (CLI) and the time-skipping test server into
 * `.tools/`. Idempotent: what is already there is reused in well under a second. `npm start` and
 * `npm test` call the same functions, so running this by hand is never required.
 */
import { resolveTemporalCli } from './tools/temporal-cli.js';
import { resolveTestServer } from './tools/test-server.js';

const say = (message: string): void => console.log(`[setup] ${message}`);

const [cli, testServer] = [
  await resolveTemporalCli({ progress: say }),
  await resolveTestServer({ progress: say }),
];
const show = (e: typeof cli) =>
  e.type === 'existing-path' ? e.path : "the Temporal SDK's download (needs internet)";
say(`Temporal dev server (CLI): ${show(cli)}`);
say(`Temporal test server:      ${show(testServer)}`);
