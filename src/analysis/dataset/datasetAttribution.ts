/** The attribution preview over a set of prompt pairs: AtP per pair, batched across pairs, then the same statistics as the exact sweeps. */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { DatasetSweepRequest, DatasetSweepResult } from './datasetSweeps';

/** Tables with source 'attribution': per pair, the target metric + the AtP estimate. */
export async function runDatasetAttribution(model: HookedGpt2, req: Omit<DatasetSweepRequest, 'onTable'>): Promise<DatasetSweepResult> {
  void model;
  void req;
  throw new Error('runDatasetAttribution: not built yet');
}
