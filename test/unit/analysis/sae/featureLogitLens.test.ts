import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../../src/model/hookedGpt2';
import { featureLogitLens, featureLogitLenses, featureLogits, LENS_BASIS } from '../../../../src/analysis/sae';
import type { Gpt2Weights } from '../../../../src/model/gpt2Weights';
import { randomWeights, tinyConfig } from '../../model/randomGpt2';
import { randomSae } from './jsSae';

const c = tinyConfig({ tieWordEmbeddings: false });

/** Written out: u = (W_dec[f] − mean) ⊙ ln_f.w (or W_dec[f] as is), logits = u · W_U, minus their mean. */
function expected(weights: Gpt2Weights, wDec: Float32Array, f: number, fold: boolean, unembed: Float32Array): number[] {
  const d = c.dModel;
  const v = Array.from(wDec.subarray(f * d, (f + 1) * d));
  const m = v.reduce((a, b) => a + b, 0) / d;
  const u = fold ? v.map((x, i) => (x - m) * weights.lnFinal.w[i]) : v;
  const logits = Array.from({ length: c.dVocab }, (_, t) => u.reduce((s, x, i) => s + x * unembed[t * d + i], 0)); // unembed [d_vocab, d_model]
  const mean = logits.reduce((a, b) => a + b, 0) / c.dVocab;
  return logits.map((l) => l - mean);
}

describe('SAE feature logit lens', () => {
  const weights = randomWeights(c);
  const lmHead = Float32Array.from({ length: c.dVocab * c.dModel }, (_, i) => Math.sin(i * 0.37) * 0.8);
  const w: Gpt2Weights = { ...weights, lmHead };
  const sae = randomSae(c.dModel, 12, 'blocks.2.hook_resid_pre');
  let model: HookedGpt2;
  let identity: HookedGpt2;
  before(() => {
    model = new HookedGpt2(c, w);
    identity = new HookedGpt2(c, w, { layerNorm: 'identity' });
  });
  after(async () => {
    await model.dispose();
    await identity.dispose();
  });

  it('folds ln_final (centring and ln_f.w) into W_U, centres over the vocabulary, and reads the untied unembedding', () => {
    for (const f of [0, 5, 11]) {
      const got = featureLogits(model, sae, f);
      const want = expected(w, sae.weights.W_dec, f, true, lmHead);
      want.forEach((x, t) => assert.ok(Math.abs(got[t] - x) < 1e-5, `feature ${f} token ${t}: ${got[t]} vs ${x}`));
      assert.ok(Math.abs(got.reduce((a, b) => a + b, 0)) < 1e-4, 'centred over the vocabulary');
    }
  });

  it('without ln_final (LayerNorm identity) the direction goes to W_U as is', () => {
    const got = featureLogits(identity, sae, 3);
    const want = expected(w, sae.weights.W_dec, 3, false, lmHead);
    want.forEach((x, t) => assert.ok(Math.abs(got[t] - x) < 1e-5));
    assert.equal(featureLogitLens(identity, sae, 3, 2).basis, LENS_BASIS.identity);
    // and ln_f.w matters: the folded lens is a different vector
    const folded = featureLogits(model, sae, 3);
    assert.ok(Math.max(...folded.map((x, t) => Math.abs(x - got[t]))) > 0.1);
  });

  it('top k descending and bottom k ascending, by centred value', () => {
    const lens = featureLogitLens(model, sae, 7, 4);
    const all = featureLogits(model, sae, 7);
    const sorted = Array.from(all.keys()).sort((a, b) => all[b] - all[a]);
    assert.deepEqual(
      lens.top.map((e) => e.token),
      sorted.slice(0, 4),
    );
    assert.deepEqual(
      lens.bottom.map((e) => e.token),
      sorted.slice(-4).reverse(),
    );
    assert.equal(lens.top[0].value, all[sorted[0]]);
    assert.equal(lens.basis, LENS_BASIS.folded);
    assert.deepEqual(
      featureLogitLenses(model, sae, [7, 2], 4).map((l) => l.feature),
      [7, 2],
    );
    assert.throws(() => featureLogitLens(model, sae, 12, 4), /feature 12 is outside 0\.\.11/);
  });
});
