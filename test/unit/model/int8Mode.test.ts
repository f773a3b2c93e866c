/**
 * The int8 approximate mode: the graph transform, and what a user of it cares about: the same
 * next-token predictions as fp32 on real prompts, a bounded logits error, hooks that still work,
 * and an exact mode that the option leaves untouched.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compareLogits, measureLogitsError } from '../../../src/analysis/precisionCheck';
import { buildGpt2Graph } from '../../../src/model/graph/gpt2Graph';
import {
  INT8_WEIGHT_MAX,
  QUANTIZED,
  int8WeightNames,
  quantizeColumns,
  quantizeColumnsOfTransposed,
  quantizeMatMuls,
  quantizeWeightFeeds,
} from '../../../src/model/graph/quantizeWeights';
import { WEIGHT } from '../../../src/model/graph/weightNames';
import { HookedGpt2 } from '../../../src/model/hookedGpt2';
import { loadHookedGpt2, type LoadedModel } from '../../../src/model/loadHookedGpt2';
import { shippedModelDir } from '../../../src/model/shippedModel';
import { blockHook } from '../../../src/shared/hookNames';
import { maxAbsDiff, randomWeights, tinyConfig } from './randomGpt2';

describe('int8 mode: quantizeColumns', () => {
  it('keeps every weight within half a step of its column scale, within ±INT8_WEIGHT_MAX', () => {
    const rows = 37;
    const cols = 11;
    const w = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) * (1 + (i % cols)));
    const q = quantizeColumns(w, rows, cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = q.values[r * cols + c];
        assert.ok(Math.abs(v) <= INT8_WEIGHT_MAX);
        assert.ok(Math.abs(v * q.scales[c] - w[r * cols + c]) <= q.scales[c] / 2 + 1e-7, `w[${r}, ${c}]`);
      }
    }
    // the largest |w| of each column maps to ±max exactly
    for (let c = 0; c < cols; c++) {
      let m = 0;
      for (let r = 0; r < rows; r++) m = Math.max(m, Math.abs(q.values[r * cols + c]));
      assert.equal(m, INT8_WEIGHT_MAX);
    }
  });

  it('of a matrix stored transposed (the unembedding, fed as W_Uᵀ): the same values and scales as of the transposed copy', () => {
    const [rows, cols] = [13, 9]; // W [rows, cols]; stored as wT [cols, rows]
    const wT = Float32Array.from({ length: rows * cols }, (_, i) => Math.cos(i * 0.9) * (1 + (i % 5)));
    const w = new Float32Array(rows * cols);
    for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) w[r * cols + c] = wT[c * rows + r];
    const a = quantizeColumns(w, rows, cols);
    const b = quantizeColumnsOfTransposed(wT, rows, cols);
    assert.deepEqual([...b.values], [...a.values]);
    assert.deepEqual([...b.scales], [...a.scales]);
  });

  it('an all-zero column stays zero', () => {
    const q = quantizeColumns(new Float32Array(6), 3, 2);
    assert.deepEqual([...q.values], [0, 0, 0, 0, 0, 0]);
    assert.ok(q.scales.every((s) => s > 0));
  });
});

describe('int8 mode: quantizeMatMuls', () => {
  const c = tinyConfig();
  const spec = {
    startLayer: 0,
    stopAfterLayer: c.nLayers - 1,
    logits: 'selected',
    patchedHooks: [],
    perHeadResult: false,
    layerNorm: 'as_configured',
    exposedHooks: [],
    attentionMask: 'additive',
  } as const;

  it('replaces the four weight matmuls of every block, and drops their fp32 inputs', () => {
    const names = new Set(int8WeightNames(c, false));
    const g = quantizeMatMuls(buildGpt2Graph(c, spec), names);
    assert.equal(g.nodes.filter((n) => n.opType === 'DynamicQuantizeMatMul' && n.domain === 'com.microsoft').length, 4 * c.nLayers);
    const inputs = new Set(g.inputs.map((i) => i.name));
    for (const w of names) {
      assert.ok(!inputs.has(w), `${w} is no longer read`);
      assert.ok(inputs.has(QUANTIZED.values(w)) && inputs.has(QUANTIZED.scales(w)));
    }
    assert.ok(inputs.has(WEIGHT.unembed), 'the unembedding stays fp32 by default');
  });

  it('with the unembedding: its Gemm(transB) on W_Uᵀ becomes a DynamicQuantizeMatMul on int8 W_U [d_model, d_vocab], fed from wte without a fp32 copy', () => {
    const names = int8WeightNames(c, true);
    const g = quantizeMatMuls(buildGpt2Graph(c, spec), new Set(names));
    assert.equal(g.nodes.filter((n) => n.opType === 'DynamicQuantizeMatMul').length, 4 * c.nLayers + 1);
    assert.ok(!g.nodes.some((n) => n.opType === 'Gemm'), 'the logits Gemm is replaced');
    const inputs = new Map(g.inputs.map((i) => [i.name, i.dims]));
    assert.ok(!inputs.has(WEIGHT.unembed));
    assert.deepEqual(inputs.get(QUANTIZED.values(WEIGHT.unembed)), [c.dModel, c.dVocab]);
    assert.deepEqual(inputs.get(QUANTIZED.scales(WEIGHT.unembed)), [c.dVocab]);
    const w = randomWeights(c, 2);
    const feeds = quantizeWeightFeeds(new HookedGpt2(c, w).weightInputs, names);
    assert.deepEqual(feeds[QUANTIZED.values(WEIGHT.unembed)].dims, [c.dModel, c.dVocab]);
    // W_U[i, t] = wte[t, i] ≈ values[i, t] · scale[t]
    const values = feeds[QUANTIZED.values(WEIGHT.unembed)].data as Int8Array;
    const scales = feeds[QUANTIZED.scales(WEIGHT.unembed)].data as Float32Array;
    for (let t = 0; t < c.dVocab; t++) {
      for (let i = 0; i < c.dModel; i++) assert.ok(Math.abs(values[i * c.dVocab + t] * scales[t] - w.wte[t * c.dModel + i]) <= scales[t] / 2 + 1e-6);
    }
  });

  it('a backward pass keeps reading the unembedding in fp32 (its MatMul by W_Uᵀ is not the forward product)', () => {
    const g = quantizeMatMuls(buildGpt2Graph(c, { ...spec, logits: 'all', backward: true }), new Set(int8WeightNames(c, true)));
    const inputs = new Set(g.inputs.map((i) => i.name));
    assert.ok(inputs.has(WEIGHT.unembed) && inputs.has(QUANTIZED.values(WEIGHT.unembed)));
    assert.ok(g.nodes.some((n) => n.opType === 'MatMul' && n.inputs[1] === WEIGHT.unembed));
  });

  it('leaves the per-head W_O (a batched matmul) fp32', () => {
    const g = quantizeMatMuls(buildGpt2Graph(c, { ...spec, perHeadResult: true }), new Set(int8WeightNames(c, false)));
    const inputs = new Set(g.inputs.map((i) => i.name));
    assert.ok(inputs.has(WEIGHT.block(0).wOByHead));
    assert.equal(g.nodes.filter((n) => n.opType === 'DynamicQuantizeMatMul').length, 3 * c.nLayers);
  });
});

/** Real prompts: the samples shipped with the extension, 64 tokens from each. */
function samplePrompts(loaded: LoadedModel): number[][] {
  const dir = path.join(__dirname, '..', '..', '..', 'samples');
  return ['shapes.py', 'text_tools.py', 'docstring_example.py'].map((f) => loaded.toPrompt(readFileSync(path.join(dir, f), 'utf8')).ids.slice(0, 64));
}

