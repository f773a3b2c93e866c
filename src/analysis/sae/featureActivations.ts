/**
 * The features of one prompt: one run that stops at the SAE's hook (no logits, no later blocks),
 * the SAE's encoding of every position, and per position its top-k active features.
 */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { LoadedSae } from '../../model/sae';
import { float32Tensor, type Float32Tensor } from '../../model/tensor';
import { rowL2, runToHook, type SaeEncode } from './saeRun';

export interface ActiveFeature {
  readonly feature: number;
  readonly act: number;
}

export interface FeatureActivations {
  readonly acts: Float32Tensor<'pos d_sae'>;
  /** [pos] ‖x − recon‖₂ */
  readonly errorNorm: Float32Array;
  /** [pos] ‖x‖₂ of the hook activation, in the model's coordinates */
  readonly residNorm: Float32Array;
  /** Per position, the top-k features with activation > 0, descending (fewer when fewer are active). */
  readonly top: readonly (readonly ActiveFeature[])[];
}

export interface FeatureActivationsOptions {
  readonly topK: number;
  readonly signal?: AbortSignal;
}

export async function runFeatureActivations(
  model: HookedGpt2,
  encoder: SaeEncode,
  sae: LoadedSae,
  tokens: readonly number[],
  opts: FeatureActivationsOptions,
): Promise<FeatureActivations> {
  const { dIn, dSae } = sae.config;
  const x = await runToHook(model, sae, tokens, opts.signal); // [1, pos, d_in]
  const pos = tokens.length;
  const rows = float32Tensor<'rows d_in'>([pos, dIn], x.data);
  const enc = await encoder.encode(rows, opts.signal);
  const acts = float32Tensor<'pos d_sae'>([pos, dSae], enc.acts.data);
  const top = Array.from({ length: pos }, (_, p) => topActive(acts.data, p * dSae, dSae, opts.topK));
  return { acts, errorNorm: enc.errorNorm, residNorm: rowL2(x.data, dIn), top };
}

/** The k largest entries > 0 of row [offset, offset + n), descending; ties keep the lower feature first. */
export function topActive(data: Float32Array, offset: number, n: number, k: number): ActiveFeature[] {
  const best: ActiveFeature[] = [];
  if (k <= 0) return best;
  for (let f = 0; f < n; f++) {
    const a = data[offset + f];
    if (!(a > 0)) continue;
    if (best.length === k && a <= best[k - 1].act) continue;
    let i = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push({ feature: f, act: a });
    while (i > 0 && best[i - 1].act < a) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = { feature: f, act: a };
  }
  return best;
}
