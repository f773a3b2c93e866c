/**
 * The statistics of patching over a set of prompt pairs (issue 12), from per-pair values. Pure.
 *
 * Per cell of a table, over the n pairs:
 * - mean: the mean raw patched metric;
 * - normalised: (mean − meanCorrupt) / (meanClean − meanCorrupt), normalised by the dataset means
 *   (not the mean of per-pair normalised values: one pair with a tiny gap would dominate it);
 * - standard error: the sample standard deviation (n − 1) of the per-pair values over √n, 0 for n < 2;
 * - restored fraction: of the pairs with a non-zero gap, the fraction where the cell restores
 *   (denoise: (patched − corrupt) / (clean − corrupt) ≥ ½) or removes (noise: (clean − patched) /
 *   (clean − corrupt) ≥ ½) at least half of that pair's own gap.
 *
 * "Zero gap": a gap is treated as zero when |gap| ≤ ZERO_GAP_RELATIVE × the largest |metric| of the
 * set (clean or corrupt, any pair). 1e-4 is the parity tolerance of the engine against the float64
 * reference: a smaller gap is within what float32 rounding may move, and normalising by it would
 * amplify that rounding into meaningless values. A set whose metrics are all 0 has a zero gap.
 */
import type { PatchDirection } from '../../shared/patchingVocabulary';
import type { DatasetSummary } from './datasetTypes';

export const ZERO_GAP_RELATIVE = 1e-4;

/** The scale gaps are compared with: the largest |metric| over every pair's clean and corrupt run. */
export function metricScale(metricClean: ArrayLike<number>, metricCorrupt: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < metricClean.length; i++) s = Math.max(s, Math.abs(metricClean[i]), Math.abs(metricCorrupt[i]));
  return s;
}

/** True when `gap` is indistinguishable from zero at this scale (see the module note). */
export function isZeroGap(gap: number, scale: number): boolean {
  return !(Math.abs(gap) > ZERO_GAP_RELATIVE * scale);
}

export function summarise(metricClean: Float32Array, metricCorrupt: Float32Array): DatasetSummary {
  const n = metricClean.length;
  if (metricCorrupt.length !== n) throw new Error(`${n} clean metrics but ${metricCorrupt.length} corrupt ones`);
  let sc = 0;
  let sk = 0;
  let beats = 0;
  for (let i = 0; i < n; i++) {
    sc += metricClean[i];
    sk += metricCorrupt[i];
    if (metricClean[i] > metricCorrupt[i]) beats++;
  }
  const meanClean = n ? sc / n : 0;
  const meanCorrupt = n ? sk / n : 0;
  return {
    pairs: n,
    metricClean,
    metricCorrupt,
    meanClean,
    meanCorrupt,
    cleanBeatsCorrupt: n ? beats / n : 0,
    zeroGap: isZeroGap(meanClean - meanCorrupt, metricScale(metricClean, metricCorrupt)),
  };
}

export interface CellStats {
  readonly mean: Float32Array;
  readonly normalised: Float32Array | null;
  readonly standardError: Float32Array;
  readonly restoredFraction: Float32Array | null;
}

/**
 * The statistics of every cell from `perPair` [n, cells] (row i: pair i's values). The summary's
 * metrics are those of the same pairs, in the same order.
 */
export function cellStats(perPair: Float32Array, cells: number, summary: DatasetSummary, direction: PatchDirection): CellStats {
  const n = summary.pairs;
  if (perPair.length !== n * cells) throw new Error(`per-pair values have ${perPair.length} entries, expected ${n} pairs × ${cells} cells`);
  const mean = new Float32Array(cells);
  const standardError = new Float32Array(cells);
  const scale = metricScale(summary.metricClean, summary.metricCorrupt);
  const withGap: number[] = [];
  for (let i = 0; i < n; i++) if (!isZeroGap(summary.metricClean[i] - summary.metricCorrupt[i], scale)) withGap.push(i);
  const restoredFraction = withGap.length ? new Float32Array(cells) : null;
  const normalised = summary.zeroGap ? null : new Float32Array(cells);
  const meanGap = summary.meanClean - summary.meanCorrupt;
  for (let c = 0; c < cells; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += perPair[i * cells + c];
    const m = n ? s / n : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (perPair[i * cells + c] - m) ** 2;
    mean[c] = m;
    standardError[c] = n >= 2 ? Math.sqrt(ss / (n - 1)) / Math.sqrt(n) : 0;
    if (normalised) normalised[c] = (m - summary.meanCorrupt) / meanGap;
    if (restoredFraction) {
      let hits = 0;
      for (const i of withGap) if (restoresHalf(perPair[i * cells + c], summary.metricClean[i], summary.metricCorrupt[i], direction)) hits++;
      restoredFraction[c] = hits / withGap.length;
    }
  }
  return { mean, normalised, standardError, restoredFraction };
}

/**
 * Whether a patched value restores (denoise) or removes (noise) at least half of its pair's gap.
 * The pair's gap must be non-zero.
 */
export function restoresHalf(patched: number, clean: number, corrupt: number, direction: PatchDirection): boolean {
  const gap = clean - corrupt;
  return direction === 'denoise' ? (patched - corrupt) / gap >= 0.5 : (clean - patched) / gap >= 0.5;
}
