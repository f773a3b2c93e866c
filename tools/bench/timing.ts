/** Timing helpers for the benchmarks: medians of repeated runs after a warm-up, and the hooks a full-cache run fetches. */
import { BLOCK_HOOK_SUFFIXES, GLOBAL_HOOK_NAMES, blockHook, type HookName } from '../../src/shared/hookNames';

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

/**
 * Medians of wall and process CPU time, the functions run in turn (a, b, a, b, …) after one warm-up
 * each. CPU time (all threads, user + system) counts the work done and moves less than wall time on
 * a loaded machine.
 */
export async function interleavedWallAndCpu(fns: readonly (() => Promise<unknown>)[], repeat: number): Promise<{ wallMs: number; cpuMs: number }[]> {
  for (const f of fns) await f();
  const wall = fns.map(() => [] as number[]);
  const cpu = fns.map(() => [] as number[]);
  for (let i = 0; i < repeat; i++) {
    for (let j = 0; j < fns.length; j++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await fns[j]();
      wall[j].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[j].push((c.user + c.system) / 1000);
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return fns.map((_, j) => ({ wallMs: median(wall[j]), cpuMs: median(cpu[j]) }));
}

/** Every hook but the per-head results (`attn.hook_result`): what the benchmarks' full-cache run fetches. */
export function fullCacheHooks(nLayers: number): HookName[] {
  return [
    ...GLOBAL_HOOK_NAMES,
    ...Array.from({ length: nLayers }, (_, l) => BLOCK_HOOK_SUFFIXES.filter((s) => s !== 'attn.hook_result').map((s) => blockHook(l, s))).flat(),
  ];
}
