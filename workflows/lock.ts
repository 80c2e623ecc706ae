/**
 * Serialises the workflow's handlers and its supervision loop. Update handlers may await
 * activities; without this, two steps could interleave on the same state between their awaits.
 */
export function createLock(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
