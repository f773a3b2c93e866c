/**
 * Exact activation patching over a set of prompt pairs (issue 12): every sweep single-pair comparison
 * has, per pair, then the mean, normalised mean, standard error and restored fraction per cell.
 * The engine is in datasetEngine.ts (how pairs are batched), the statistics in datasetStats.ts.
 */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import { runDatasetEngine } from './datasetEngine';
import type { DatasetSweepRequest, DatasetSweepResult } from './datasetTypes';

export type { DatasetPair, DatasetProgress, DatasetSummary, DatasetSweepRequest, DatasetSweepResult, DatasetTable } from './datasetTypes';

/**
 * Exact patching of every pair, then the statistics per cell. Pairs of one length share batched
 * runs (one patch per batch element, each element with its own tokens, start residual and prefix
 * cache). Pairs are the outer loop, in blocks of one length: a cancel keeps the finished blocks.
 */
export function runDatasetSweeps(model: HookedGpt2, req: DatasetSweepRequest): Promise<DatasetSweepResult> {
  return runDatasetEngine(model, req, 'exact');
}

export { runDatasetAttribution } from './datasetAttribution';
