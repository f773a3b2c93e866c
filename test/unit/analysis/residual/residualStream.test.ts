import assert from 'node:assert/strict';
import { HookedGpt2 } from '../../../../src/model/hookedGpt2';
import { releaseLensSessions, ResidualInputError, runResidualStream, residualStreamHooks } from '../../../../src/analysis/residual';
import { WEIGHT } from '../../../../src/model/graph/weightNames';
import { boundaryHook } from '../../../../src/shared/residualStream';
import type { HookName } from '../../../../src/shared/hookNames';
import type { PromptToken } from '../../../../src/shared/tokens';
import { logSumExp } from '../../../../src/model/logitsMath';
import { randomWeights, tinyConfig } from '../../model/randomGpt2';

const c = tinyConfig();
const ids = [49, 3, 17, 8, 3, 17, 22, 5, 9, 30];
const tokens: PromptToken[] = ids.map((id, i) => ({ id, text: `t${id}`, isBos: i === 0, start: i, end: i + 1 }));

const weights = randomWeights(c);

/** ln_final(resid) · W_U in float64 for one row; `scale` given = cached-scale variant. W_U is the checkpoint's wteᵀ (tied), read here as stored. */
function lensLogits(model: HookedGpt2, row: Float32Array, scale?: number): Float64Array {
  const { dModel: d, dVocab: V, layerNormEps } = model.config;
  const w = model.weightInputs;
  const wte = weights.wte; // [d_vocab, d_model]
  const x = Float64Array.from(row);
  if (model.layerNorm !== 'identity') {
    const mean = x.reduce((a, v) => a + v, 0) / d;
    for (let i = 0; i < d; i++) x[i] -= mean;
    const s = scale ?? Math.sqrt(x.reduce((a, v) => a + v * v, 0) / d + layerNormEps);
    const lw = w[WEIGHT.lnFinalW].data as Float32Array;
    const lb = w[WEIGHT.lnFinalB].data as Float32Array;
    for (let i = 0; i < d; i++) x[i] = (x[i] / s) * lw[i] + lb[i];
  }
  const out = new Float64Array(V);
  for (let v = 0; v < V; v++) for (let i = 0; i < d; i++) out[v] += x[i] * wte[v * d + i];
  return out;
}

