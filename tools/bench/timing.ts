/** Timing helpers for the benchmarks: medians of repeated runs after a warm-up. */

export async function medianMs(fn: () => Promise<unknown>, repeat: number, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** Medians of several functions run in turn (a, b, a, b, …) after one warm-up each. */
export async function interleavedMedians(fns: readonly (() => Promise<unknown>)[], repeat: number): Promise<number[]> {
  for (const f of fns) await f();
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < repeat; i++) {
    for (let j = 0; j < fns.length; j++) {
      const t = performance.now();
      await fns[j]();
      times[j].push(performance.now() - t);
    }
  }
  return times.map((ts) => ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]);
}
