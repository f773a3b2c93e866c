/**
 * Prefix reuse with one cache per batch element (`reusePrefix.from` as an array): a batch of
 * different prompts of one length, each computing only its suffix against its own run's keys and
 * values, gives each prompt's full-run logits.
 */
import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../src/model/hookedGpt2';
import { CausalMasks } from '../../../src/model/causalMasks';
import { planRun } from '../../../src/model/runPlan';
import { INPUT } from '../../../src/model/graph/gpt2GraphSpec';
import { blockHook } from '../../../src/shared/hookNames';
import { maxAbsDiff, randomWeights, tinyConfig } from './randomGpt2';

describe('reusePrefix.from: one cache per batch element', () => {
  const c = tinyConfig();
  let model: HookedGpt2;
  before(() => {
    model = new HookedGpt2(c, randomWeights(c, 5), { threads: 1 });
  });
  after(() => model.dispose());
  const kv = Array.from({ length: c.nLayers }, (_, l) => [blockHook(l, 'attn.hook_k'), blockHook(l, 'attn.hook_v')]).flat();
  const a = [49, 3, 8, 1, 30, 2, 7, 11];
  const b = [49, 9, 4, 22, 5, 6, 40, 12];

  it("each element attends to its own prompt's prefix: the full runs' logits", async () => {
    const [ra, rb] = [await model.runWithCache(a, kv, { logits: 'all' }), await model.runWithCache(b, kv, { logits: 'all' })];
    const out = await model.run([a, b], { reusePrefix: { length: 5, from: [ra.cache, rb.cache] }, logits: [5, 6, 7] });
    const V = c.dVocab;
    const tail = (r: typeof ra) => r.logits!.data.subarray(5 * V, 8 * V);
    assert.ok(maxAbsDiff(out.logits!.data.subarray(0, 3 * V), tail(ra)) < 1e-5);
    assert.ok(maxAbsDiff(out.logits!.data.subarray(3 * V, 6 * V), tail(rb)) < 1e-5);
    // the first prompt's prefix for both: the second element's logits are wrong
    const wrong = await model.run([a, b], { reusePrefix: { length: 5, from: [ra.cache, ra.cache] }, logits: [5, 6, 7] });
    assert.ok(maxAbsDiff(wrong.logits!.data.subarray(3 * V, 6 * V), tail(rb)) > 1e-2);
  });

  it('one cache per element, or an error that says how many', async () => {
    const ra = await model.runWithCache(a, kv);
    await assert.rejects(model.run([a, b], { reusePrefix: { length: 5, from: [ra.cache] } }), /1 caches for a batch of 2/);
  });

  it('one cache for the whole batch is fed once (batch 1) and broadcast: every element gets the full run', async () => {
    const ra = await model.runWithCache(a, kv, { logits: 'all' });
    const batch = [a, a, a];
    const plan = planRun(c, 'as_configured', new CausalMasks(), batch, { reusePrefix: { length: 5, from: ra.cache } });
    for (let l = 0; l < c.nLayers; l++) assert.deepEqual(plan.feeds[INPUT.pastK(l)].dims, [1, 5, c.nHeads, c.dHead], `past_k:${l} is not repeated per element`);
    const out = await model.run(batch, { reusePrefix: { length: 5, from: ra.cache }, logits: [5, 6, 7] });
    const V = c.dVocab;
    for (let e = 0; e < 3; e++)
      assert.ok(maxAbsDiff(out.logits!.data.subarray(3 * e * V, 3 * (e + 1) * V), ra.logits!.data.subarray(5 * V, 8 * V)) < 1e-5, `element ${e}`);
  });
});
