import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../src/model/hookedGpt2';
import { BLOCK_HOOK_SUFFIXES, GLOBAL_HOOK_NAMES, blockHook, type HookName } from '../../../src/shared/hookNames';
import { hookDims } from '../../../src/model/hookPatch';
import { sliceLeading } from '../../../src/model/tensor';
import { maxAbsDiff, randomWeights, tinyConfig } from './randomGpt2';

const c = tinyConfig();
const tokens = [49, 3, 17, 8, 3, 17, 22, 5, 9, 30];
const allHooks: HookName[] = [...GLOBAL_HOOK_NAMES, ...Array.from({ length: c.nLayers }, (_, l) => BLOCK_HOOK_SUFFIXES.map((s) => blockHook(l, s))).flat()];

describe('HookedGpt2', () => {
  let model: HookedGpt2;
  before(() => {
    model = new HookedGpt2(c, randomWeights(c));
  });
  after(() => model.dispose());

  it('fetches every TransformerLens hook with its TL shape', async () => {
    const { cache, logits } = await model.runWithCache(tokens, allHooks);
    for (const h of allHooks) assert.deepEqual(cache.get(h).dims, hookDims(c, h, 1, tokens.length), h);
    assert.deepEqual(logits?.dims, [1, 1, c.dVocab]);
  });

  it('hooks agree with each other: residual sums, pattern rows, per-head results', async () => {
    const { cache } = await model.runWithCache(tokens, allHooks);
    for (let l = 0; l < c.nLayers; l++) {
      const pre = cache.get(blockHook(l, 'hook_resid_pre')).data;
      const mid = cache.get(blockHook(l, 'hook_resid_mid')).data;
      const attnOut = cache.get(blockHook(l, 'hook_attn_out')).data;
      assert.ok(
        maxAbsDiff(
          mid,
          pre.map((v, i) => v + attnOut[i]),
        ) < 1e-5,
        `resid_mid = resid_pre + attn_out at layer ${l}`,
      );
      if (l + 1 < c.nLayers) assert.deepEqual(cache.get(blockHook(l, 'hook_resid_post')).data, cache.get(blockHook(l + 1, 'hook_resid_pre')).data);
      const pattern = cache.get(blockHook(l, 'attn.hook_pattern')).data;
      const P = tokens.length;
      for (let h = 0; h < c.nHeads; h++) {
        for (let q = 0; q < P; q++) {
          const row = pattern.subarray((h * P + q) * P, (h * P + q + 1) * P);
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
          for (let k = q + 1; k < P; k++) assert.equal(row[k], 0, 'causal: no attention to later keys');
        }
      }
      const result = cache.get(blockHook(l, 'attn.hook_result'));
      const summed = new Float32Array(P * c.dModel);
      for (let p = 0; p < P; p++)
        for (let h = 0; h < c.nHeads; h++) for (let d = 0; d < c.dModel; d++) summed[p * c.dModel + d] += result.data[(p * c.nHeads + h) * c.dModel + d];
      const bO = attnOut.map((v, i) => v - summed[i]);
      // attn_out − Σ_h result_h is the same bias at every position
      for (let p = 1; p < P; p++) assert.ok(maxAbsDiff(bO.subarray(0, c.dModel), bO.subarray(p * c.dModel, (p + 1) * c.dModel)) < 1e-4);
    }
  });

  it('computes logits only where asked, and they agree across requests', async () => {
    const all = await model.run(tokens, { logits: 'all' });
    const last = await model.run(tokens, { logits: 'last' });
    const some = await model.run(tokens, { logits: [2, 5] });
    const V = c.dVocab;
    const P = tokens.length;
    assert.deepEqual(all.logits?.dims, [1, P, V]);
    assert.ok(maxAbsDiff(last.logits!.data, all.logits!.data.subarray((P - 1) * V)) < 1e-5);
    assert.ok(maxAbsDiff(some.logits!.data.subarray(V), all.logits!.data.subarray(5 * V, 6 * V)) < 1e-5);
    assert.deepEqual(some.logitPositions, [2, 5]);
  });

  it('starts at a layer from a cached residual stream (start_at_layer) and gets the same logits', async () => {
    const full = await model.runWithCache(tokens, [blockHook(2, 'hook_resid_pre'), blockHook(0, 'hook_resid_pre')]);
    for (const layer of [0, 2]) {
      const started = await model.run(tokens, { startAt: { layer, residPre: full.cache.get(blockHook(layer, 'hook_resid_pre')) } });
      assert.ok(maxAbsDiff(started.logits!.data, full.logits!.data) < 1e-5, `layer ${layer}`);
    }
  });

  it('patching a hook with its own values changes nothing; with other values, only what it should', async () => {
    const z = blockHook(1, 'attn.hook_z');
    const clean = await model.runWithCache(tokens, [z]);
    const same = await model.runWithPatches(tokens, [{ hook: z, values: clean.cache.get(z) }]);
    assert.ok(maxAbsDiff(same.logits!.data, clean.logits!.data) < 1e-6);

    const other = [49, 4, 18, 8, 4, 18, 22, 6, 9, 31];
    const corrupt = await model.runWithCache(other, [z]);
    const patched = await model.run(tokens, { patches: [{ hook: z, values: corrupt.cache.get(z), heads: [2], positions: [3, 7] }], fetch: [z] });
    const got = patched.cache.get(z).data;
    const cz = clean.cache.get(z).data;
    const xz = corrupt.cache.get(z).data;
    const { nHeads: H, dHead: E } = c;
    for (let p = 0; p < tokens.length; p++) {
      for (let h = 0; h < H; h++) {
        const src = h === 2 && (p === 3 || p === 7) ? xz : cz;
        const off = (p * H + h) * E;
        assert.deepEqual(got.subarray(off, off + E), src.subarray(off, off + E), `z[${p}, ${h}]`);
      }
    }
    assert.ok(maxAbsDiff(patched.logits!.data, clean.logits!.data) > 1e-4, 'a real patch moves the logits');
  });

  it('a batched run with one patch per element equals the separate runs', async () => {
    const z = blockHook(1, 'attn.hook_z');
    const other = [49, 4, 18, 8, 4, 18, 22, 6, 9, 31];
    const src = (await model.runWithCache(other, [z])).cache.get(z);
    const pre = (await model.runWithCache(tokens, [blockHook(1, 'hook_resid_pre')])).cache.get(blockHook(1, 'hook_resid_pre'));
    const batched = await model.run(tokens, {
      startAt: { layer: 1, residPre: pre },
      patches: Array.from({ length: c.nHeads }, (_, h) => ({ hook: z, values: src, heads: [h], batch: [h] })),
    });
    assert.deepEqual(batched.logits!.dims, [c.nHeads, 1, c.dVocab]);
    for (let h = 0; h < c.nHeads; h++) {
      const single = await model.runWithPatches(tokens, [{ hook: z, values: src, heads: [h] }]);
      assert.ok(maxAbsDiff(sliceLeading(batched.logits!, h).data, single.logits!.data) < 1e-5, `head ${h}`);
    }
    // the heads matter differently: the batch elements are not all the same
    assert.ok(maxAbsDiff(sliceLeading(batched.logits!, 0).data, sliceLeading(batched.logits!, 1).data) > 1e-4);
  });

  it('a batch of different prompts gives each prompt its own result', async () => {
    const other = [49, 4, 18, 8, 4, 18, 22, 6, 9, 31];
    const both = await model.run([tokens, other]);
    const a = await model.run(tokens);
    const b = await model.run(other);
    assert.ok(maxAbsDiff(sliceLeading(both.logits!, 0).data, a.logits!.data) < 1e-5);
    assert.ok(maxAbsDiff(sliceLeading(both.logits!, 1).data, b.logits!.data) < 1e-5);
  });

  it('reusing a shared prefix (cached keys and values) gives the same results as the full run', async () => {
    const other = [...tokens.slice(0, 6), 4, 18, 9, 30]; // first differs at position 6
    const kv = Array.from({ length: c.nLayers }, (_, l) => [blockHook(l, 'attn.hook_k'), blockHook(l, 'attn.hook_v')]).flat();
    const base = await model.runWithCache(tokens, [...kv, blockHook(1, 'hook_resid_pre'), blockHook(1, 'attn.hook_z')], { logits: 'all' });
    const full = await model.run(other, { logits: [7, 9] });
    const reused = await model.run(other, { logits: [7, 9], reusePrefix: { length: 6, from: base.cache } });
    assert.ok(maxAbsDiff(reused.logits!.data, full.logits!.data) < 1e-5);

    // with startAt and a batched patch whose positions straddle the prefix
    const src = (await model.runWithCache(other, [blockHook(1, 'attn.hook_z')])).cache.get(blockHook(1, 'attn.hook_z'));
    const patches = [0, 1, 2].map((h) => ({ hook: blockHook(1, 'attn.hook_z'), values: src, heads: [h], positions: [2, 6, 8], batch: [h] }));
    const startAt = { layer: 1, residPre: base.cache.get(blockHook(1, 'hook_resid_pre')) };
    const plain = await model.run(tokens, { startAt, patches });
    const fast = await model.run(tokens, { startAt, patches, reusePrefix: { length: 6, from: base.cache } });
    assert.ok(maxAbsDiff(fast.logits!.data, plain.logits!.data) < 1e-5);
    assert.ok(
      maxAbsDiff(sliceLeading(fast.logits!, 0).data, base.logits!.data.subarray((tokens.length - 1) * c.dVocab)) > 1e-4,
      'the patch at 6 and 8 matters',
    );
    await assert.rejects(() => model.run(other, { logits: [3], reusePrefix: { length: 6, from: base.cache } }), /lies in the reused prefix/);
    await assert.rejects(
      () => model.run(other, { fetch: [blockHook(0, 'hook_resid_pre')], reusePrefix: { length: 6, from: base.cache } }),
      /cannot be fetched while reusing a prefix/,
    );
  });

  describe('bad input gets an error that names the problem', () => {
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      ['unknown hook', () => model.runWithCache(tokens, ['blocks.0.attn.hook_nope' as HookName]), /unknown hook name 'blocks.0.attn.hook_nope'/],
      ['missing layer', () => model.runWithCache(tokens, [blockHook(7, 'hook_resid_pre')]), /layer 7, but the model has 3 layers/],
      ['not a hook at all', () => model.runWithCache(tokens, ['resid' as HookName]), /unknown hook name 'resid'/],
      ['empty input', () => model.run([]), /empty input/],
      ['too many tokens', () => model.run(Array.from({ length: c.nCtx + 1 }, () => 1)), /25 tokens is more than the model's context of 24/],
      ['token outside the vocabulary', () => model.run([49, 50]), /token id 50 at position 1 is outside the vocabulary/],
      ['ragged batch', () => model.run([[1, 2], [1]]), /batch element 1 has 1 tokens/],
      [
        'patch of the wrong shape',
        () => model.runWithPatches(tokens, [{ hook: blockHook(0, 'hook_resid_pre'), values: { dims: [1, 3, 32], data: new Float32Array(96) } }]),
        /values have shape \[1, 3, 32\]/,
      ],
      [
        'patch position out of range',
        () =>
          model.runWithPatches([1, 2], [{ hook: blockHook(0, 'hook_resid_pre'), values: { dims: [1, 2, 32], data: new Float32Array(64) }, positions: [2] }]),
        /position 2 outside 0..1/,
      ],
      [
        'heads on a hook without heads',
        () => model.runWithPatches([1, 2], [{ hook: blockHook(0, 'hook_mlp_out'), values: { dims: [1, 2, 32], data: new Float32Array(64) }, heads: [0] }]),
        /no head axis/,
      ],
      [
        'hook before the start layer',
        () =>
          model.run([1, 2], { fetch: [blockHook(0, 'hook_resid_post')], startAt: { layer: 1, residPre: { dims: [1, 2, 32], data: new Float32Array(64) } } }),
        /comes before layer 1/,
      ],
    ];
    for (const [what, run, message] of cases) it(what, () => assert.rejects(run, message));
  });

  it('releases its sessions on dispose and refuses to run afterwards', async () => {
    const m = new HookedGpt2(c, randomWeights(c, 2));
    await m.run(tokens);
    await m.runWithCache(tokens, [blockHook(0, 'attn.hook_result')]);
    assert.equal(m.sessionCount, 2, 'a per-head-result run is its own graph variant');
    await m.dispose();
    assert.equal(m.sessionCount, 0);
    await assert.rejects(() => m.run(tokens), /disposed/);
  });
});
