import { spawn, spawnSync } from 'node:child_process';

/** True when `cmd args…` runs and exits 0 (used to probe for go, java, mvn, temporal). */
export function commandWorks(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

/**
 * Runs a long command, passing each line of its output to `onLine`, and printing a heartbeat
 * through `onHeartbeat` every `heartbeatMs` so a user watching a minutes-long build sees progress.
 * Resolves on exit 0; rejects with the last lines of output otherwise.
 */
export function runLongCommand(
  cmd: string,
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    onLine?: (line: string) => void;
    onHeartbeat?: (elapsedSeconds: number) => void;
    heartbeatMs?: number;
  } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        opts.onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const heartbeat = setInterval(
      () => opts.onHeartbeat?.(Math.round((Date.now() - started) / 1000)),
      opts.heartbeatMs ?? 30_000,
    );
    child.on('error', (err) => {
      clearInterval(heartbeat);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(heartbeat);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}
