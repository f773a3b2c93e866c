/**
 * `trimLastBlock`: the last block computes only the logit positions after its keys and values. The
 * logits must equal the full last block's, with and without a reused prefix, with patches before the
 * trim (an earlier layer, the last block's k), in both mask modes; the option is ignored where it
 * cannot hold (a fetch, all logits, a patch after the trim).
 */
import assert from 'node:assert/strict';
import { CausalMasks } from '../../../src/model/causalMasks';
import { HookedGpt2 } from '../../../src/model/hookedGpt2';
import { planRun } from '../../../src/model/runPlan';
import type { RunOptions } from '../../../src/model/runOptions';
import { blockHook } from '../../../src/shared/hookNames';
import { maxAbsDiff, randomWeights, tinyConfig } from './randomGpt2';

const c = tinyConfig();
const tokens = [49, 3, 17, 8, 3, 17, 22, 5, 9, 30];
const P = tokens.length;
const last = c.nLayers - 1;

describe('trimLastBlock: the last block at the logit positions only', () => {
  let model: HookedGpt2;
  before(() => (model = new HookedGpt2(c, randomWeights(c, 7))));
  after(() => model.dispose());

  async function sameLogits(options: RunOptions): Promise<void> {
    const full = await model.run(tokens, options);
    const trimmed = await model.run(tokens, { ...options, trimLastBlock: true });
    assert.deepEqual(trimmed.logits!.dims, full.logits!.dims);
    const err = maxAbsDiff(trimmed.logits!.data, full.logits!.data);
    assert.ok(err < 1e-5, `max |trimmed − full| = ${err}`);
  }

  it('plans the trimmed graph only for selected logits with nothing fetched', () => {
    const plan = (o: RunOptions) => planRun(c, 'as_configured', new CausalMasks(), tokens, { trimLastBlock: true, ...o }).spec.trimLastBlock;
    assert.equal(plan({}), true);
    assert.equal(plan({ logits: [2, 5] }), true);
    assert.equal(plan({ logits: 'all' }), undefined);
    assert.equal(plan({ fetch: [blockHook(0, 'hook_resid_pre')] }), undefined);
    const v = new Float32Array(P * c.dModel);
    assert.equal(plan({ patches: [{ hook: blockHook(last, 'hook_mlp_out'), values: { dims: [1, P, c.dModel], data: v } }] }), undefined);
    assert.equal(plan({ patches: [{ hook: blockHook(last, 'hook_resid_pre'), values: { dims: [1, P, c.dModel], data: v } }] }), true);
  });

  it('equal logits: last, several positions, a reused prefix, patches before the trim, the Where mask', async () => {
    await sameLogits({});
    await sameLogits({ logits: [3, 7, P - 1] });
    const clean = await model.runWithCache(
      tokens,
      Array.from({ length: c.nLayers }, (_, l) => [blockHook(l, 'attn.hook_k'), blockHook(l, 'attn.hook_v'), blockHook(l, 'hook_resid_pre')]).flat(),
    );
    const other = tokens.map((t, i) => (i === 4 ? 11 : t));
    const source = await model.runWithCache(other, [blockHook(1, 'hook_mlp_out'), blockHook(last, 'attn.hook_k'), blockHook(1, 'attn.hook_attn_scores')]);
    const startAt = { layer: 1, residPre: clean.cache.get(blockHook(1, 'hook_resid_pre')) };
    for (const [hook, positions] of [
      [blockHook(1, 'hook_mlp_out'), [4, 6]],
      [blockHook(last, 'attn.hook_k'), [5]],
      [blockHook(1, 'attn.hook_attn_scores'), [8]],
    ] as const) {
      const patches = [{ hook, values: source.cache.get(hook), positions }];
      await sameLogits({ startAt, patches });
      await sameLogits({ startAt, patches, reusePrefix: { length: 4, from: clean.cache } });
      await sameLogits({ startAt, patches, reusePrefix: { length: 4, from: clean.cache }, logits: [6, P - 1] });
    }
  });
});
