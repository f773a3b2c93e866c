/**
 * Parity of SAE feature attribution and exact feature patching (src/analysis/sae) with the
 * independent float64 reference (tools/reference/sae_attribution.py: autograd through the spliced
 * SAE with its error term detached, and exact patches that replace one feature's activation before
 * decoding), at 1e-4 of each golden tensor's largest magnitude. The reference's SAEs are random
 * standard ones on golden checkpoint f32-bare (test/golden/saeAttribution/*: hook, input transform
 * and normalisation in each case.json), each run with a plain-JS encoder and with the engine's ONNX one. The last test of each case shows that careless versions fail the comparison:
 * the gradient of the wrong run, W_dec forgotten, the error term dropped, and (for the
 * normalize_activations cases: constant_norm_rescale on resid_pre 1, layer_norm with 'center' on
 * resid_post 0) the normalisation's scale forgotten.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { readSafetensorsFloat32 } from '../../src/model/checkpoint';
import { loadSaeFolder, SaeEncoder, type LoadedSae } from '../../src/model/sae';
import type { Float32Tensor } from '../../src/model/tensor';
import { logitDifference } from '../../src/analysis/patching/patchingMetric';
import { attributionByPosition, attributionTotals, runFeatureAttribution, type FeatureAttribution } from '../../src/analysis/sae/featureAttribution';
import { runFeaturePatching } from '../../src/analysis/sae/featurePatching';
import { PATCH_DIRECTIONS } from '../../src/shared/patchingVocabulary';
import { blockHook } from '../../src/shared/hookNames';
import { compareToGolden, goldenCases } from './goldenCases';
import { loadGoldenSae, plainEncoder } from '../unit/analysis/sae/plainSae';

const SAE_DIR = join(__dirname, 'saeAttribution');

function check(name: string, actual: Float32Array, golden: Float32Tensor | undefined): void {
  assert.ok(golden, `no golden tensor ${name}`);
  const r = compareToGolden(actual, golden.data);
  assert.ok(r.ok, `${name}: max error ${r.maxErr.toExponential(3)} > tolerance ${r.tol.toExponential(3)} at flat index ${r.where}`);
}

function fails(actual: Float32Array, golden: Float32Tensor): boolean {
  return !compareToGolden(actual, golden.data).ok;
}

for (const name of readdirSync(SAE_DIR).sort()) {
  const dir = join(SAE_DIR, name);
  const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
  describe(`SAE feature attribution parity with the PyTorch reference: ${name} (${meta.hook})`, () => {
    const gc = goldenCases().find((c) => c.name === meta.golden_case)!;
    let loaded: LoadedModel;
    let sae: LoadedSae;
    let golden: Map<string, Float32Tensor>;
    let a: FeatureAttribution;
    const metric = logitDifference(meta.answer, meta.wrong);
    const G = (k: string) => golden.get(k)!;

    before(async () => {
      loaded = await loadHookedGpt2(gc.checkpoint, { layerNorm: gc.layer_norm });
      sae = await loadGoldenSae(dir);
      golden = await readSafetensorsFloat32(join(dir, 'golden.safetensors'));
      a = await runFeatureAttribution(loaded.model, sae, plainEncoder(sae), { clean: gc.clean_tokens, corrupt: gc.corrupt_tokens, metric });
    });
    after(async () => loaded?.dispose());

    it('the metric of both runs, and the SAE activations of both runs', () => {
      check('metric.clean', Float32Array.of(a.clean.metric), G('metric.clean'));
      check('metric.corrupt', Float32Array.of(a.corrupt.metric), G('metric.corrupt'));
      check('acts.clean', a.clean.acts, G('acts.clean'));
      check('acts.corrupt', a.corrupt.acts, G('acts.corrupt'));
    });

    it('attribution of every feature in both directions, summed over positions and per position', () => {
      for (const d of PATCH_DIRECTIONS) {
        check(`attr.${d}`, a.totals[d], G(`attr.${d}`));
        const perPos = new Float32Array(a.nPos * a.dSae);
        for (let i = 0; i < a.dSae; i++) attributionByPosition(a, sae.weights.W_dec, d, i).forEach((v, p) => (perPos[p * a.dSae + i] = v));
        check(`attr_pos.${d}`, perPos, G(`attr_pos.${d}`));
      }
    });

    it('exact patch of every feature in both directions (batched, prefix reused), and the same without prefix reuse', async () => {
      const features = Array.from({ length: a.dSae }, (_, i) => i);
      const r = await runFeaturePatching(loaded.model, sae.weights.W_dec, a, { features, metric, maxBatch: 40 });
      for (const d of PATCH_DIRECTIONS) check(`exact.${d}`, r[d]!, G(`exact.${d}`));
      const plain = await runFeaturePatching(loaded.model, sae.weights.W_dec, a, { features, metric, reusePrefix: false, directions: ['denoise'] });
      check('exact.denoise (no prefix reuse)', plain.denoise!, G('exact.denoise'));
    });

    it("the same through the engine's loader and ONNX encoder (src/model/sae)", async () => {
      const real = await loadSaeFolder(dir);
      const encoder = await SaeEncoder.create(real, { threads: 1 });
      try {
        const b = await runFeatureAttribution(loaded.model, real, encoder, { clean: gc.clean_tokens, corrupt: gc.corrupt_tokens, metric });
        check('acts.corrupt (ONNX encoder)', b.corrupt.acts, G('acts.corrupt'));
        for (const d of PATCH_DIRECTIONS) check(`attr.${d} (ONNX encoder)`, b.totals[d], G(`attr.${d}`));
        const features = Array.from({ length: b.dSae }, (_, i) => i);
        const r = await runFeaturePatching(loaded.model, real.weights.W_dec, b, { features, metric, directions: ['noise'] });
        check('exact.noise (ONNX encoder)', r.noise!, G('exact.noise'));
      } finally {
        await encoder.release();
      }
    });

    it('careless versions are caught: gradient of the wrong run, W_dec forgotten, error term dropped', async () => {
      const W = sae.weights.W_dec;
      const { nPos, dIn, dSae } = a;
      const golden = G('attr.denoise');
      // denoise with the SOURCE (clean) run's gradient instead of the target's
      const wrongRun = new Float32Array(dSae);
      // Δf · Σ_j grad[j]: the gradient of x summed, no decoder direction
      const noWdec = new Float32Array(dSae);
      for (let p = 0; p < nPos; p++) {
        const gClean = a.clean.grad.subarray(p * dIn, (p + 1) * dIn);
        const gCorrupt = a.corrupt.grad.subarray(p * dIn, (p + 1) * dIn);
        const gSum = gCorrupt.reduce((s, v) => s + v, 0);
        for (let i = 0; i < dSae; i++) {
          const d = a.clean.acts[p * dSae + i] - a.corrupt.acts[p * dSae + i];
          let s = 0;
          for (let j = 0; j < dIn; j++) s += W[i * dIn + j] * gClean[j];
          wrongRun[i] += d * s;
          noWdec[i] += d * gSum;
        }
      }
      assert.ok(fails(wrongRun, golden), 'the gradient of the wrong run would pass');
      assert.ok(fails(noWdec, golden), 'forgetting W_dec would pass');
      if ((sae.config.normalizeActivations ?? 'none') !== 'none') {
        const unscaled = { ...a, corrupt: { ...a.corrupt, decodeScale: new Float32Array(nPos).fill(1) } };
        assert.ok(fails(attributionTotals(unscaled, W, 'denoise'), golden), 'forgetting the normalisation scale would pass');
      }

      // Splicing the reconstruction alone (no error term) changes the model: the metric moves, and
      // attributions taken from that run's gradients differ.
      const encode = plainEncoder(sae);
      const spliced = async (tokens: readonly number[]) => {
        const hook = a.hook;
        const x = (await loaded.model.runWithCache(tokens, [hook], { logits: 'none' })).cache.get(hook);
        const recon = (await encode.encode({ dims: [nPos, dIn], data: x.data })).recon;
        const L = a.hookLayer;
        const resid = (await loaded.model.runWithCache(tokens, [blockHook(L, 'hook_resid_pre')], { logits: 'none' })).cache.get(blockHook(L, 'hook_resid_pre'));
        const atPre = hook === blockHook(L, 'hook_resid_pre');
        const value = { dims: [1, nPos, dIn], data: recon.data };
        const out = await loaded.model.run(tokens, { startAt: { layer: L, residPre: atPre ? value : resid }, patches: atPre ? [] : [{ hook, values: value }] });
        return metric(out.logits!.data);
      };
      const mClean = await spliced(gc.clean_tokens);
      check('metric.spliced_without_error.clean', Float32Array.of(mClean), G('metric.spliced_without_error.clean'));
      assert.ok(fails(Float32Array.of(mClean), G('metric.clean')), 'splicing without the error term would keep the metric');
      assert.ok(fails(G('attr_without_error.denoise').data, golden), "the error-free run's attribution would pass");
    });
  });
}
