/**
 * The attribution preview over a set of prompt pairs (issue 12): attribution patching (AtP) per
 * pair, from one forward+backward run per block of pairs of one length, then the same statistics as
 * the exact sweeps. Each per-pair value is an estimate of the patched metric: the target run's metric
 * plus the AtP estimate of the change, so the mean, normalised mean, standard error and restored
 * fraction read like the exact tables'.
 */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import { runDatasetEngine } from './datasetEngine';
import type { DatasetSweepRequest, DatasetSweepResult } from './datasetTypes';

/** Tables with source 'attribution': per pair, the target metric + the AtP estimate. */
export function runDatasetAttribution(model: HookedGpt2, req: Omit<DatasetSweepRequest, 'onTable'>): Promise<DatasetSweepResult> {
  return runDatasetEngine(model, req, 'attribution');
}