for (const layerNorm of ['as_configured', 'identity'] as const) {
  describe(`residual stream analysis (${layerNorm})`, () => {
    let model: HookedGpt2;
    before(() => {
      model = new HookedGpt2(c, weights, { layerNorm });
    });
    after(async () => {
      await releaseLensSessions(model);
      await model.dispose();
    });

    it('DLA components add up to the model logit difference, and per-source parts to each head', async () => {
      const { dla } = await runResidualStream(model, tokens, { answerId: 7, wrongId: 11, position: 6 });
      assert.ok(Math.abs(dla.total - dla.logitDiff) < 1e-4 * Math.max(1, Math.abs(dla.logitDiff)), `${dla.total} vs ${dla.logitDiff}`);
      assert.notEqual(dla.logitDiff, 0);
      for (let lh = 0; lh < c.nLayers * c.nHeads; lh++) {
        let s = 0;
        for (let k = 0; k < ids.length; k++) s += dla.sources_layer_head_key[lh * ids.length + k];
        assert.ok(Math.abs(s - dla.heads_layer_head[lh]) < 1e-5);
        for (let k = 7; k < ids.length; k++) assert.equal(dla.sources_layer_head_key[lh * ids.length + k], 0, 'nothing after the position');
      }
      if (layerNorm === 'identity') assert.equal(dla.lnFinalBias, 0);
      else assert.notEqual(dla.lnFinalBias, 0);
    });

    for (const variant of ['recompute', 'cached-scale'] as const) {
      it(`lens (${variant}) matches a float64 unembedding of every boundary`, async () => {
        const progress: [number, number][] = [];
        const partial: { at: number; norms: unknown; dla: unknown }[] = [];
        const r = await runResidualStream(model, tokens, {
          variant,
          k: 5,
          answerId: 7,
          lensChunkBytes: 7 * c.dVocab * 4,
          onPartial: (p) => partial.push({ at: progress.length, ...p }),
          onProgress: (d, t) => progress.push([d, t]),
        });
        const { lens } = r;
        assert.equal(partial.length, 1, 'the norms and DLA once');
        assert.equal(partial[0].at, 0, 'before the lens');
        assert.ok(partial[0].norms === r.norms && partial[0].dla === r.dla, 'the arrays the result holds');
        assert.deepEqual(
          progress,
          [7, 14, 21, 28, 35, 40].map((d) => [d, 40]),
          'the 40 rows ran in 6 chunks of up to 7',
        );
        const { cache } = await model.runWithCache(ids, residualStreamHooks(c.nLayers));
        const scale = cache.get('ln_final.hook_scale').data;
        for (let b = 0; b <= c.nLayers; b++) {
          const resid = cache.get(boundaryHook(c.nLayers, b) as HookName).data;
          for (let p = 0; p < ids.length; p++) {
            const logits = lensLogits(model, resid.subarray(p * c.dModel, (p + 1) * c.dModel), variant === 'cached-scale' ? scale[p] : undefined);
            const f = Float32Array.from(logits);
            const lse = logSumExp(f);
            const cell = b * ids.length + p;
            const order = [...logits.keys()].sort((x, y) => logits[y] - logits[x]);
            assert.deepEqual([...lens.top_ids_boundary_pos_k.subarray(cell * 5, cell * 5 + 5)], order.slice(0, 5), `top ids at ${b},${p}`);
            assert.ok(Math.abs(lens.top_probs_boundary_pos_k[cell * 5] - Math.exp(logits[order[0]] - lse)) < 1e-5);
            assert.ok(Math.abs(lens.answer_logprob_boundary_pos[cell] - (logits[7] - lse)) < 1e-4);
            assert.equal(lens.answer_rank_boundary_pos[cell], order.indexOf(7));
            let h = 0;
            for (const l of logits) h -= Math.exp(l - lse) * (l - lse);
            assert.ok(Math.abs(lens.entropy_boundary_pos[cell] - h) < 1e-4, `entropy ${lens.entropy_boundary_pos[cell]} vs ${h}`);
          }
        }
      });
    }

    it('the last boundary is the model prediction; the answer defaults to the top token', async () => {
      const { lens, dla } = await runResidualStream(model, tokens, { k: 3 });
      const run = await model.runWithCache(ids, [], { logits: 'all' });
      const V = c.dVocab;
      for (let p = 0; p < ids.length; p++) {
        const row = run.logits!.data.subarray(p * V, (p + 1) * V);
        const cell = c.nLayers * ids.length + p;
        const lse = logSumExp(row);
        assert.ok(Math.abs(lens.answer_logprob_boundary_pos[cell] - (row[lens.answer.id] - lse)) < 1e-5);
      }
      const last = run.logits!.data.subarray((ids.length - 1) * V);
      const top = last.indexOf(Math.max(...last));
      assert.equal(lens.answer.id, top);
      assert.equal(lens.answer_rank_boundary_pos[lens.n_boundaries * ids.length - 1], 0);
      assert.equal(dla.position, ids.length - 1);
      assert.equal(dla.direction.wrong, undefined);
    });

    it('norms: raw ≥ centred, growth factors from the boundary ratios', async () => {
      const { norms } = await runResidualStream(model, tokens, {});
      assert.equal(norms.hasBos, true);
      for (let i = 0; i < norms.raw_boundary_pos.length; i++) assert.ok(norms.raw_boundary_pos[i] >= norms.centred_boundary_pos[i] - 1e-5);
      const n = ids.length;
      let logSum = 0;
      for (let p = 1; p < n; p++) logSum += Math.log(norms.raw_boundary_pos[n + p] / norms.raw_boundary_pos[p]);
      assert.ok(Math.abs(norms.rawGrowth.factor_layer[0] - Math.exp(logSum / (n - 1))) < 1e-5);
      assert.ok(Math.abs(norms.rawGrowth.bos_factor_layer![0] - norms.raw_boundary_pos[n] / norms.raw_boundary_pos[0]) < 1e-5);
      assert.ok(norms.rawGrowth.fitted > 0);
    });
  });
}

describe('residual stream analysis: bad input', () => {
  let model: HookedGpt2;
  before(() => {
    model = new HookedGpt2(c, randomWeights(c));
  });
  after(() => model.dispose());

  const cases: [string, object, string][] = [
    ['answer equal to wrong', { answerId: 4, wrongId: 4 }, 'same-token'],
    ['position past the end', { position: ids.length }, 'position'],
    ['position before the start', { position: -ids.length - 1 }, 'position'],
    ['answer outside the vocabulary', { answerId: c.dVocab }, 'vocab'],
    ['k of zero', { k: 0 }, 'k'],
  ];
  for (const [name, options, code] of cases) {
    it(`rejects ${name}`, async () => {
      await assert.rejects(runResidualStream(model, tokens, options), (e: unknown) => e instanceof ResidualInputError && e.code === code);
    });
  }

  it('a prompt of BOS alone: lens and DLA work, growth over non-BOS positions is NaN (there are none)', async () => {
    const r = await runResidualStream(model, tokens.slice(0, 1), { answerId: 7 });
    assert.equal(r.lens.n_tokens, 1);
    assert.ok(Math.abs(r.dla.total - r.dla.logitDiff) < 1e-4);
    assert.ok(Number.isNaN(r.norms.rawGrowth.factor_layer[0]));
    assert.ok(r.norms.rawGrowth.bos_factor_layer![0] > 0);
  });

  it('a cancelled run stops', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(runResidualStream(model, tokens, { signal: ac.signal }));
  });
});
