/**
 * A feature's logit lens: which tokens its decoder direction W_dec[f] promotes through the
 * unembedding, per unit of activation. As on TransformerLens's processed GPT-2 (fold_ln,
 * center_writing_weights, center_unembed), which Neuronpedia's lens reads:
 *   - ln_final's linear part is folded in: the direction is centred over d_model (LayerNorm removes
 *     the mean) and scaled by ln_f.w; its bias and the per-position scale are left out (the bias adds
 *     the same vector whatever the feature, the scale divides every logit alike);
 *   - the logits are centred over the vocabulary (a constant shift: ranks are unchanged).
 * With the model's LayerNorm mode 'identity' there is no ln_final: the direction goes to W_U as is.
 * W_U and ln_f.w are the model's own weight buffers (`weightInputs`), not copies.
 */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { LoadedSae } from '../../model/sae';
import { WEIGHT } from '../../model/graph/weightNames';
import { checkFeature } from './saeRun';

export interface LensToken {
  readonly token: number;
  readonly value: number;
}

export interface FeatureLogitLens {
  readonly feature: number;
  /** The k tokens with the largest centred logit, descending. */
  readonly top: readonly LensToken[];
  /** The k tokens with the smallest centred logit, ascending (most suppressed first). */
  readonly bottom: readonly LensToken[];
  /** What was folded, in words, for the view. */
  readonly basis: string;
}

export const LENS_BASIS = {
  folded: 'W_dec[f] centred over d_model · diag(ln_final.w) · W_U, centred over the vocabulary (TL processed: ln_final folded, per unit of activation)',
  identity: 'W_dec[f] · W_U, centred over the vocabulary (LayerNorm mode identity: no ln_final)',
} as const;

/** The centred logits of a feature's direction, [d_vocab], in float64 sums rounded once. */
export function featureLogits(model: HookedGpt2, sae: LoadedSae, feature: number): Float32Array {
  checkFeature(sae, feature);
  const { dModel: d, dVocab: V } = model.config;
  if (sae.config.dIn !== d) throw new Error(`the SAE's d_in ${sae.config.dIn} is not the model's d_model ${d}`);
  const dir = new Float64Array(d);
  for (let i = 0; i < d; i++) dir[i] = sae.weights.W_dec[feature * d + i];
  if (model.layerNorm !== 'identity') {
    const w = model.weightInputs[WEIGHT.lnFinalW].data as Float32Array; // [d_model]
    let mean = 0;
    for (let i = 0; i < d; i++) mean += dir[i];
    mean /= d;
    for (let i = 0; i < d; i++) dir[i] = (dir[i] - mean) * w[i];
  }
  const UT = model.weightInputs[WEIGHT.unembed].data as Float32Array; // W_Uᵀ [d_vocab, d_model]
  const logits = new Float64Array(V);
  for (let t = 0; t < V; t++) {
    const row = t * d;
    let s = 0;
    for (let i = 0; i < d; i++) s += dir[i] * UT[row + i];
    logits[t] = s;
  }
  let mean = 0;
  for (let t = 0; t < V; t++) mean += logits[t];
  mean /= V;
  const out = new Float32Array(V);
  for (let t = 0; t < V; t++) out[t] = logits[t] - mean;
  return out;
}

export function featureLogitLens(model: HookedGpt2, sae: LoadedSae, feature: number, k: number): FeatureLogitLens {
  const logits = featureLogits(model, sae, feature);
  const kk = Math.max(0, Math.min(k, logits.length));
  return {
    feature,
    top: extremes(logits, kk, 1).map((token) => ({ token, value: logits[token] })),
    bottom: extremes(logits, kk, -1).map((token) => ({ token, value: logits[token] })),
    basis: model.layerNorm === 'identity' ? LENS_BASIS.identity : LENS_BASIS.folded,
  };
}

/** The k indices with the largest (sign 1) or smallest (sign −1) values, in that order; ties keep the lower index first. One pass, no full sort. */
export function extremes(values: Float32Array, k: number, sign: 1 | -1): number[] {
  const best: number[] = [];
  if (k <= 0) return best;
  for (let t = 0; t < values.length; t++) {
    const v = sign * values[t];
    if (best.length === k && v <= sign * values[best[k - 1]]) continue;
    let i = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(t);
    while (i > 0 && sign * values[best[i - 1]] < v) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = t;
  }
  return best;
}

/** The lens of several features (one pass over W_U each; d_model × d_vocab multiply-adds per feature). */
export function featureLogitLenses(model: HookedGpt2, sae: LoadedSae, features: readonly number[], k: number): FeatureLogitLens[] {
  return features.map((f) => featureLogitLens(model, sae, f, k));
}
