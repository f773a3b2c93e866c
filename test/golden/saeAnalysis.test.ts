/**
 * Parity of the SAE feature analyses (src/analysis/sae) with the independent float64 reference
 * (tools/reference/sae_analysis.py), at 1e-4 of each golden tensor's largest magnitude, through the
 * real loader and ONNX encoder (src/model/sae): four golden SAEs (standard, jumprelu, gated, topk;
 * F32, F16, BF16; v6 and pre-6 configs; centred and not) on golden checkpoints, one of them with
 * LayerNorm 'identity'. The last test of each case shows that the careless versions the reference
 * computed (zero-vector ablation, an off-by-one ablated position, the logit lens without ln_final.w,
 * a reconstruction without its removed row mean) fail these same comparisons.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { readSafetensorsFloat32 } from '../../src/model/checkpoint';
import { loadSaeFolder, SaeEncoder, type LoadedSae } from '../../src/model/sae';
import type { Float32Tensor } from '../../src/model/tensor';
import { featureLogits, runAblatedText, runFeatureActivations, runReconstructionQuality, type ReconstructionQuality } from '../../src/analysis/sae';
import { compareToGolden, goldenCases } from './goldenCases';

const SAE_DIR = join(__dirname, 'sae-analysis');

interface CaseMeta {
  readonly golden_case: string;
  readonly hook: string;
  readonly architecture: string;
  readonly dtype: string;
  readonly config_form: string;
  readonly input_transform: string;
  readonly tokens: number[];
  readonly feature: number;
  readonly position: number;
}

function check(name: string, actual: Float32Array, golden: Float32Tensor | undefined): void {
  assert.ok(golden, `no golden tensor ${name}`);
  const r = compareToGolden(actual, golden.data);
  assert.ok(r.ok, `${name}: max error ${r.maxErr.toExponential(3)} > tolerance ${r.tol.toExponential(3)} at flat index ${r.where}`);
}

for (const name of readdirSync(SAE_DIR).sort()) {
  const dir = join(SAE_DIR, name);
  const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseMeta;
  describe(`SAE analysis parity with the PyTorch reference: ${name} (${meta.architecture}, ${meta.dtype}, ${meta.config_form}, input ${meta.input_transform})`, () => {
    const gc = goldenCases().find((c) => c.name === meta.golden_case)!;
    let loaded: LoadedModel;
    let sae: LoadedSae;
    let encoder: SaeEncoder;
    let golden: Map<string, Float32Tensor>;
    let quality: ReconstructionQuality;
    const G = (k: string) => golden.get(k);

    before(async () => {
      loaded = await loadHookedGpt2(gc.checkpoint, { layerNorm: gc.layer_norm });
      sae = await loadSaeFolder(dir);
      encoder = await SaeEncoder.create(sae);
      golden = await readSafetensorsFloat32(join(dir, 'golden.safetensors'));
      quality = await runReconstructionQuality(loaded.model, encoder, sae, meta.tokens);
    });
    after(async () => {
      await encoder?.release();
      await loaded?.dispose();
    });

    it('the loaded SAE is the case’s: architecture, hook, input transform', () => {
      assert.equal(sae.config.architecture, meta.architecture);
      assert.equal(sae.config.hookName, meta.hook);
      assert.equal(sae.config.inputTransform, meta.input_transform);
      assert.equal(sae.config.configForm, meta.config_form);
    });

    it('activations, error norm and residual norm at every position', async () => {
      const r = await runFeatureActivations(loaded.model, encoder, sae, meta.tokens, { topK: 5 });
      check('acts', r.acts.data, G('acts'));
      check('error_norm', r.errorNorm, G('error_norm'));
      check('resid_norm', r.residNorm, G('resid_norm'));
      assert.equal(r.top[meta.position][0].feature, meta.feature, 'the strongest feature at the chosen position');
    });

    it('feature logit lens of every feature (ln_final folded, centred over the vocabulary)', () => {
      const V = loaded.model.config.dVocab;
      const all = new Float32Array(sae.config.dSae * V);
      for (let f = 0; f < sae.config.dSae; f++) all.set(featureLogits(loaded.model, sae, f), f * V);
      check('lens', all, G('lens'));
    });

    it('ablated text: the feature at the last position with each hook_embed replaced by the mean embedding', async () => {
      const r = await runAblatedText(loaded.model, encoder, sae, meta.tokens, meta.feature, meta.position);
      check('ablated', r.ablated, G('ablated'));
      check('ablated_clean', Float32Array.of(r.clean), G('ablated_clean'));
    });

    it('reconstruction quality: relative error, variance explained, KL, CE, top-1 agreement', () => {
      check('recon (error norm)', quality.errorNorm, G('error_norm'));
      check('quality.rel_error', quality.relativeError, G('quality.rel_error'));
      check('quality.kl', quality.klPerPosition, G('quality.kl'));
      check('quality.ce_clean', quality.ceClean, G('quality.ce_clean'));
      check('quality.ce_spliced', quality.ceSpliced, G('quality.ce_spliced'));
      check('quality.top1', Float32Array.from(quality.top1Agrees), G('quality.top1'));
      check('quality.var_explained', Float32Array.of(quality.varianceExplained), G('quality.var_explained'));
      check('quality.var_explained_no_bos', Float32Array.of(quality.varianceExplainedExcludingBos), G('quality.var_explained_no_bos'));
      assert.equal(quality.firstIsBos, true);
    });

    it('careless versions fail these comparisons', () => {
      const careless: [string, string][] = [
        ['careless.ablated_zero', 'ablated'],
        ['careless.ablated_off_by_one', 'ablated'],
        ['careless.lens_no_ln_w', 'lens'],
        ['careless.error_norm_no_mean', 'error_norm'],
        ['careless.kl_spliced_no_mean', 'quality.kl'],
      ];
      let shown = 0;
      for (const [bug, ref] of careless) {
        const b = G(bug);
        if (!b) continue;
        shown++;
        const r = compareToGolden(b.data, G(ref)!.data);
        assert.ok(!r.ok, `${bug} would pass the ${ref} comparison (max error ${r.maxErr} ≤ ${r.tol})`);
        assert.ok(r.maxErr > 100 * r.tol, `${bug}: only ${(r.maxErr / r.tol).toFixed(1)}× the tolerance`);
      }
      assert.ok(shown >= 3, `${shown} careless versions in this case`);
    });
  });
}
