/**
 * Dataset mode against the independent PyTorch reference (tools/reference/dataset.py): per pair, the
 * reference's own patching and AtP tables; per cell, the mean of those, the mean normalised by the
 * set's means, the standard error (sample sd / √n) and the fraction of pairs restored (denoise) or
 * removed (noise) by at least half their gap, all at the 1e-4 parity tolerance. The engine batches
 * across pairs; small batches make every batch mix pairs and cells.
 */
import assert from 'node:assert/strict';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { readSafetensorsFloat32 } from '../../src/model/checkpoint';
import type { Float32Tensor } from '../../src/model/tensor';
import { runDatasetAttribution, runDatasetSweeps } from '../../src/analysis/dataset/datasetSweeps';
import { SWEEP_KINDS } from '../../src/shared/patchingVocabulary';
import { datasetGoldens, datasetMismatches } from './datasetGoldens';

for (const set of datasetGoldens()) {
  describe(`dataset parity with the PyTorch reference: ${set.name} (${set.pairs.length} pairs)`, function () {
    this.timeout(120_000);
    let loaded: LoadedModel;
    let golden: Map<string, Float32Tensor>;
    before(async () => {
      loaded = await loadHookedGpt2(set.checkpoint, { layerNorm: set.layer_norm });
      golden = await readSafetensorsFloat32(set.goldenFile);
    });
    after(() => loaded?.dispose());

    it('exact sweeps: per-pair tables, mean, normalised, standard error, restored fraction, summary', async () => {
      const result = await runDatasetSweeps(loaded.model, { pairs: set.pairs, sweeps: set.sweeps, maxBatch: 5 });
      assert.equal(result.partial, undefined);
      assert.equal(result.tables.length, 2 * set.sweeps.length);
      assert.equal(result.summary.zeroGap, set.zero_gap);
      if (set.zero_gap) assert.ok(result.tables.every((t) => t.normalised === null));
      assert.deepEqual(datasetMismatches(result, golden, 'exact').failures, []);
    });

    it('attribution preview: target metric + AtP per pair, and the same statistics', async () => {
      const result = await runDatasetAttribution(loaded.model, { pairs: set.pairs, sweeps: set.sweeps });
      assert.equal(result.tables.length, 2 * set.sweeps.length);
      assert.deepEqual(datasetMismatches(result, golden, 'atp').failures, []);
    });

    if (new Set(set.pairs.map((p) => p.clean.length)).size > 1) {
      it('every sweep asked over pairs of different lengths: position sweeps left out with a note, head tables still match', async () => {
        const result = await runDatasetSweeps(loaded.model, { pairs: set.pairs, sweeps: SWEEP_KINDS, directions: ['noise'] });
        assert.deepEqual(
          result.tables.map((t) => t.sweep),
          set.sweeps,
        );
        assert.equal(result.notes.length, 1);
        assert.match(result.notes[0], /resid_pre, attn_out, mlp_out, z_by_pos/);
        assert.deepEqual(datasetMismatches(result, golden, 'exact').failures, []);
      });
    }
  });
}
