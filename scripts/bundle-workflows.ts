/**
 * Part of `npm run build`: bundles the workflow code once, so production workers start without
 * webpack and every worker of a deployment runs byte-identical workflow code.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker/report-worker.js';

const target = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
await writeFile(target, code);
console.log(`workflow bundle written to ${target} (${Math.round(code.length / 1024)} KiB)`);
