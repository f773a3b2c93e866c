/**
 * Ablated text: which earlier tokens a feature's activation at position p depends on. For every
 * j ≤ p, the activation at p when the token embedding at j (`hook_embed`) is replaced by the mean
 * token embedding over the vocabulary (the mean of W_E's rows; the position embedding stays).
 *
 * One batched run: batch element b ablates position b, and one more element runs clean. Only the
 * tokens 0..p are run (causal attention: later tokens cannot change position p), the run stops at
 * the SAE's hook, and only position p of each element is encoded. When p is large the batch is cut
 * into chunks whose activations stay under `maxChunkBytes`.
 */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { HookPatch } from '../../model/hookPatch';
import type { LoadedSae } from '../../model/sae';
import { WEIGHT } from '../../model/graph/weightNames';
import { float32Tensor } from '../../model/tensor';
import type { Gpt2Config } from '../../model/gpt2Config';
import { checkFeature, runToHookWith, type SaeEncode } from './saeRun';

export interface AblatedText {
  readonly feature: number;
  readonly position: number;
  /** The feature's activation at `position` on the clean prompt. */
  readonly clean: number;
  /** [position + 1]: the activation at `position` with hook_embed at j replaced by the mean token embedding. */
  readonly ablated: Float32Array;
}

export interface AblatedTextOptions {
  readonly signal?: AbortSignal;
  /** Upper bound on one run's activation memory (bytes, estimated); default 512 MiB. */
  readonly maxChunkBytes?: number;
}

/** The mean of W_E's rows [d_model], in float64 sums. */
export function meanTokenEmbedding(model: HookedGpt2): Float32Array {
  const { dModel: d, dVocab: V } = model.config;
  const wte = model.weightInputs[WEIGHT.wte].data as Float32Array; // [d_vocab, d_model]
  const sum = new Float64Array(d);
  for (let t = 0; t < V; t++) for (let i = 0; i < d; i++) sum[i] += wte[t * d + i];
  return Float32Array.from(sum, (s) => s / V);
}

/**
 * A rough upper estimate of one batch element's activation memory for `pos` tokens through
 * `layers` blocks (the live residual, q/k/v, MLP and attention tensors of one layer, a few times over).
 */
export function elementBytes(c: Gpt2Config, pos: number): number {
  return 4 * pos * (8 * c.dModel + 2 * c.dMlp + 3 * c.nHeads * pos);
}

export async function runAblatedText(
  model: HookedGpt2,
  encoder: SaeEncode,
  sae: LoadedSae,
  tokens: readonly number[],
  feature: number,
  position: number,
  options: AblatedTextOptions | AbortSignal = {},
): Promise<AblatedText> {
  const o: AblatedTextOptions = options instanceof AbortSignal ? { signal: options } : options;
  checkFeature(sae, feature);
  if (!Number.isInteger(position) || position < 0 || position >= tokens.length) {
    throw new RangeError(`position ${position} is outside the prompt (0..${tokens.length - 1})`);
  }
  const c = model.config;
  const d = c.dModel;
  const n = position + 1; // tokens 0..position
  const prompt = tokens.slice(0, n);
  const mean = meanTokenEmbedding(model);
  const meanRows = new Float32Array(n * d); // [1, pos, d_model]: the mean embedding at every position
  for (let j = 0; j < n; j++) meanRows.set(mean, j * d);
  const meanValues = float32Tensor<'batch pos d_model'>([1, n, d], meanRows);

  // Elements 0..position ablate that position; element n is the clean run.
  const total = n + 1;
  const perChunk = Math.max(1, Math.min(total, Math.floor((o.maxChunkBytes ?? 512 * 2 ** 20) / elementBytes(c, n))));
  const atP = new Float32Array(total);
  for (let start = 0; start < total; start += perChunk) {
    const size = Math.min(perChunk, total - start);
    const patches: HookPatch[] = [];
    for (let b = 0; b < size; b++) {
      const j = start + b;
      if (j < n) patches.push({ hook: 'hook_embed', values: meanValues, positions: [j], batch: [b] });
    }
    const rows = Array.from({ length: size }, () => prompt);
    const x = (await runToHookWith(model, sae, rows, { patches }, o.signal)).data; // [size, n, d_in]
    const last = new Float32Array(size * d); // position p of each element: [size, d_in]
    for (let b = 0; b < size; b++) last.set(x.subarray((b * n + position) * d, (b * n + n) * d), b * d);
    const enc = await encoder.encode(float32Tensor<'rows d_in'>([size, d], last), o.signal);
    for (let b = 0; b < size; b++) atP[start + b] = enc.acts.data[b * sae.config.dSae + feature];
  }
  return { feature, position, clean: atP[n], ablated: atP.slice(0, n) };
}
