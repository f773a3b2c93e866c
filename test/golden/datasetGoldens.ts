/** The committed dataset-mode goldens (tools/reference/dataset.py): prompt sets and their tables and statistics. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetPair, DatasetSweepResult } from '../../src/analysis/dataset/datasetSweeps';
import type { SweepKind } from '../../src/shared/patchingVocabulary';
import type { Float32Tensor } from '../../src/model/tensor';
import { compareToGolden } from './goldenCases';

export interface DatasetGolden {
  readonly name: string;
  readonly checkpoint: string;
  readonly layer_norm: 'as_configured' | 'identity';
  readonly sweeps: SweepKind[];
  readonly zero_gap: boolean;
  readonly pairs: DatasetPair[];
  readonly goldenFile: string;
}

export const DATASET_DIR = join(__dirname, 'dataset');

export function datasetGoldens(): DatasetGolden[] {
  return readdirSync(DATASET_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const name = f.replace(/\.json$/, '');
      const json = JSON.parse(readFileSync(join(DATASET_DIR, f), 'utf8'));
      return { ...json, name, checkpoint: join(__dirname, '..', '..', json.checkpoint), goldenFile: join(DATASET_DIR, `${name}.safetensors`) };
    });
}

/**
 * Every mismatch of a result against a set's golden, as `name: error` lines: the per-pair metrics, the
 * summary, and each table's per-pair values, mean, normalised mean, standard error and restored
 * fraction (present in the golden exactly when the result has them). `source` picks the exact ('exact')
 * or attribution ('atp') tables. `worst` is the largest error in units of its tolerance.
 */
export function datasetMismatches(result: DatasetSweepResult, golden: Map<string, Float32Tensor>, source: 'exact' | 'atp'): { failures: string[]; worst: number } {
  const failures: string[] = [];
  let worst = 0;
  const check = (name: string, actual: Float32Array | null, key: string) => {
    const g = golden.get(key);
    if (!g || !actual) {
      if (!!g !== !!actual) failures.push(`${name}: ${g ? 'missing' : 'present, but the golden has none'}`);
      return;
    }
    const r = compareToGolden(actual, g.data);
    worst = Math.max(worst, r.tol ? r.maxErr / r.tol : r.maxErr === 0 ? 0 : Infinity);
    if (!r.ok) failures.push(`${name}: max error ${r.maxErr.toExponential(3)} > ${r.tol.toExponential(3)} at ${r.where}`);
  };
  const s = result.summary;
  check('metric.clean', s.metricClean, 'metric.clean');
  check('metric.corrupt', s.metricCorrupt, 'metric.corrupt');
  const summary = golden.get('summary')!.data;
  check('summary', new Float32Array([s.meanClean, s.meanCorrupt, s.cleanBeatsCorrupt, s.zeroGap ? 1 : 0]), 'summary');
  if (s.zeroGap !== (summary[3] === 1)) failures.push(`zeroGap ${s.zeroGap}`);
  for (const t of result.tables) {
    const key = `${source}.${t.direction}.${t.sweep}`;
    check(`${key}.perPair`, t.perPair, `${key}.perPair`);
    check(`${key}.mean`, t.mean, `${key}.mean`);
    check(`${key}.normalised`, t.normalised, `${key}.normalised`);
    check(`${key}.se`, t.standardError, `${key}.se`);
    check(`${key}.fraction`, t.restoredFraction, `${key}.fraction`);
  }
  return { failures, worst };
}
