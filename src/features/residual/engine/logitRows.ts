/**
 * The model's logits at a few positions, from a cached forward's final residual stream, for a
 * forward that did not compute them (the attention panel's run computes only the last position's).
 * ln_final recomputed on the row (as the model does; the identity in identity mode), then W_U.
 * Equal to the model's own logits up to float rounding; no model run.
 */
import type { ActivationCache } from '../../../model/activationCache';
import { WEIGHT } from '../../../model/graph/weightNames';
import type { HookedGpt2 } from '../../../model/hookedGpt2';
import type { RunResult } from '../../../model/runOptions';
import { blockHook } from '../../../shared/hookNames';

function floatInput(model: HookedGpt2, name: string): Float32Array {
  const t = model.weightInputs[name];
  if (!t || t.type !== 'float32') throw new Error(`the model has no float32 weight input ${name}`);
  return t.data;
}

/** logits [positions.length, d_vocab] from `blocks.{L-1}.hook_resid_post`. */
export function logitRowsFromResidual(model: HookedGpt2, cache: ActivationCache, positions: readonly number[]): Float32Array {
  const c = model.config;
  const d = c.dModel;
  const v = c.dVocab;
  const resid = cache.get(blockHook(c.nLayers - 1, 'hook_resid_post')).data; // [batch=1, pos, d_model]
  const wUT = floatInput(model, WEIGHT.unembed); // W_Uᵀ [d_vocab, d_model]
  const identity = model.layerNorm === 'identity';
  const w = identity ? undefined : floatInput(model, WEIGHT.lnFinalW); // [d_model]
  const b = identity ? undefined : floatInput(model, WEIGHT.lnFinalB); // [d_model]
  const out = new Float32Array(positions.length * v);
  const x = new Float64Array(d);
  positions.forEach((p, r) => {
    for (let i = 0; i < d; i++) x[i] = resid[p * d + i];
    if (w && b) {
      let mean = 0;
      for (let i = 0; i < d; i++) mean += x[i];
      mean /= d;
      let varSum = 0;
      for (let i = 0; i < d; i++) varSum += (x[i] - mean) ** 2;
      const scale = Math.sqrt(varSum / d + c.layerNormEps);
      for (let i = 0; i < d; i++) x[i] = ((x[i] - mean) / scale) * w[i] + b[i];
    }
    for (let j = 0; j < v; j++) {
      const base = j * d;
      let logit = 0; // float64, rounded once
      for (let i = 0; i < d; i++) logit += x[i] * wUT[base + i];
      out[r * v + j] = logit;
    }
  });
  return out;
}

/** `run` with logits at every position of `positions`: its own where it has them, the rest from the residual stream. */
export function withLogitsAt(model: HookedGpt2, run: RunResult, positions: readonly number[]): RunResult {
  const have = run.logits ? run.logitPositions : [];
  if (positions.every((p) => have.includes(p))) return run;
  const v = model.config.dVocab;
  const missing = positions.filter((p) => !have.includes(p));
  const computed = logitRowsFromResidual(model, run.cache, missing);
  const data = new Float32Array(positions.length * v);
  positions.forEach((p, r) => {
    const i = have.indexOf(p);
    const m = missing.indexOf(p);
    data.set(i >= 0 && run.logits ? run.logits.data.subarray(i * v, (i + 1) * v) : computed.subarray(m * v, (m + 1) * v), r * v);
  });
  return { ...run, logits: { dims: [1, positions.length, v], data }, logitPositions: [...positions] };
}