describe('int8 mode on the shipped model', function () {
  this.timeout(120_000);
  let exact: LoadedModel;
  let int8: LoadedModel;
  before(async () => {
    exact = await loadHookedGpt2(shippedModelDir(), { threads: 1 });
    int8 = await loadHookedGpt2(shippedModelDir(), { threads: 1, precision: 'int8' });
  });
  after(async () => {
    await exact?.dispose();
    await int8?.dispose();
  });

  it('predicts the same next token as fp32 at ≥ 90% of the positions of real prompts, with a bounded logits error', async () => {
    let agree = 0;
    let positions = 0;
    for (const ids of samplePrompts(exact)) {
      const e = await measureLogitsError(int8.model, ids);
      agree += e.top1Agree;
      positions += e.positions;
      // measured: max |Δ| 0.80–1.05, mean 0.13–0.16, against a logit range of 16–20
      assert.ok(e.maxAbs < 2, `max |Δ| ${e.maxAbs}`);
      assert.ok(e.meanAbs < 0.3, `mean |Δ| ${e.meanAbs}`);
      assert.ok(e.maxAbs > 0, 'int8 does change the logits (the mode is really on)');
    }
    assert.ok(agree / positions >= 0.9, `top-1 agreement ${agree}/${positions}`); // measured: 184/192 (the others are near-ties)
  });

  it('runExact of the int8 model is the exact model', async () => {
    const ids = samplePrompts(exact)[0];
    const a = await exact.model.run(ids, { logits: 'all' });
    const b = await int8.model.runExact(ids, { logits: 'all' });
    assert.ok(maxAbsDiff(a.logits!.data, b.logits!.data) < 1e-5);
  });

  it('hooks still work: int8 patterns are distributions within 0.1 of fp32', async () => {
    const ids = samplePrompts(exact)[1].slice(0, 24);
    const hook = blockHook(1, 'attn.hook_pattern');
    const a = (await exact.model.runWithCache(ids, [hook])).cache.get(hook).data;
    const b = (await int8.model.runWithCache(ids, [hook])).cache.get(hook).data;
    assert.ok(maxAbsDiff(a, b) < 0.1, `pattern max |Δ| ${maxAbsDiff(a, b)}`);
    const P = ids.length;
    for (let r = 0; r < b.length / P; r++) assert.ok(Math.abs(b.subarray(r * P, (r + 1) * P).reduce((s, x) => s + x, 0) - 1) < 1e-4);
  });
});

