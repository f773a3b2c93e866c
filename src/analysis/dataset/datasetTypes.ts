/**
 * The types of patching over a set of prompt pairs (issue 12): the request, progress, summary,
 * tables and result of `runDatasetSweeps` and `runDatasetAttribution`. Import them from
 * datasetSweeps.ts, which re-exports them.
 */
import type { PatchDirection, SweepKind } from '../../shared/patchingVocabulary';

/**
 * What a sweep needs of a pair: token ids (same length within the pair) and the answer and wrong
 * tokens of the logit-difference metric. `TokenizedPair` (src/shared/promptSet.ts) is one.
 */
export interface DatasetPair {
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly answer: number;
  readonly wrong: number;
}

export interface DatasetSweepRequest {
  /** Metric per pair: logit[answer] − logit[wrong] at the last position. */
  readonly pairs: readonly DatasetPair[];
  /** Every sweep single-pair comparison has; position sweeps need equal lengths across the set (else left out, with a note). */
  readonly sweeps: readonly SweepKind[];
  /** Default both. */
  readonly directions?: readonly PatchDirection[];
  /** Most patched runs in one batch (default 32). */
  readonly maxBatch?: number;
  /** Default DEFAULT_PATCHING_BUDGET_BYTES. */
  readonly memoryBudgetBytes?: number;
  /** Abort → resolves with `partial` and the finished pairs (throws only when no pair is finished). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: DatasetProgress) => void;
  /** Each table as soon as it is final (all pairs done for it: at the end, pairs are the outer loop so a cancel keeps whole pairs). */
  readonly onTable?: (t: DatasetTable) => void;
  /** After each block of pairs but the last: every table over the pairs finished so far (`partial` set), for a view that fills in as it goes. */
  readonly onPairsDone?: (r: DatasetSweepResult) => void;
}

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
  /** Per pair. */
  readonly metricClean: Float32Array;
  /** Per pair. */
  readonly metricCorrupt: Float32Array;
  readonly meanClean: number;
  readonly meanCorrupt: number;
  /** Fraction of pairs with metricClean > metricCorrupt. */
  readonly cleanBeatsCorrupt: number;
  /** |meanClean − meanCorrupt| too small to normalise: views show raw values only. */
  readonly zeroGap: boolean;
}

export interface DatasetTable {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  readonly source: 'attribution' | 'exact';
  /** As PatchingTable: [n_layers, ...]. */
  readonly dims: readonly number[];
  readonly axes: readonly string[];
  /** Mean patched metric (exact) or mean estimate (target metric + AtP). */
  readonly mean: Float32Array;
  /** (mean − meanCorrupt) / (meanClean − meanCorrupt); null when zeroGap. */
  readonly normalised: Float32Array | null;
  /** Of the per-pair values: sample sd / √n; 0 where n < 2. */
  readonly standardError: Float32Array;
  /** Denoise: fraction of pairs (with a non-zero gap) where the cell restores ≥ half the gap; noise: removes ≥ half. Null when no pair has a gap. */
  readonly restoredFraction: Float32Array | null;
  /** [n_pairs, ...dims]. */
  readonly perPair: Float32Array;
}

export interface DatasetSweepResult {
  readonly summary: DatasetSummary;
  readonly tables: readonly DatasetTable[];
  /** Set when cancelled: `done` finished pairs of `total`. */
  readonly partial?: { readonly done: number; readonly total: number };
  /** Why sweeps were left out (e.g. position sweeps over pairs of different lengths). */
  readonly notes: readonly string[];
  /** The request's index of each pair in `perPair` and the summary (all of them, in order, unless partial). */
  readonly pairIndices: readonly number[];
}
