/**
 * Parity with the independent PyTorch reference (tools/reference): every hook, the logits and every
 * patching table in both directions, for F32/F16/BF16 checkpoints, prefixed and bare tensor names,
 * an LN-free checkpoint (eps 1e12) and its identity-LayerNorm variant.
 */
import assert from 'node:assert/strict';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { readSafetensorsFloat32 } from '../../src/model/checkpoint';
import type { HookName } from '../../src/shared/hookNames';
import type { Float32Tensor } from '../../src/model/tensor';
import { runPatchingSweeps } from '../../src/analysis/patching/runPatchingSweeps';
import { runAttributionPatching } from '../../src/analysis/patching/attributionPatching';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { SWEEP_KINDS } from '../../src/shared/patchingVocabulary';
import { compareToGolden, goldenCases } from './goldenCases';

for (const gc of goldenCases()) {
  describe(`parity with the PyTorch reference: ${gc.name}`, () => {
    let loaded: LoadedModel;
    let golden: Map<string, Float32Tensor>;
    before(async () => {
      loaded = await loadHookedGpt2(gc.checkpoint, { layerNorm: gc.layer_norm });
      golden = await readSafetensorsFloat32(gc.goldenFile);
    });
    after(() => loaded?.dispose());

    it('every hook and the logits at every position', async () => {
      const hookNames = [...golden.keys()].filter((k) => k.startsWith('hook_') || k.startsWith('blocks.') || k.startsWith('ln_final.')) as HookName[];
      assert.ok(hookNames.length >= 4 + 18 * loaded.model.config.nLayers, `golden file holds every hook (${hookNames.length})`);
      const run = await loaded.model.runWithCache(gc.tokens, hookNames, { logits: 'all' });
      const failures: string[] = [];
      for (const name of [...hookNames, 'logits']) {
        const actual = name === 'logits' ? run.logits! : run.cache.get(name as HookName);
        const g = golden.get(name)!;
        assert.deepEqual(actual.dims, g.dims, `${name} shape`);
        const r = compareToGolden(actual.data, g.data);
        if (!r.ok) failures.push(`${name}: max error ${r.maxErr.toExponential(3)} > tolerance ${r.tol.toExponential(3)} at flat index ${r.where}`);
      }
      assert.deepEqual(failures, []);
    });

    it('every patching table, both directions', async () => {
      const result = await runPatchingSweeps(loaded.model, {
        clean: gc.clean_tokens,
        corrupt: gc.corrupt_tokens,
        metric: logitDifference(gc.answer, gc.wrong),
        sweeps: SWEEP_KINDS,
        maxBatch: 7, // not a divisor of the cell counts: chunking is exercised
      });
      assert.ok(compareToGolden(new Float32Array([result.metricClean]), golden.get('metric.clean')!.data).ok, 'clean metric');
      assert.ok(compareToGolden(new Float32Array([result.metricCorrupt]), golden.get('metric.corrupt')!.data).ok, 'corrupt metric');
      const failures: string[] = [];
      for (const t of result.tables) {
        const g = golden.get(`patch.${t.direction}.${t.sweep}`)!;
        assert.deepEqual(t.dims, g.dims, `${t.direction}.${t.sweep} shape`);
        const r = compareToGolden(t.values, g.data);
        if (!r.ok) failures.push(`${t.direction}.${t.sweep}: max error ${r.maxErr.toExponential(3)} > ${r.tol.toExponential(3)} at ${r.where}`);
      }
      assert.equal(result.tables.length, 2 * SWEEP_KINDS.length);
      assert.deepEqual(failures, []);
    });

    it('every attribution-patching table (ONNX backward graph vs torch autograd), both directions', async () => {
      const result = await runAttributionPatching(loaded.model, {
        clean: gc.clean_tokens,
        corrupt: gc.corrupt_tokens,
        metric: logitDifference(gc.answer, gc.wrong),
        sweeps: SWEEP_KINDS,
      });
      const failures: string[] = [];
      for (const t of result.tables) {
        const g = golden.get(`atp.${t.direction}.${t.sweep}`)!;
        assert.deepEqual(t.dims, g.dims, `atp.${t.direction}.${t.sweep} shape`);
        const r = compareToGolden(t.values, g.data);
        if (!r.ok) failures.push(`atp.${t.direction}.${t.sweep}: max error ${r.maxErr.toExponential(3)} > ${r.tol.toExponential(3)} at ${r.where}`);
      }
      assert.equal(result.tables.length, 2 * SWEEP_KINDS.length);
      assert.deepEqual(failures, []);
    });
  });
}
