/**
 * The norm-growth plots, pure: the series (per position, the median over non-BOS positions, BOS
 * apart), log-axis ticks, the legend's growth factor and what the data lets it claim.
 */
import type { GrowthFit, ResidualNormsRecord } from '../../../src/shared/residualStream.js';

export type NormMode = 'raw' | 'centred';

/** Fewer non-BOS positions than this and the fitted factor is called out as thin. */
export const MIN_FIT_POSITIONS = 4;
/** Fewer layers than this and the fit has too few points to call growth exponential. */
export const MIN_FIT_LAYERS = 4;
/** R² of ln(median norm) against the boundary below which growth is not called exponential. */
export const MIN_EXP_R2 = 0.9;

export function median(xs: readonly number[]): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const i = (v.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return v[lo] + (v[hi] - v[lo]) * (i - lo);
}

/** Row r of a row-major [rows, cols] array. */
export function row(a: Float32Array, cols: number, r: number): number[] {
  return Array.from(a.subarray(r * cols, (r + 1) * cols));
}

/** The positions the statistics are over: every position but a leading BOS. */
export function firstNonBos(n: ResidualNormsRecord): number {
  return n.hasBos ? 1 : 0;
}

/** [n_boundaries] median norm over non-BOS positions. */
export function medianByBoundary(n: ResidualNormsRecord, mode: NormMode): number[] {
  const a = mode === 'raw' ? n.raw_boundary_pos : n.centred_boundary_pos;
  const from = firstNonBos(n);
  return Array.from({ length: n.n_boundaries }, (_, b) => median(row(a, n.n_tokens, b).slice(from)));
}

/** Norm of position p at every boundary. */
export function positionSeries(n: ResidualNormsRecord, mode: NormMode, p: number): number[] {
  const a = mode === 'raw' ? n.raw_boundary_pos : n.centred_boundary_pos;
  return Array.from({ length: n.n_boundaries }, (_, b) => a[b * n.n_tokens + p]);
}

/** Least squares of ln(y) on x = 0..n−1: slope, and R² of the fit. */
export function logLinearFit(ys: readonly number[]): { slope: number; r2: number } {
  const pts = ys.map((y, x) => [x, Math.log(y)] as const).filter(([, ly]) => Number.isFinite(ly));
  const n = pts.length;
  if (n < 2) return { slope: NaN, r2: NaN };
  const mx = pts.reduce((s, [x]) => s + x, 0) / n;
  const my = pts.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, r2 };
}

export function fmtFactor(f: number): string {
  return Number.isFinite(f) ? `×${f.toFixed(2)}` : '×—';
}

export interface GrowthSummary {
  /** The legend's entry, e.g. "×1.42 per layer (fit to the median)". */
  readonly legend: string;
  /** Plain caveats the data calls for (few positions, not exponential, BOS apart). */
  readonly notes: readonly string[];
}

/** What the legend says about the fitted growth and when it should not be trusted. */
export function growthSummary(n: ResidualNormsRecord, mode: NormMode): GrowthSummary {
  const fit: GrowthFit = mode === 'raw' ? n.rawGrowth : n.centredGrowth;
  const positions = n.n_tokens - firstNonBos(n);
  const notes: string[] = [];
  const { r2 } = logLinearFit(medianByBoundary(n, mode));
  if (positions < MIN_FIT_POSITIONS) {
    notes.push(`Fitted over ${positions} non-BOS position${positions === 1 ? '' : 's'}: too few for a growth factor to mean much; inspect a longer prompt.`);
  }
  if (n.n_layers < MIN_FIT_LAYERS) {
    notes.push(
      `Fitted over ${n.n_boundaries} boundaries (${n.n_layers} layer${n.n_layers === 1 ? '' : 's'}): too few to tell steady exponential growth from any other shape.`,
    );
  } else if (Number.isFinite(r2) && r2 < MIN_EXP_R2) {
    notes.push(
      `The median norm is not close to exponential in depth (R² ${r2.toFixed(2)} of a straight line on the log scale): read the factor as an average only.`,
    );
  }
  if (fit.bos_factor_layer) {
    const f = Math.exp(meanLog(Array.from(fit.bos_factor_layer)));
    notes.push(`BOS (position 0) is drawn apart and left out of the fit: its norm grows ${fmtFactor(f)} per layer on average.`);
  }
  const legend =
    positions >= 2 && Number.isFinite(fit.fitted)
      ? `${fmtFactor(fit.fitted)} per layer (fit to the median)`
      : `no growth factor (${positions} non-BOS position${positions === 1 ? '' : 's'})`;
  return { legend, notes };
}

function meanLog(xs: readonly number[]): number {
  const v = xs.filter((x) => x > 0 && Number.isFinite(x)).map(Math.log);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** Ticks for a log axis over [lo, hi]: 1, 2, 5 × 10^k when they are few enough, else powers of ten. */
export function logTicks(lo: number, hi: number, maxTicks = 8): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const k0 = Math.floor(Math.log10(lo));
  const k1 = Math.ceil(Math.log10(hi));
  for (const steps of [[1, 2, 5], [1, 3], [1]]) {
    const out: number[] = [];
    for (let k = k0; k <= k1; k++) for (const s of steps) out.push(s * 10 ** k);
    const inside = out.filter((v) => v >= lo * 0.999 && v <= hi * 1.001);
    if (inside.length <= maxTicks && inside.length >= 2) return inside;
    if (steps.length === 1 && inside.length > maxTicks) {
      const every = Math.max(1, Math.ceil(inside.length / maxTicks));
      return inside.filter((_, i) => i % every === 0);
    }
  }
  // A narrow range with fewer than two round values in it: its ends and middle, to two digits.
  const two = (v: number) => Number(v.toPrecision(2));
  return [...new Set([two(lo * 1.05), two(Math.sqrt(lo * hi)), two(hi / 1.05)])];
}

/** A log axis's domain: the data's range widened a little, at least a factor of 2 wide. */
export function logDomain(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) return [1, 10];
  lo /= 1.15;
  hi *= 1.15;
  if (hi / lo < 2) {
    const mid = Math.sqrt(hi * lo);
    lo = mid / Math.SQRT2;
    hi = mid * Math.SQRT2;
  }
  return [lo, hi];
}

export function fmtTick(v: number): string {
  if (v >= 1e4 || v < 1e-2) return v.toExponential(0).replace('e+', 'e');
  return Number(v.toPrecision(3)).toString();
}
