import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../../src/model/hookedGpt2';
import type { RunOptions, TokenInput } from '../../../../src/model/runOptions';
import { float32Tensor } from '../../../../src/model/tensor';
import { meanTokenEmbedding, runAblatedText, runFeatureActivations } from '../../../../src/analysis/sae';
import { randomWeights, tinyConfig } from '../../model/randomGpt2';
import { JsEncoder, randomSae } from './jsSae';

const c = tinyConfig();
const tokens = [49, 3, 17, 8, 3, 17, 22, 5, 9, 30];
const hook = 'blocks.2.hook_resid_pre';

describe('SAE ablated text', () => {
  let model: HookedGpt2;
  const weights = randomWeights(c);
  const sae = randomSae(c.dModel, 24, hook, 5);
  before(() => {
    model = new HookedGpt2(c, weights);
  });
  after(() => model.dispose());

  /** The most active feature at position p, so the ablations have something to move. */
  async function strongest(p: number): Promise<number> {
    const r = await runFeatureActivations(model, new JsEncoder(sae), sae, tokens, { topK: 1 });
    return r.top[p][0].feature;
  }

  it('the mean token embedding is the mean of W_E’s rows', () => {
    const m = meanTokenEmbedding(model);
    for (const i of [0, 7, c.dModel - 1]) {
      let s = 0;
      for (let t = 0; t < c.dVocab; t++) s += weights.wte[t * c.dModel + i];
      assert.ok(Math.abs(m[i] - s / c.dVocab) < 1e-6);
    }
  });

  it('equals one run per ablated position, each replacing hook_embed at j by the mean embedding; clean is the unablated activation', async () => {
    const p = 6;
    const f = await strongest(p);
    const enc = new JsEncoder(sae);
    const r = await runAblatedText(model, enc, sae, tokens, f, p);
    assert.equal(r.ablated.length, p + 1);
    const clean = await runFeatureActivations(model, new JsEncoder(sae), sae, tokens, { topK: 1 });
    assert.ok(Math.abs(r.clean - clean.acts.data[p * 24 + f]) < 1e-5);
    const mean = meanTokenEmbedding(model);
    for (let j = 0; j <= p; j++) {
      const embed = (await model.runWithCache(tokens, ['hook_embed'])).cache.get('hook_embed');
      const values = Float32Array.from(embed.data);
      values.set(mean, j * c.dModel);
      const run = await model.runWithPatches(tokens, [{ hook: 'hook_embed', values: float32Tensor(embed.dims, values) }], { fetch: [hook], logits: 'none' });
      const x = run.cache.get(hook).data.slice(p * c.dModel, (p + 1) * c.dModel);
      const want = (await new JsEncoder(sae).encode(float32Tensor([1, c.dModel], x))).acts.data[f];
      assert.ok(Math.abs(r.ablated[j] - want) < 1e-5, `j = ${j}: ${r.ablated[j]} vs ${want}`);
    }
    assert.ok(
      Array.from(r.ablated).some((a) => Math.abs(a - r.clean) > 1e-3),
      'some ablation moves the activation',
    );
    assert.equal(enc.rowsEncoded, p + 2, 'only position p of each batch element is encoded');
  });

  it('is one batched run when it fits, and gives the same table in chunks when memory is bounded', async () => {
    const p = 8;
    const f = await strongest(p);
    const runs: { batch: number; pos: number }[] = [];
    const spy = Object.create(model) as HookedGpt2;
    const run = model.run.bind(model);
    spy.run = (t: TokenInput, o: RunOptions = {}) => {
      const rows = t as number[][];
      runs.push({ batch: rows.length, pos: rows[0].length });
      assert.equal(o.logits, 'none');
      return run(t, o);
    };
    const one = await runAblatedText(spy, new JsEncoder(sae), sae, tokens, f, p);
    assert.deepEqual(runs, [{ batch: p + 2, pos: p + 1 }], 'one run of p + 1 ablated elements and the clean one, tokens 0..p only');
    runs.length = 0;
    const chunked = await runAblatedText(spy, new JsEncoder(sae), sae, tokens, f, p, { maxChunkBytes: 1 });
    assert.equal(runs.length, p + 2, 'one element per run');
    assert.ok(Math.abs(chunked.clean - one.clean) < 1e-5);
    one.ablated.forEach((a, j) => assert.ok(Math.abs(chunked.ablated[j] - a) < 1e-5));
  });

  it('refuses a position outside the prompt and a feature outside the SAE', async () => {
    await assert.rejects(runAblatedText(model, new JsEncoder(sae), sae, tokens, 0, tokens.length), /position 10 is outside the prompt/);
    await assert.rejects(runAblatedText(model, new JsEncoder(sae), sae, tokens, 24, 1), /feature 24 is outside/);
  });
});