describe('int8 mode on a GPT-2-small-shaped checkpoint (random weights)', function () {
  this.timeout(300_000);
  // GPT-2 small's blocks (12 × d_model 768, 12 heads, d_mlp 3072) with a small vocabulary; GPT-2's init scale.
  const c = tinyConfig({ nLayers: 12, nHeads: 12, dModel: 768, dMlp: 3072, nCtx: 64, dVocab: 512, bosTokenId: 511 });
  let exact: HookedGpt2;
  let int8: HookedGpt2;
  let int8Unembed: HookedGpt2;
  before(() => {
    const w = randomWeights(c, 7, 0.02 * Math.sqrt(3)); // uniform with GPT-2's std 0.02
    exact = new HookedGpt2(c, w, { threads: 1 });
    int8 = new HookedGpt2(c, w, { threads: 1, precision: 'int8' });
    int8Unembed = new HookedGpt2(c, w, { threads: 1, precision: 'int8', int8Unembed: true });
  });
  after(async () => {
    await exact?.dispose();
    await int8?.dispose();
    await int8Unembed?.dispose();
  });

  it('keeps the logits error under 2% of the logit range, and the exact mode unchanged', async () => {
    const ids = Array.from({ length: 48 }, (_, i) => (i * 97 + 13) % c.dVocab);
    const fp32 = await exact.run(ids, { logits: 'all' });
    const approx = await int8.run(ids, { logits: 'all' });
    const e = compareLogits(fp32.logits!, approx.logits!);
    assert.ok(e.maxAbs > 0);
    assert.ok(e.maxAbs < 0.02 * e.meanLogitRange, `max |Δ| ${e.maxAbs} vs range ${e.meanLogitRange}`);
    assert.ok(e.meanKl < 1e-3, `KL ${e.meanKl}`);
    const again = await int8.runExact(ids, { logits: 'all' });
    assert.ok(maxAbsDiff(again.logits!.data, fp32.logits!.data) < 1e-5, 'the fp32 forward is unchanged by the int8 option');
  });

  it('with the unembedding quantized too (int8 W_U from the tied wte), the logits error stays bounded', async () => {
    const ids = Array.from({ length: 48 }, (_, i) => (i * 89 + 5) % c.dVocab);
    const fp32 = await exact.run(ids, { logits: 'all' });
    const blocksOnly = compareLogits(fp32.logits!, (await int8.run(ids, { logits: 'all' })).logits!);
    const e = compareLogits(fp32.logits!, (await int8Unembed.run(ids, { logits: 'all' })).logits!);
    assert.ok(e.maxAbs !== blocksOnly.maxAbs, 'the unembedding option changes the logits');
    assert.ok(e.maxAbs < 0.03 * e.meanLogitRange, `max |Δ| ${e.maxAbs} vs range ${e.meanLogitRange}`);
    assert.ok(e.meanKl < 1e-3, `KL ${e.meanKl}`);
  });
});
