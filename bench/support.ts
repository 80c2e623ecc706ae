/** Load generation and percentiles for the benchmarks. */

/** Runs `count` calls, `concurrency` at a time; answers the wall time and each call's latency. */
export async function load(count: number, concurrency: number, call: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await call(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Two ways of doing the same thing, in alternating rounds (ABBA: the server grows busier as work
 * accumulates, and neither may always go second). Answers each one's rate (per second).
 */
export async function abba(
  rounds: number,
  count: number,
  concurrency: number,
  a: (i: number) => Promise<void>,
  b: (i: number) => Promise<void>,
) {
  const totals = { a: { n: 0, s: 0, lat: [] as number[] }, b: { n: 0, s: 0, lat: [] as number[] } };
  for (let r = 0; r < rounds; r += 1) {
    const order = r % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
    for (const which of order) {
      const res = await load(count, concurrency, which === 'a' ? a : b);
      totals[which].n += count;
      totals[which].s += res.seconds;
      totals[which].lat.push(...res.latencies);
    }
  }
  return {
    a: {
      rate: totals.a.n / totals.a.s,
      p50: percentile(totals.a.lat, 50),
      p99: percentile(totals.a.lat, 99),
    },
    b: {
      rate: totals.b.n / totals.b.s,
      p50: percentile(totals.b.lat, 50),
      p99: percentile(totals.b.lat, 99),
    },
  };
}

/** Resident memory of a process, in MiB (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
