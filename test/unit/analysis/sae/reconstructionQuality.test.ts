import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../../src/model/hookedGpt2';
import { float32Tensor } from '../../../../src/model/tensor';
import { runReconstructionQuality } from '../../../../src/analysis/sae';
import { randomWeights, tinyConfig } from '../../model/randomGpt2';
import { exactSae, JsEncoder, randomSae } from './jsSae';

const c = tinyConfig();
const tokens = [49, 3, 17, 8, 3, 17, 22, 5, 9, 30]; // 49 is the BOS
const hook = 'blocks.1.hook_resid_pre';

function logSoftmax(row: Float32Array): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return Array.from(row, (x) => x - lse);
}

describe('SAE reconstruction quality', () => {
  let model: HookedGpt2;
  before(() => {
    model = new HookedGpt2(c, randomWeights(c));
  });
  after(() => model.dispose());

  for (const inputTransform of ['none', 'center'] as const) {
    it(`an exact SAE (input transform ${inputTransform}) leaves the logits unchanged: KL 0, same CE, top-1 agrees, variance explained 1`, async () => {
      const sae = exactSae(c.dModel, hook, { inputTransform });
      const q = await runReconstructionQuality(model, new JsEncoder(sae), sae, tokens);
      assert.ok(Math.max(...q.klPerPosition) < 1e-6, `KL ${Math.max(...q.klPerPosition)}`);
      assert.ok(Math.max(...q.relativeError) < 1e-5);
      assert.ok(Math.abs(q.varianceExplained - 1) < 1e-6 && Math.abs(q.varianceExplainedExcludingBos - 1) < 1e-6);
      assert.ok(Math.abs(q.ceCleanMean - q.ceSplicedMean) < 1e-5);
      assert.equal(q.top1Agreement, 1);
      assert.equal(q.firstIsBos, true);
    });
  }

  for (const at of [hook, 'blocks.2.hook_resid_pre', 'blocks.0.hook_resid_pre', 'blocks.1.hook_mlp_out'] as const) {
    it(`a lossy SAE at ${at}: KL, CE and agreement are those of the clean logits and the logits with the hook patched`, async () => {
      const hook = at;
      const sae = randomSae(c.dModel, 48, hook, 9);
      const enc = new JsEncoder(sae);
      const q = await runReconstructionQuality(model, enc, sae, tokens);
      const clean = await model.runWithCache(tokens, [hook], { logits: 'all' });
      const x = clean.cache.get(hook);
      const e = await new JsEncoder(sae).encode(float32Tensor([tokens.length, c.dModel], x.data));
      const spliced = await model.runWithPatches(tokens, [{ hook, values: float32Tensor([1, tokens.length, c.dModel], e.recon.data) }], { logits: 'all' });
      const V = c.dVocab;
      let ce = 0;
      for (let p = 0; p < tokens.length; p++) {
        const a = logSoftmax(clean.logits!.data.subarray(p * V, (p + 1) * V));
        const b = logSoftmax(spliced.logits!.data.subarray(p * V, (p + 1) * V));
        const kl = a.reduce((s, la, t) => s + Math.exp(la) * (la - b[t]), 0);
        assert.ok(Math.abs(q.klPerPosition[p] - kl) < 1e-4 * Math.max(1, kl), `KL at ${p}`);
        if (p < tokens.length - 1) {
          assert.ok(Math.abs(q.ceSpliced[p] + b[tokens[p + 1]]) < 1e-4);
          ce += -a[tokens[p + 1]];
        }
        const xn = Math.hypot(...x.data.subarray(p * c.dModel, (p + 1) * c.dModel));
        assert.ok(Math.abs(q.relativeError[p] - e.errorNorm[p] / xn) < 1e-5 * (1 + q.relativeError[p]));
      }
      assert.ok(Math.abs(q.ceCleanMean - ce / (tokens.length - 1)) < 1e-4);
      assert.ok(q.klMean > 1e-3, 'the random SAE moves the logits');
      assert.ok(q.varianceExplained < 0.99);
      assert.equal(q.ceClean.length, tokens.length - 1);
    });
  }
});
