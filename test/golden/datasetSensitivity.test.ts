/**
 * The dataset parity tests (dataset.test.ts) catch what a careless version gets wrong: batching
 * across pairs that gives every batch element the first element's prefix keys and values, or its
 * start residual; normalising each pair by its own gap and then averaging; the population standard
 * deviation (n) in the standard error. tools/reference/dataset_sensitivity.json has the same two
 * statistics mistakes measured in the reference (hundreds of tolerances).
 */
import assert from 'node:assert/strict';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { readSafetensorsFloat32 } from '../../src/model/checkpoint';
import type { Float32Tensor } from '../../src/model/tensor';
import { runDatasetEngine, type DatasetFault } from '../../src/analysis/dataset/datasetEngine';
import type { DatasetSweepResult, DatasetTable } from '../../src/analysis/dataset/datasetSweeps';
import { datasetGoldens, datasetMismatches } from './datasetGoldens';

/** Normalised per pair (over the pairs with a gap), then averaged: what the formula is not. */
function normalisedPerPairThenAveraged(t: DatasetTable, r: DatasetSweepResult): Float32Array {
  const n = r.summary.pairs;
  const cells = t.mean.length;
  const out = new Float32Array(cells);
  const keep = [...Array(n).keys()].filter((i) => r.summary.metricClean[i] !== r.summary.metricCorrupt[i]);
  for (let c = 0; c < cells; c++) {
    let s = 0;
    for (const i of keep) s += (t.perPair[i * cells + c] - r.summary.metricCorrupt[i]) / (r.summary.metricClean[i] - r.summary.metricCorrupt[i]);
    out[c] = s / keep.length;
  }
  return out;
}

/** The standard error with the population sd: √(Σ (x − mean)² / n) / √n. */
function populationSe(t: DatasetTable, n: number): Float32Array {
  const cells = t.mean.length;
  return Float32Array.from({ length: cells }, (_, c) => {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (t.perPair[i * cells + c] - t.mean[c]) ** 2;
    return Math.sqrt(ss / n) / Math.sqrt(n);
  });
}

describe('dataset mode: the parity tests catch careless batching and statistics', function () {
  this.timeout(120_000);
  for (const set of datasetGoldens().filter((s) => s.name !== 'zero-gap')) {
    describe(set.name, () => {
      let loaded: LoadedModel;
      let golden: Map<string, Float32Tensor>;
      before(async () => {
        loaded = await loadHookedGpt2(set.checkpoint, { layerNorm: set.layer_norm });
        golden = await readSafetensorsFloat32(set.goldenFile);
      });
      after(() => loaded?.dispose());

      const run = (fault?: DatasetFault) => runDatasetEngine(loaded.model, { pairs: set.pairs, sweeps: set.sweeps }, 'exact', fault ? { fault } : {});

      it("batching: the right prefix and residual per element pass; the first element's for all fails", async () => {
        assert.deepEqual(datasetMismatches(await run(), golden, 'exact').failures, []);
        for (const fault of ['prefix-of-first-element', 'residual-of-first-element'] as const) {
          const m = datasetMismatches(await run(fault), golden, 'exact');
          assert.ok(m.failures.length > 0 && m.worst > 10, `${fault}: ${m.failures.length} mismatches, worst ${m.worst.toFixed(1)} tolerances`);
          assert.ok(
            m.failures.some((f) => f.includes('.mean:')),
            `${fault}: the mean tables miss too`,
          );
        }
      });

      it('statistics: normalising per pair then averaging, or the population sd, fails', async () => {
        const right = await run();
        const careless = (f: (t: DatasetTable) => Partial<DatasetTable>): DatasetSweepResult => ({ ...right, tables: right.tables.map((t) => ({ ...t, ...f(t) })) });
        const perPair = datasetMismatches(
          careless((t) => ({ normalised: normalisedPerPairThenAveraged(t, right) })),
          golden,
          'exact',
        );
        assert.ok(perPair.failures.length > 0 && perPair.failures.every((f) => f.includes('.normalised:')) && perPair.worst > 10, JSON.stringify(perPair));
        const population = datasetMismatches(
          careless((t) => ({ standardError: populationSe(t, right.summary.pairs) })),
          golden,
          'exact',
        );
        assert.ok(population.failures.length > 0 && population.failures.every((f) => f.includes('.se:')) && population.worst > 10, JSON.stringify(population));
      });
    });
  }
});
