/**
 * The types of patching over a set of prompt pairs (issue 12): the request, progress, summary,
 * tables and result of `runDatasetSweeps` and `runDatasetAttribution`. Import them from
 * datasetSweeps.ts, which re-exports them.
 */
import type { PatchDirection, SweepKind } from '../../shared/patchingVocabulary';
import type { DatasetProgress, DatasetSummary, DatasetTableRecord } from '../../shared/datasetRecords';

/** The progress, summary and table records are plain data shared with the host and the webview (src/shared/datasetRecords). */
export type { DatasetProgress, DatasetSummary };
export type DatasetTable = DatasetTableRecord;

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
