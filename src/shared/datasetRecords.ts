/**
 * The plain records of patching over a set of prompt pairs (issue 12), written once for the
 * engine's computation (src/analysis/dataset), the host and the dataset webview, which may not
 * import src/analysis. Pure types.
 */
import type { PatchDirection, SweepKind } from './patchingVocabulary';

/** "pair i of N, table j of M". */
export interface DatasetProgress {
  readonly pairsDone: number;
  readonly pairsTotal: number;
  readonly tablesDone: number;
  readonly tablesTotal: number;
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  /** 0..1 overall. */
  readonly fraction: number;
}

export interface DatasetSummary {
  /** Pairs included. */
  readonly pairs: number;
  /** Logit difference of each pair's clean and corrupt prompt, [n_pairs]. */
  readonly metricClean: Float32Array;
  readonly metricCorrupt: Float32Array;
  readonly meanClean: number;
  readonly meanCorrupt: number;
  /** Fraction of pairs with metricClean > metricCorrupt. */
  readonly cleanBeatsCorrupt: number;
  /** |meanClean − meanCorrupt| too small to normalise: views show raw values only. */
  readonly zeroGap: boolean;
}

/** One table over the set, row-major over `dims`. */
export interface DatasetTableRecord {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  readonly source: 'attribution' | 'exact';
  /** [n_layers, …] as PatchTable: [layer, pos], [layer, head_index], [layer, head_index, pos]. */
  readonly dims: readonly number[];
  readonly axes: readonly string[];
  /** Mean patched metric (exact) or mean estimate (target metric + AtP). */
  readonly mean: Float32Array;
  /** (mean − meanCorrupt) / (meanClean − meanCorrupt); null when the set's gap is zero. */
  readonly normalised: Float32Array | null;
  /** Sample sd / √n of the per-pair values; 0 where fewer than 2 pairs. */
  readonly standardError: Float32Array;
  /** Denoise: fraction of pairs where the cell restores ≥ half the gap; noise: removes ≥ half. Null when no pair has a gap. */
  readonly restoredFraction: Float32Array | null;
  /** [n_pairs, …dims]. */
  readonly perPair: Float32Array;
}
