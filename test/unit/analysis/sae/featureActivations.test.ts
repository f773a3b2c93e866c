import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../../src/model/hookedGpt2';
import { planRun } from '../../../../src/model/runPlan';
import { CausalMasks } from '../../../../src/model/causalMasks';
import type { RunOptions, TokenInput } from '../../../../src/model/runOptions';
import { float32Tensor } from '../../../../src/model/tensor';
import { runFeatureActivations, topActive } from '../../../../src/analysis/sae';
import { randomWeights, tinyConfig } from '../../model/randomGpt2';
import { JsEncoder, randomSae } from './jsSae';

const c = tinyConfig(); // 3 layers
const tokens = [49, 3, 17, 8, 3, 17, 22, 5, 9, 30];

describe('SAE feature activations', () => {
  let model: HookedGpt2;
  before(() => {
    model = new HookedGpt2(c, randomWeights(c));
  });
  after(() => model.dispose());

  it('encodes the hook at every position and lists each position’s top active features, descending', async () => {
    const sae = randomSae(c.dModel, 40, 'blocks.1.hook_resid_pre');
    const enc = new JsEncoder(sae);
    const r = await runFeatureActivations(model, enc, sae, tokens, { topK: 5 });
    const x = (await model.runWithCache(tokens, ['blocks.1.hook_resid_pre'])).cache.get('blocks.1.hook_resid_pre');
    const want = await new JsEncoder(sae).encode(float32Tensor([tokens.length, c.dModel], x.data));
    assert.deepEqual(r.acts.dims, [tokens.length, 40]);
    assert.deepEqual(r.acts.data, want.acts.data);
    assert.deepEqual(r.errorNorm, want.errorNorm);
    for (let p = 0; p < tokens.length; p++) {
      const row = Array.from(want.acts.data.subarray(p * 40, (p + 1) * 40));
      const expected = row
        .map((act, feature) => ({ feature, act }))
        .filter((e) => e.act > 0)
        .sort((a, b) => b.act - a.act)
        .slice(0, 5);
      assert.deepEqual(r.top[p], expected, `position ${p}`);
      const norm = Math.hypot(...x.data.subarray(p * c.dModel, (p + 1) * c.dModel));
      assert.ok(Math.abs(r.residNorm[p] - norm) < 1e-4 * norm);
    }
    assert.ok(
      r.top.some((t) => t.length === 5),
      'some position has 5 active features',
    );
  });

  for (const [hookName, stop] of [
    ['blocks.1.hook_resid_pre', 0],
    ['blocks.2.hook_resid_pre', 1],
    ['blocks.1.hook_mlp_out', 1],
    ['blocks.0.hook_resid_pre', 0],
  ] as const) {
    it(`runs the model only up to the SAE’s hook, without logits: ${hookName} stops after block ${stop} (of 0..2)`, async () => {
      const sae = randomSae(c.dModel, 16, hookName);
      const seen: RunOptions[] = [];
      const run = model.run.bind(model);
      const spy = Object.create(model) as HookedGpt2;
      spy.run = (t: TokenInput, o: RunOptions = {}) => {
        seen.push(o);
        return run(t, o);
      };
      const r = await runFeatureActivations(spy, new JsEncoder(sae), sae, tokens, { topK: 3 });
      assert.equal(seen.length, 1, 'one run');
      const plan = planRun(c, 'as_configured', new CausalMasks(), tokens, seen[0]);
      assert.equal(plan.spec.stopAfterLayer, stop);
      assert.equal(plan.spec.logits, 'none');
      assert.equal(plan.withLogits, false);
      // and what it encoded is the SAE's hook itself
      const x = (await model.runWithCache(tokens, [hookName])).cache.get(hookName);
      const want = await new JsEncoder(sae).encode(float32Tensor([tokens.length, c.dModel], x.data));
      assert.deepEqual(r.acts.data, want.acts.data);
    });
  }

  it('topActive: only positive activations, at most k, ties keep the lower feature first', () => {
    const row = Float32Array.from([0, 2, -1, 3, 2, 0.5, 0]);
    assert.deepEqual(topActive(row, 0, row.length, 3), [
      { feature: 3, act: 3 },
      { feature: 1, act: 2 },
      { feature: 4, act: 2 },
    ]);
    assert.deepEqual(topActive(row, 0, row.length, 10).length, 4);
    assert.deepEqual(topActive(new Float32Array(4), 0, 4, 3), []);
  });
});
