/**
 * Parity of the residual-stream analysis (logit lens, norms, DLA) with the independent float64
 * PyTorch reference (tools/reference/residual.py), for every golden case: F32/F16/BF16, the LN-free
 * eps-1e12 checkpoint and its identity-LayerNorm variant. Every quantity at 1e-4 of the golden
 * tensor's largest magnitude. The last block shows that the classic bugs (TL#1076's cached scale in
 * the lens, ln_f's bias forgotten, b_O counted once per head) would fail these comparisons.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadHookedGpt2, type LoadedModel } from '../../src/model/loadHookedGpt2';
import { readSafetensorsFloat32 } from '../../src/model/checkpoint';
import type { Float32Tensor } from '../../src/model/tensor';
import { releaseLensSessions, runResidualStream, type ResidualStreamResult } from '../../src/analysis/residual';
import type { DirectLogitAttributionRecord } from '../../src/shared/residualStream';
import type { PromptToken } from '../../src/shared/tokens';
import { compareToGolden, goldenCases, GOLDEN_DIR } from './goldenCases';

const f32 = (...xs: number[]) => Float32Array.from(xs);

/** [n_boundaries, pos, V] log-probabilities rebuilt from a lens run with k = V (every token). */
function logprobsFromFullTopK(r: ResidualStreamResult, V: number): Float32Array {
  const { top_ids_boundary_pos_k: ids, top_probs_boundary_pos_k: probs } = r.lens;
  const out = new Float32Array(ids.length);
  for (let cell = 0; cell < ids.length / V; cell++) {
    for (let j = 0; j < V; j++) out[cell * V + ids[cell * V + j]] = Math.log(probs[cell * V + j]);
  }
  return out;
}

function dlaFields(d: DirectLogitAttributionRecord): Record<string, Float32Array> {
  return {
    position: f32(d.position),
    logit_diff: f32(d.logitDiff),
    total: f32(d.total),
    final_scale: f32(d.finalScale),
    token_embed: f32(d.tokenEmbed),
    pos_embed: f32(d.posEmbed),
    heads: d.heads_layer_head,
    attn_bias: d.attnBias_layer,
    mlp: d.mlp_layer,
    ln_final_bias: f32(d.lnFinalBias),
    sources: d.sources_layer_head_key,
  };
}

function failuresOf(pairs: [string, Float32Array, Float32Tensor | undefined][]): string[] {
  const failures: string[] = [];
  for (const [name, actual, g] of pairs) {
    if (!g) {
      failures.push(`${name}: no golden tensor`);
      continue;
    }
    const r = compareToGolden(actual, g.data);
    if (!r.ok) failures.push(`${name}: max error ${r.maxErr.toExponential(3)} > tolerance ${r.tol.toExponential(3)} at flat index ${r.where}`);
  }
  return failures;
}

