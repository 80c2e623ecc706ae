import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { commandWorks, runLongCommand } from './run-command.js';
import type { Progress } from './temporal-cli.js';
import { toolPath } from './tools-dir.js';

/**
 * An existing Open311 GeoReport v2 client, for the test that our façade's answers parse with one
 * unchanged: the `georeport` package from PyPI (its `GeoReport` class reads services, service
 * definitions and requests, in JSON and in XML through `xmltodict`), in a virtual environment
 * under `.tools/`. The Node clients on npm are unmaintained and fetch dependencies from git.
 */
export const GEOREPORT_VERSION = '0.3.1';
const VENV = (): string => toolPath('python', `georeport-${GEOREPORT_VERSION}`);
const python = (): string => join(VENV(), 'bin', 'python');

export async function resolveOpen311Client(opts: { progress: Progress }): Promise<string> {
  if (existsSync(python()) && commandWorks(python(), ['-c', 'import georeport'])) return python();
  if (!commandWorks('python3', ['-c', 'import venv, ensurepip']))
    throw new Error(
      'no python3 with venv and ensurepip: install python3-venv to run the Open311 client test',
    );
  opts.progress(`installing the Open311 client georeport ${GEOREPORT_VERSION} from PyPI into ${VENV()}`);
  await rm(VENV(), { recursive: true, force: true });
  await runLongCommand('python3', ['-m', 'venv', VENV()]);
  await runLongCommand(
    python(),
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `georeport==${GEOREPORT_VERSION}`],
    { onHeartbeat: (s) => opts.progress(`… still installing georeport (${s} s)`) },
  );
  if (!commandWorks(python(), ['-c', 'import georeport']))
    throw new Error(`georeport ${GEOREPORT_VERSION} did not install into ${VENV()}`);
  return python();
}
