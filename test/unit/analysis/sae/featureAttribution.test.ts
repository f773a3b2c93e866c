/**
 * SAE feature attribution and exact feature patching on a golden checkpoint with a small random SAE:
 * the estimate is the slope of the exact patch, features that do not change are not run, ranking,
 * non-linear metrics, bad input and cancellation. Parity with the PyTorch reference is in
 * test/golden/saeAttribution.test.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../../../src/model/loadHookedGpt2';
import { answerProbability, logitDifference, type LogitsMetric } from '../../../../src/analysis/patching/patchingMetric';
import {
  attributionByPosition,
  rankFeatures,
  runFeatureAttribution,
  type FeatureAttribution,
  type FeatureRun,
} from '../../../../src/analysis/sae/featureAttribution';
import { patchedHookValues, runFeaturePatching } from '../../../../src/analysis/sae/featurePatching';
import { blockHook } from '../../../../src/shared/hookNames';
import type { LoadedSae } from '../../../../src/model/sae';
import { goldenCases } from '../../../golden/goldenCases';
import { loadGoldenSae, plainEncoder, plainSae } from './plainSae';

const gc = goldenCases().find((c) => c.name === 'f32-bare')!;

/** The metric after moving the hook's value by ε of feature i's patch (target run, startAt the hook's layer). */
async function alongPatch(loaded: LoadedModel, a: FeatureAttribution, W: Float32Array, metric: LogitsMetric, feature: number, eps: number): Promise<number> {
  const src = a.clean;
  const tgt = a.corrupt;
  const scaled: FeatureRun = { ...src, acts: tgt.acts.map((t, k) => t + eps * (src.acts[k] - t)) };
  const values = patchedHookValues({ ...a, clean: scaled }, W, 'denoise', [feature]);
  const out = await loaded.model.run(tgt.tokens, { startAt: { layer: a.hookLayer, residPre: { dims: [1, a.nPos, a.dIn], data: values } } });
  return metric(out.logits!.data);
}

describe('SAE feature attribution (analysis/sae/featureAttribution, featurePatching)', () => {
  let loaded: LoadedModel;
  let sae: LoadedSae;
  before(async () => {
    loaded = await loadHookedGpt2(gc.checkpoint);
    sae = await loadGoldenSae(join(__dirname, '..', '..', '..', 'golden', 'saeAttribution', 'resid1-standard'));
  });
  after(async () => loaded?.dispose());

  for (const [name, make] of [
    ['logit difference', () => logitDifference(gc.answer, gc.wrong)],
    ['answer probability (non-linear)', () => answerProbability(gc.answer)],
  ] as const) {
    it(`the estimate is the slope of the exact patch at 0 (${name})`, async () => {
      const metric = make();
      const a = await runFeatureAttribution(loaded.model, sae, plainEncoder(sae), { clean: gc.clean_tokens, corrupt: gc.corrupt_tokens, metric });
      const [top] = rankFeatures(a.totals, 1);
      const eps = 1e-2;
      const up = await alongPatch(loaded, a, sae.weights.W_dec, metric, top.feature, eps);
      const down = await alongPatch(loaded, a, sae.weights.W_dec, metric, top.feature, -eps);
      const slope = (up - down) / (2 * eps);
      assert.ok(Math.abs(slope - top.denoise) < 2e-3 * (1 + Math.abs(top.denoise)), `slope ${slope} vs attribution ${top.denoise}`);
      // per position sums to the total
      const perPos = attributionByPosition(a, sae.weights.W_dec, 'denoise', top.feature);
      assert.ok(Math.abs(perPos.reduce((s, v) => s + v, 0) - top.denoise) < 1e-5 * (1 + Math.abs(top.denoise)));
      // and nothing before the first differing token
      assert.ok(perPos.subarray(0, a.firstDiff).every((v) => v === 0));
    });
  }

  it('positions before the first difference and features equal in both runs are neither attributed nor run', async () => {
    const metric = logitDifference(gc.answer, gc.wrong);
    // a feature that never fires: b_enc very negative
    const b_enc = sae.weights.b_enc.slice();
    b_enc[3] = -1e6;
    const s2 = plainSae(sae.config.hookName, { ...sae.weights, b_enc }, sae.config.dIn);
    const a = await runFeatureAttribution(loaded.model, s2, plainEncoder(s2), { clean: gc.clean_tokens, corrupt: gc.corrupt_tokens, metric });
    assert.equal(a.firstDiff, 6);
    assert.equal(a.totals.denoise[3], 0);
    assert.ok(!rankFeatures(a.totals, 1000).some((r) => r.feature === 3));
    const progress: number[] = [];
    const r = await runFeaturePatching(loaded.model, s2.weights.W_dec, a, { features: [3, 5], metric, onProgress: (p) => progress.push(p.total) });
    assert.equal(r.denoise![0], a.corrupt.metric);
    assert.equal(r.noise![0], a.clean.metric);
    assert.notEqual(r.denoise![1], a.corrupt.metric);
    assert.deepEqual(progress, [1, 1], 'only the live feature is run');
  });

  it('a source equal to the target changes nothing: every patch gives the target metric exactly', async () => {
    const metric = logitDifference(gc.answer, gc.wrong);
    const a = await runFeatureAttribution(loaded.model, sae, plainEncoder(sae), { clean: gc.clean_tokens, corrupt: gc.corrupt_tokens, metric });
    // the target with itself as the source: every feature is a no-op
    const self = { ...a, clean: a.corrupt };
    const r = await runFeaturePatching(loaded.model, sae.weights.W_dec, self, { features: [0, 1, 2], metric, directions: ['denoise'] });
    assert.deepEqual([...r.denoise!], [a.corrupt.metric, a.corrupt.metric, a.corrupt.metric].map(Math.fround));
  });

  it('ranks by the larger magnitude of the two directions, keeps signs, and leaves out features with none', () => {
    const totals = { denoise: Float32Array.of(0.1, -0.9, 0, 0.3), noise: Float32Array.of(-0.5, 0.2, 0, 0.3) };
    assert.deepEqual(rankFeatures(totals, 10), [
      { feature: 1, denoise: Math.fround(-0.9), noise: Math.fround(0.2) },
      { feature: 0, denoise: Math.fround(0.1), noise: Math.fround(-0.5) },
      { feature: 3, denoise: Math.fround(0.3), noise: Math.fround(0.3) },
    ]);
    assert.deepEqual(
      rankFeatures(totals, 1).map((r) => r.feature),
      [1],
    );
  });

  it('refuses prompts of different lengths, a hook without gradients, and stops when cancelled', async () => {
    const metric = logitDifference(gc.answer, gc.wrong);
    await assert.rejects(
      runFeatureAttribution(loaded.model, sae, plainEncoder(sae), { clean: gc.clean_tokens, corrupt: gc.corrupt_tokens.slice(1), metric }),
      /equal token counts/,
    );
    const odd = plainSae('blocks.0.ln1.hook_normalized', sae.weights, sae.config.dIn);
    await assert.rejects(
      runFeatureAttribution(loaded.model, odd, plainEncoder(odd), { clean: gc.clean_tokens, corrupt: gc.corrupt_tokens, metric }),
      /gradients exist only/,
    );
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      runFeatureAttribution(loaded.model, sae, plainEncoder(sae), { clean: gc.clean_tokens, corrupt: gc.corrupt_tokens, metric, signal: ac.signal }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(blockHook(1, 'hook_resid_pre'), sae.config.hookName);
  });
});