for (const gc of goldenCases()) {
  describe(`residual stream parity with the PyTorch reference: ${gc.name}`, () => {
    let loaded: LoadedModel;
    let golden: Map<string, Float32Tensor>;
    let tokens: PromptToken[];
    const G = (name: string) => golden.get(`residual.${name}`);
    before(async () => {
      loaded = await loadHookedGpt2(gc.checkpoint, { layerNorm: gc.layer_norm });
      golden = await readSafetensorsFloat32(join(GOLDEN_DIR, `${gc.name}.residual.safetensors`));
      tokens = gc.tokens.map((id, i) => ({ id, text: `#${id}`, isBos: i === 0, start: i, end: i + 1 }));
    });
    after(async () => {
      if (!loaded) return;
      await releaseLensSessions(loaded.model);
      await loaded.dispose();
    });

    for (const variant of ['recompute', 'cached-scale'] as const) {
      it(`logit lens (${variant}): log-probabilities, top tokens, entropy, answer rank at every boundary and position`, async () => {
        const V = loaded.model.config.dVocab;
        const key = variant.replace('-', '_');
        const r = await runResidualStream(loaded.model, tokens, { variant, k: V, answerId: gc.answer });
        const lp = G(`lens.${key}.logprobs`)!;
        assert.deepEqual(lp.dims, [r.lens.n_boundaries, tokens.length, V]);
        const answerLogprob = new Float32Array(r.lens.n_boundaries * tokens.length).map((_, cell) => lp.data[cell * V + gc.answer]);
        const failures = failuresOf([
          ['logprobs', logprobsFromFullTopK(r, V), lp],
          ['entropy', r.lens.entropy_boundary_pos, G(`lens.${key}.entropy`)],
          ['answer_rank', Float32Array.from(r.lens.answer_rank_boundary_pos), G(`lens.${key}.answer_rank`)],
          ['answer_logprob', r.lens.answer_logprob_boundary_pos, { dims: [answerLogprob.length], data: answerLogprob }],
        ]);
        assert.deepEqual(failures, []);
        // top-k order: the engine's j-th token has the golden's j-th largest log-probability
        const tol = 1e-4 * Math.max(...lp.data.map(Math.abs));
        for (let cell = 0; cell < answerLogprob.length; cell++) {
          const sorted = [...lp.data.subarray(cell * V, (cell + 1) * V)].sort((a, b) => b - a);
          for (let j = 0; j < 5; j++) assert.ok(Math.abs(lp.data[cell * V + r.lens.top_ids_boundary_pos_k[cell * V + j]] - sorted[j]) <= tol, `top ${j} at cell ${cell}`);
        }
      });
    }

    it('residual norms (raw, centred, attn_out, mlp_out) and growth factors', async () => {
      const { norms: n } = await runResidualStream(loaded.model, tokens, { answerId: gc.answer });
      assert.equal(n.hasBos, true);
      const failures = failuresOf([
        ['raw', n.raw_boundary_pos, G('norms.raw')],
        ['centred', n.centred_boundary_pos, G('norms.centred')],
        ['attn_out', n.attn_out_layer_pos, G('norms.attn_out')],
        ['mlp_out', n.mlp_out_layer_pos, G('norms.mlp_out')],
        ['growth.raw.factor', n.rawGrowth.factor_layer, G('norms.growth.raw.factor')],
        ['growth.raw.bos_factor', n.rawGrowth.bos_factor_layer!, G('norms.growth.raw.bos_factor')],
        ['growth.raw.fitted', f32(n.rawGrowth.fitted), G('norms.growth.raw.fitted')],
        ['growth.centred.factor', n.centredGrowth.factor_layer, G('norms.growth.centred.factor')],
        ['growth.centred.bos_factor', n.centredGrowth.bos_factor_layer!, G('norms.growth.centred.bos_factor')],
        ['growth.centred.fitted', f32(n.centredGrowth.fitted), G('norms.growth.centred.fitted')],
      ]);
      assert.deepEqual(failures, []);
    });

    for (const [which, withWrong] of [
      ['last', true],
      ['mid', false],
    ] as const) {
      it(`DLA at the ${which} position (${withWrong ? 'answer − wrong' : 'answer alone'}): every component, per-source parts, and their sum`, async () => {
        const position = G(`dla.${which}.position`)!.data[0];
        const { dla } = await runResidualStream(loaded.model, tokens, { answerId: gc.answer, wrongId: withWrong ? gc.wrong : undefined, position });
        const failures = failuresOf(Object.entries(dlaFields(dla)).map(([k, v]) => [k, v, G(`dla.${which}.${k}`)]));
        assert.deepEqual(failures, []);
        assert.ok(Math.abs(dla.total - dla.logitDiff) <= 1e-4 * Math.max(1, Math.abs(dla.logitDiff)), `components add up: ${dla.total} vs ${dla.logitDiff}`);
      });
    }

    if (gc.layer_norm === 'as_configured') {
      describe('the comparisons above catch the classic bugs', () => {
        it("TL#1076: the final layer's cached scale used in the recompute lens", async () => {
          const V = loaded.model.config.dVocab;
          const buggy = await runResidualStream(loaded.model, tokens, { variant: 'cached-scale', k: V, answerId: gc.answer });
          const failures = failuresOf([
            ['logprobs', logprobsFromFullTopK(buggy, V), G('lens.recompute.logprobs')],
            ['entropy', buggy.lens.entropy_boundary_pos, G('lens.recompute.entropy')],
          ]);
          // With gpt2_noLN's eps 1e12 the scale is sqrt(var + 1e12) ≈ 1e6 at every boundary: the bug changes nothing there.
          const epsDominates = loaded.model.config.layerNormEps >= 1e6;
          assert.equal(failures.length, epsDominates ? 0 : 2, failures.join('; '));
        });

        it("ln_final's bias constant forgotten: the components no longer add up to the logit difference", async () => {
          const { dla } = await runResidualStream(loaded.model, tokens, { answerId: gc.answer, wrongId: gc.wrong });
          const failures = failuresOf([
            ['total', f32(dla.total - dla.lnFinalBias), G('dla.last.logit_diff')],
            ['ln_final_bias', f32(0), G('dla.last.ln_final_bias')],
          ]);
          assert.equal(failures.length, 2, failures.join('; '));
        });

        it('b_O counted once per head: the bias bars and the total move past tolerance', async () => {
          const { dla } = await runResidualStream(loaded.model, tokens, { answerId: gc.answer, wrongId: gc.wrong });
          const H = loaded.model.config.nHeads;
          const extra = (H - 1) * dla.attnBias_layer.reduce((a, b) => a + b, 0);
          const failures = failuresOf([
            ['attn_bias', dla.attnBias_layer.map((b) => b * H), G('dla.last.attn_bias')],
            ['total', f32(dla.total + extra), G('dla.last.logit_diff')],
          ]);
          assert.equal(failures.length, 2, failures.join('; '));
        });
      });
    }
  });
}
