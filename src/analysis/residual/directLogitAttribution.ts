/**
 * Direct logit attribution at one position, onto `W_U[:, answer] − W_U[:, wrong]` (or `W_U[:, answer]`).
 *
 * ln_final with the cached final scale is linear in the residual: for a component c,
 * `((c − mean(c)) / scale) ⊙ w · dir = c · ũ` with `ũ = (u − mean(u)) / scale`, `u = w ⊙ dir`. So
 * every component is one dot product with ũ, ln_f.b adds the constant `b · dir`, and the parts add
 * up to the model's logit difference. In identity mode ũ = dir and there is no constant.
 *
 * A head's part is `z_h · (W_O,h ũ)` = Σ_key pattern[pos, key] · (v[key, h] · W_O,h ũ): the per-source
 * decomposition, which sums to it. So the head parts come from hook_v and hook_pattern, no per-head result needed.
 */
import type { ActivationCache } from '../../model/activationCache';
import type { HookedGpt2 } from '../../model/hookedGpt2';
import { WEIGHT } from '../../model/graph/weightNames';
import { blockHook } from '../../shared/hookNames';
import type { DirectLogitAttributionRecord } from '../../shared/residualStream';
import type { TokenRef } from '../../shared/tokens';
import { dot } from './vectors';

export interface DlaOptions {
  readonly position: number;
  readonly answer: TokenRef;
  readonly wrong?: TokenRef;
  /** The model's own logits at `position` [d_vocab]. */
  readonly logits: Float32Array;
}

/** The residual-space direction ũ that a component is dotted with, and ln_f.b's constant. */
export function dlaDirection(model: HookedGpt2, answerId: number, wrongId: number | undefined, scale: number): { u: Float64Array; lnFinalBias: number } {
  const d = model.config.dModel;
  const w = model.weightInputs;
  const WUT = w[WEIGHT.unembed].data as Float32Array; // W_Uᵀ [d_vocab, d_model]: W_U[:, t] is row t
  const dir = new Float64Array(d);
  for (let i = 0; i < d; i++) dir[i] = WUT[answerId * d + i] - (wrongId === undefined ? 0 : WUT[wrongId * d + i]);
  if (model.layerNorm === 'identity') return { u: dir, lnFinalBias: 0 };
  const lnW = w[WEIGHT.lnFinalW].data as Float32Array;
  const lnB = w[WEIGHT.lnFinalB].data as Float32Array;
  const u = new Float64Array(d);
  let mean = 0;
  for (let i = 0; i < d; i++) mean += u[i] = lnW[i] * dir[i];
  mean /= d;
  for (let i = 0; i < d; i++) u[i] = (u[i] - mean) / scale;
  return { u, lnFinalBias: dot(lnB, 0, dir, 0, d) };
}

export function computeDirectLogitAttribution(model: HookedGpt2, cache: ActivationCache, nTokens: number, o: DlaOptions): DirectLogitAttributionRecord {
  const { nLayers: L, nHeads: H, dModel: d, dHead: e } = model.config;
  const pos = o.position;
  const finalScale = model.layerNorm === 'identity' ? 1 : cache.get('ln_final.hook_scale').data[pos];
  const { u, lnFinalBias } = dlaDirection(model, o.answer.id, o.wrong?.id, finalScale);
  const w = model.weightInputs;
  const at = (data: Float32Array) => dot(data, pos * d, u, 0, d); // a [1, pos, d_model] hook at `pos`
  const tokenEmbed = at(cache.get('hook_embed').data);
  const posEmbed = at(cache.get('hook_pos_embed').data);
  const heads = new Float32Array(L * H);
  const sources = new Float32Array(L * H * nTokens);
  const attnBias = new Float32Array(L);
  const mlp = new Float32Array(L);
  let total = tokenEmbed + posEmbed + lnFinalBias;
  const wOu = new Float64Array(H * e); // W_O,h ũ per head [head_index, d_head]
  for (let l = 0; l < L; l++) {
    const wO = w[WEIGHT.block(l).wO].data as Float32Array; // [head_index·d_head, d_model]
    for (let r = 0; r < H * e; r++) wOu[r] = dot(wO, r * d, u, 0, d);
    const v = cache.get(blockHook(l, 'attn.hook_v')).data; // [1, pos, head_index, d_head]
    const pattern = cache.get(blockHook(l, 'attn.hook_pattern')).data; // [1, head_index, query_pos, key_pos]
    for (let h = 0; h < H; h++) {
      let head = 0;
      for (let key = 0; key <= pos; key++) {
        const s = pattern[(h * nTokens + pos) * nTokens + key] * dot(v, (key * H + h) * e, wOu, h * e, e);
        sources[(l * H + h) * nTokens + key] = s;
        head += s;
      }
      heads[l * H + h] = head;
      total += head;
    }
    attnBias[l] = dot(w[WEIGHT.block(l).bO].data as Float32Array, 0, u, 0, d);
    mlp[l] = at(cache.get(blockHook(l, 'hook_mlp_out')).data);
    total += attnBias[l] + mlp[l];
  }
  const logitDiff = o.logits[o.answer.id] - (o.wrong ? o.logits[o.wrong.id] : 0);
  return {
    position: pos,
    direction: o.wrong ? { answer: o.answer, wrong: o.wrong } : { answer: o.answer },
    n_layers: L,
    n_heads: H,
    n_tokens: nTokens,
    logitDiff,
    total,
    finalScale,
    tokenEmbed,
    posEmbed,
    heads_layer_head: heads,
    attnBias_layer: attnBias,
    mlp_layer: mlp,
    lnFinalBias,
    sources_layer_head_key: sources,
  };
}
