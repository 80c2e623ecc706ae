import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What `npm start` has running for a DATA_DIR, in `<DATA_DIR>/run/<name>.json`: the pid and the
 * exact command line of each process it started. The next start reads these to recognise a
 * process of its own left behind by a crash (same pid, same command line, so the same binary on
 * the same data file) and to tell it apart from a stranger that happens to hold the port.
 */
export interface RunRecord {
  readonly pid: number;
  /** The command line as the OS reports it for `pid` (argv joined by NUL on Linux). */
  readonly command: string;
  readonly port?: number;
  readonly startedAt: string;
}

export const runDir = (dataDir: string) => join(dataDir, 'run');
const runFile = (dataDir: string, name: string) => join(runDir(dataDir), `${name}.json`);

export async function writeRunRecord(
  dataDir: string,
  name: string,
  record: Omit<RunRecord, 'command' | 'startedAt'>,
): Promise<RunRecord> {
  const full: RunRecord = {
    ...record,
    command: commandLineOf(record.pid) ?? '',
    startedAt: new Date().toISOString(),
  };
  await mkdir(runDir(dataDir), { recursive: true });
  await writeFile(runFile(dataDir, name), `${JSON.stringify(full)}\n`);
  return full;
}

export async function readRunRecord(dataDir: string, name: string): Promise<RunRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(runFile(dataDir, name), 'utf8')) as Partial<RunRecord>;
    return typeof parsed.pid === 'number' && typeof parsed.command === 'string'
      ? (parsed as RunRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

export const removeRunRecord = (dataDir: string, name: string) => rm(runFile(dataDir, name), { force: true });

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as { code?: string }).code === 'EPERM';
  }
  // A zombie has ended; only its parent has not collected it yet.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The command line of a live process, or undefined (gone, or not ours to read). */
export function commandLineOf(pid: number): string | undefined {
  if (!isAlive(pid)) return undefined;
  const proc = `/proc/${pid}/cmdline`;
  if (existsSync('/proc/self/cmdline')) {
    try {
      return readFileSync(proc, 'utf8').replace(/\0+$/, '');
    } catch {
      return undefined;
    }
  }
  try {
    return (
      execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** True when `record`'s process still runs the command it was started with: ours, not a reused pid. */
export const isStillOurs = (record: RunRecord): boolean =>
  record.command !== '' && commandLineOf(record.pid) === record.command;

/** Sends `signal`, waits up to `graceMs` for the process to end, then kills it. */
export async function stopProcess(pid: number, signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
}
