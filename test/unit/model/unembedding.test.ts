/**
 * The unembedding is fed as the checkpoint stores it, W_Uᵀ [d_vocab, d_model]: wte's own array when
 * tied, lm_head when not, never a transposed copy (GPT-2 small's was 147 MiB, xl's 307 MiB). The
 * forward, the backward pass and the JS readers all unembed through it.
 */
import assert from 'node:assert/strict';
import { buildGpt2Graph } from '../../../src/model/graph/gpt2Graph';
import { WEIGHT } from '../../../src/model/graph/weightNames';
import type { Gpt2Weights } from '../../../src/model/gpt2Weights';
import { HookedGpt2 } from '../../../src/model/hookedGpt2';
import { blockHook } from '../../../src/shared/hookNames';
import { randomWeights, tinyConfig } from './randomGpt2';

/** Bytes of the checkpoint's float32 parameters, each tensor once. */
function checkpointBytes(w: Gpt2Weights): number {
  const arrays = [w.wte, w.wpe, w.lnFinal.w, w.lnFinal.b, ...(w.lmHead ? [w.lmHead] : [])];
  for (const b of w.blocks)
    arrays.push(b.ln1.w, b.ln1.b, b.ln2.w, b.ln2.b, b.attn.wQkv, b.attn.bQkv, b.attn.wO, b.attn.bO, b.mlp.wIn, b.mlp.bIn, b.mlp.wOut, b.mlp.bOut);
  return arrays.reduce((n, a) => n + a.byteLength, 0);
}

const tokens = [49, 3, 17, 8, 3, 22];

describe('the unembedding without a transposed copy', () => {
  it('tied: the unembedding input is wte’s very array, and the weight inputs hold exactly the checkpoint’s float32 bytes', async () => {
    const c = tinyConfig();
    const w = randomWeights(c, 4);
    const model = new HookedGpt2(c, w);
    try {
      const feeds = model.weightInputs;
      assert.equal(feeds[WEIGHT.unembed].data, w.wte, 'the same Float32Array as the embedding');
      assert.equal(feeds[WEIGHT.unembed].data, feeds[WEIGHT.wte].data);
      assert.deepEqual(feeds[WEIGHT.unembed].dims, [c.dVocab, c.dModel]);
      assert.equal(model.weightBytes, checkpointBytes(w), 'no weight is held twice');
      const sizes = Object.values(feeds).filter((f) => f.data.length === c.dVocab * c.dModel);
      assert.ok(
        sizes.every((f) => f.data === w.wte),
        'no other [d_model, d_vocab]-sized weight input (a transposed copy)',
      );
    } finally {
      await model.dispose();
    }
  });

  it('the logits graph multiplies by W_Uᵀ with Gemm(transB), not a Transpose of the fed matrix', () => {
    const c = tinyConfig();
    for (const logits of ['selected', 'all'] as const) {
      const g = buildGpt2Graph(c, {
        startLayer: 0,
        stopAfterLayer: c.nLayers - 1,
        logits,
        patchedHooks: [],
        perHeadResult: false,
        layerNorm: 'as_configured',
        exposedHooks: [],
        attentionMask: 'additive',
      });
      const readers = g.nodes.filter((n) => n.inputs.includes(WEIGHT.unembed));
      assert.equal(readers.length, 1);
      assert.equal(readers[0].opType, 'Gemm');
      assert.equal(readers[0].attributes.transB?.value, 1);
      assert.ok(!g.nodes.some((n) => n.opType === 'Transpose' && n.inputs.includes(WEIGHT.unembed)));
      assert.deepEqual(g.inputs.find((i) => i.name === WEIGHT.unembed)?.dims, [c.dVocab, c.dModel]);
    }
  });

  describe('untied (lm_head)', () => {
    const c = tinyConfig({ tieWordEmbeddings: false });
    const base = randomWeights(c, 5);
    const lmHead = Float32Array.from({ length: c.dVocab * c.dModel }, (_, i) => Math.cos(i * 0.61) * 0.7); // [d_vocab, d_model]
    const w: Gpt2Weights = { ...base, lmHead };
    let model: HookedGpt2;
    let identity: HookedGpt2;
    before(() => {
      model = new HookedGpt2(c, w);
      identity = new HookedGpt2(c, w, { layerNorm: 'identity' });
    });
    after(async () => {
      await model?.dispose();
      await identity?.dispose();
    });

    it('unembeds through lm_head, not wte: logits = ln_final output · lm_headᵀ at every position', async () => {
      assert.equal(model.weightInputs[WEIGHT.unembed].data, lmHead);
      assert.equal(model.weightBytes, checkpointBytes(w));
      const run = await model.runWithCache(tokens, ['ln_final.hook_normalized'], { logits: 'all' });
      const x = run.cache.get('ln_final.hook_normalized').data; // [1, pos, d_model]
      const logits = run.logits!.data; // [1, pos, d_vocab]
      const d = c.dModel;
      let viaWte = 0;
      for (let p = 0; p < tokens.length; p++) {
        for (let t = 0; t < c.dVocab; t++) {
          let want = 0;
          let wrong = 0;
          for (let i = 0; i < d; i++) {
            want += x[p * d + i] * lmHead[t * d + i];
            wrong += x[p * d + i] * base.wte[t * d + i];
          }
          const got = logits[p * c.dVocab + t];
          assert.ok(Math.abs(got - want) < 1e-4 * (1 + Math.abs(want)), `position ${p} token ${t}: ${got} vs ${want}`);
          viaWte = Math.max(viaWte, Math.abs(got - wrong));
        }
      }
      assert.ok(viaWte > 0.1, 'wte would give other logits');
    });

    it('the backward pass goes through lm_head: ∂metric/∂resid_post = lm_headᵀ · metric_grad at the metric position (LayerNorm identity)', async () => {
      const metricGrad = Float32Array.from({ length: c.dVocab }, (_, t) => ((t * 5) % 9) - 4);
      const position = tokens.length - 2;
      const hook = blockHook(c.nLayers - 1, 'hook_resid_post');
      const run = await identity.run(tokens, { gradient: { metricGrad, position, hooks: [hook] } });
      const grad = run.gradients!.get(hook).data; // [1, pos, d_model]
      const d = c.dModel;
      for (let p = 0; p < tokens.length; p++) {
        for (let i = 0; i < d; i++) {
          let want = 0;
          if (p === position) for (let t = 0; t < c.dVocab; t++) want += metricGrad[t] * lmHead[t * d + i];
          assert.ok(Math.abs(grad[p * d + i] - want) < 1e-4 * (1 + Math.abs(want)), `position ${p} dim ${i}: ${grad[p * d + i]} vs ${want}`);
        }
      }
    });
  });
});
