/**
 * How well the SAE explains this prompt, in two runs: a clean run (the hook and every position's
 * logits), then a run with the SAE's reconstruction spliced in at the hook at every position (for a
 * resid_pre hook, a run that starts at the hook's block from the reconstruction).
 *
 * - relative error per position: ‖x − recon‖ / ‖x‖, where x is what the SAE reads (the hook row,
 *   minus its mean over d_in for a 'center' SAE: that mean is added back exactly and is nothing the
 *   SAE explains);
 * - variance explained over the prompt, SAELens's definition: 1 − Σ_p ‖x_p − recon_p‖² / Σ_p ‖x_p − x̄‖²
 *   with x̄ the mean row over the positions counted; given over all positions and without the first
 *   one when it is BOS (its residual is an outlier that dominates the sums);
 * - KL(clean ‖ spliced) of the next-token distributions per position, in nats;
 * - next-token cross-entropy, clean and spliced, per position 0..pos−2 (predicting token p + 1) and
 *   their means;
 * - top-1 agreement per position and the fraction that agrees.
 */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { LoadedSae } from '../../model/sae';
import { float32Tensor } from '../../model/tensor';
import { logSumExp } from '../../model/logitsMath';
import { saeHook, saeInputRows, type SaeEncode } from './saeRun';

export interface ReconstructionQuality {
  /** [pos] ‖x − recon‖₂ */
  readonly errorNorm: Float32Array;
  /** [pos] ‖x − recon‖ / ‖x‖ (x as the SAE reads it) */
  readonly relativeError: Float32Array;
  /** Over all positions. */
  readonly varianceExplained: number;
  /** Without position 0 when it is the model's BOS token; else equal to `varianceExplained`. NaN with fewer than 2 positions counted. */
  readonly varianceExplainedExcludingBos: number;
  readonly firstIsBos: boolean;
  /** [pos] KL(clean ‖ spliced) in nats */
  readonly klPerPosition: Float32Array;
  readonly klMean: number;
  /** [pos − 1] −log p(token[p + 1]) at position p */
  readonly ceClean: Float32Array;
  readonly ceSpliced: Float32Array;
  readonly ceCleanMean: number;
  readonly ceSplicedMean: number;
  /** [pos] 1 where the top next token is the same, else 0 */
  readonly top1Agrees: Uint8Array;
  readonly top1Agreement: number;
}

export async function runReconstructionQuality(
  model: HookedGpt2,
  encoder: SaeEncode,
  sae: LoadedSae,
  tokens: readonly number[],
  signal?: AbortSignal,
): Promise<ReconstructionQuality> {
  const hook = saeHook(sae);
  const { dIn } = sae.config;
  const V = model.config.dVocab;
  const pos = tokens.length;
  const clean = await model.runWithCache(tokens, [hook], { logits: 'all', signal });
  const x = clean.cache.get(hook).data; // [1, pos, d_in]
  const enc = await encoder.encode(float32Tensor<'rows d_in'>([pos, dIn], x), signal);
  const recon = float32Tensor<'batch pos d_model'>([1, pos, dIn], enc.recon.data);
  // Replacing blocks.{l}.hook_resid_pre at every position is starting the model at block l from the
  // reconstruction (TL's start_at_layer): the blocks before it are not run again.
  const residPre = /^blocks\.(\d+)\.hook_resid_pre$/.exec(hook);
  const spliced = residPre
    ? await model.run(tokens, { startAt: { layer: Number(residPre[1]), residPre: recon }, logits: 'all', signal })
    : await model.runWithPatches(tokens, [{ hook, values: recon }], { logits: 'all', signal });
  const cleanLogits = clean.logits!.data; // [1, pos, d_vocab]
  const splicedLogits = spliced.logits!.data;

  const input = saeInputRows(sae, x);
  const relativeError = new Float32Array(pos);
  for (let p = 0; p < pos; p++) {
    let s = 0;
    for (let i = p * dIn; i < (p + 1) * dIn; i++) s += input[i] * input[i];
    relativeError[p] = enc.errorNorm[p] / Math.sqrt(s);
  }
  const firstIsBos = tokens[0] === model.config.bosTokenId;

  const klPerPosition = new Float32Array(pos);
  const top1Agrees = new Uint8Array(pos);
  const ceClean = new Float32Array(Math.max(0, pos - 1));
  const ceSpliced = new Float32Array(Math.max(0, pos - 1));
  for (let p = 0; p < pos; p++) {
    const a = cleanLogits.subarray(p * V, (p + 1) * V);
    const b = splicedLogits.subarray(p * V, (p + 1) * V);
    const la = logSumExp(a);
    const lb = logSumExp(b);
    let kl = 0;
    for (let t = 0; t < V; t++) {
      const lpa = a[t] - la;
      kl += Math.exp(lpa) * (lpa - (b[t] - lb));
    }
    klPerPosition[p] = Math.max(0, kl);
    top1Agrees[p] = argmax(a) === argmax(b) ? 1 : 0;
    if (p < pos - 1) {
      const next = tokens[p + 1];
      ceClean[p] = la - a[next];
      ceSpliced[p] = lb - b[next];
    }
  }
  return {
    errorNorm: enc.errorNorm,
    relativeError,
    varianceExplained: varianceExplained(input, enc.recon.data, x, dIn, 0),
    varianceExplainedExcludingBos: varianceExplained(input, enc.recon.data, x, dIn, firstIsBos ? 1 : 0),
    firstIsBos,
    klPerPosition,
    klMean: mean(klPerPosition),
    ceClean,
    ceSpliced,
    ceCleanMean: mean(ceClean),
    ceSplicedMean: mean(ceSpliced),
    top1Agrees,
    top1Agreement: mean(top1Agrees),
  };
}

/**
 * 1 − Σ‖x − recon‖² / Σ‖x − x̄‖² over rows from `from` on. `input` is x as the SAE reads it; the
 * error x − recon is taken in the model's coordinates (`x`, `recon`), where it is the same.
 */
export function varianceExplained(input: Float32Array, recon: Float32Array, x: Float32Array, n: number, from: number): number {
  const rows = input.length / n;
  if (rows - from < 2) return NaN;
  const mean = new Float64Array(n);
  for (let r = from; r < rows; r++) for (let i = 0; i < n; i++) mean[i] += input[r * n + i];
  for (let i = 0; i < n; i++) mean[i] /= rows - from;
  let err = 0;
  let total = 0;
  for (let r = from; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      const e = x[r * n + i] - recon[r * n + i];
      const v = input[r * n + i] - mean[i];
      err += e * e;
      total += v * v;
    }
  }
  return 1 - err / total;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

function mean(a: ArrayLike<number>): number {
  if (a.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
