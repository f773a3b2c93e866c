/**
 * Which SAE features carry a token substitution: attribution patching over the features of an SAE
 * spliced in at its hook with its error term kept, so the model is unchanged.
 *
 * At the hook the run's value is x = recon(f) + ε, with ε = x − recon(f) held constant (for
 * 'center' SAEs the removed row mean is part of the constant, and so is the row's scale s of a
 * normalize_activations: recon = s·(f·W_dec + b_dec) + shift). recon is linear in f with rows
 * s[pos]·W_dec[i], so ∂metric/∂f[pos, i] = s[pos] · W_dec[i] · ∂metric/∂x[pos]. The attribution of
 * feature i in a direction is attribution patching's first-order estimate of patching that
 * feature's activations from the source run into the target run:
 *
 *   Σ_pos (f_source[pos, i] − f_target[pos, i]) · s_target[pos] · (W_dec[i] · ∂metric/∂x_target[pos])
 *
 * with the gradient of the target run (attributionPatching.ts's convention: denoise = target corrupt,
 * source clean; noise = target clean, source corrupt). One batched forward+backward of both prompts
 * and one encode of both runs' rows give both directions. Values estimate patched − target metric;
 * featurePatching.ts runs the exact patches.
 */
import { blockHook, parseHookName, type HookName } from '../../shared/hookNames';
import { PATCH_DIRECTIONS, type PatchDirection } from '../../shared/patchingVocabulary';
import { GRADIENT_HOOKS } from '../../model/graph/gpt2Backward';
import type { HookedGpt2 } from '../../model/hookedGpt2';
import { ActivationCache } from '../../model/activationCache';
import type { LoadedSae, SaeEncoder } from '../../model/sae';
import { sliceLeading, type Float32Tensor } from '../../model/tensor';
import type { LogitsMetric } from '../patching/patchingMetric';

/** The encoder's one method the attribution calls (`SaeEncoder`, or a test's plain-JS encoder). */
export type FeatureEncoder = Pick<SaeEncoder, 'encode'>;

export interface FeatureAttributionRequest {
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly metric: LogitsMetric;
  readonly signal?: AbortSignal;
}

/** One run's pieces, kept for the per-position detail and the exact patches. */
export interface FeatureRun {
  readonly tokens: readonly number[];
  readonly metric: number;
  /** [pos, d_sae] the SAE's activations at the hook */
  readonly acts: Float32Array;
  /** [pos, d_in] the hook's value */
  readonly x: Float32Array;
  /** [pos, d_in] ∂metric/∂x */
  readonly grad: Float32Array;
  /** [pos] the scale s a decoding is mapped back to the model's coordinates with (1 without normalize_activations) */
  readonly decodeScale: Float32Array;
  /** The run's blocks.{hookLayer}.hook_resid_pre and, from that layer on, attn.hook_k/v (the exact patches start there). */
  readonly cache: ActivationCache;
}

export interface FeatureAttribution {
  readonly hook: HookName;
  readonly hookLayer: number;
  readonly nPos: number;
  readonly dIn: number;
  readonly dSae: number;
  /** The first position where the prompts differ (every earlier activation is identical in both runs). */
  readonly firstDiff: number;
  readonly clean: FeatureRun;
  readonly corrupt: FeatureRun;
  /** Per direction, [d_sae]: the estimated patched − target metric of patching each feature at every position. */
  readonly totals: Readonly<Record<PatchDirection, Float32Array>>;
}

/** The target and source runs of a direction (denoise patches clean into corrupt). */
export function directionRuns(a: Pick<FeatureAttribution, 'clean' | 'corrupt'>, direction: PatchDirection): { target: FeatureRun; source: FeatureRun } {
  return direction === 'denoise' ? { target: a.corrupt, source: a.clean } : { target: a.clean, source: a.corrupt };
}

/** Checks that the model can give the metric's gradient at the SAE's hook; its layer. */
export function checkAttributionHook(model: HookedGpt2, sae: LoadedSae): { hook: HookName; layer: number } {
  const c = model.config;
  const parsed = parseHookName(sae.config.hookName, c.nLayers);
  if (parsed.kind !== 'block') throw new Error(`the SAE reads '${sae.config.hookName}', which is not a block hook: no feature attribution there`);
  if (!GRADIENT_HOOKS.includes(parsed.suffix)) {
    throw new Error(`the SAE reads '${sae.config.hookName}': gradients exist only for blocks.{l}.{${GRADIENT_HOOKS.join('|')}}`);
  }
  const hook = blockHook(parsed.layer, parsed.suffix);
  return { hook, layer: parsed.layer };
}

export async function runFeatureAttribution(
  model: HookedGpt2,
  sae: LoadedSae,
  encoder: FeatureEncoder,
  req: FeatureAttributionRequest,
): Promise<FeatureAttribution> {
  const c = model.config;
  const nPos = req.clean.length;
  if (nPos === 0) throw new Error('empty prompts: nothing to attribute');
  if (req.corrupt.length !== nPos) {
    throw new Error(`the clean prompt has ${nPos} tokens and the corrupt one ${req.corrupt.length}: position-wise patching needs equal token counts`);
  }
  const { hook, layer } = checkAttributionHook(model, sae);
  const dIn = sae.config.dIn;
  const dSae = sae.config.dSae;
  let firstDiff = 0;
  while (firstDiff < nPos && req.clean[firstDiff] === req.corrupt[firstDiff]) firstDiff++;

  // One batched forward+backward: element 0 clean, element 1 corrupt. It also fetches what the
  // exact patches start from (resid_pre at the hook's layer, the keys and values from there on).
  const V = c.dVocab;
  const rows = [req.clean, req.corrupt];
  const logitRows = req.metric.linear
    ? [new Float32Array(V), new Float32Array(V)]
    : await (async () => {
        const l = (await model.run(rows, { signal: req.signal })).logits!.data;
        return [l.subarray(0, V), l.subarray(V, 2 * V)];
      })();
  const metricGrad = new Float32Array(2 * V);
  metricGrad.set(req.metric.gradient(logitRows[0]), 0);
  metricGrad.set(req.metric.gradient(logitRows[1]), V);
  const kv = Array.from({ length: c.nLayers - layer }, (_, i) => [blockHook(layer + i, 'attn.hook_k'), blockHook(layer + i, 'attn.hook_v')]).flat();
  const fetch: HookName[] = [...new Set<HookName>([hook, blockHook(layer, 'hook_resid_pre'), ...kv])];
  const out = await model.run(rows, { fetch, signal: req.signal, gradient: { metricGrad, hooks: [hook] } });
  const x = out.cache.get(hook); // [2, pos, d_in]
  if (x.data.length !== 2 * nPos * dIn) throw new Error(`'${hook}' has shape [${x.dims.join(', ')}], but the SAE reads d_in = ${dIn}`);
  const grad = out.gradients!.get(hook);

  const enc = await encoder.encode({ dims: [2 * nPos, dIn], data: x.data } as Float32Tensor<'rows d_in'>, req.signal);
  req.signal?.throwIfAborted();
  const acts = enc.acts.data;
  if (acts.length !== 2 * nPos * dSae) throw new Error(`the SAE encoder returned ${acts.length} activations, expected ${2 * nPos} × ${dSae}`);

  const run = (b: number, tokens: readonly number[]): FeatureRun => ({
    tokens,
    metric: req.metric(out.logits!.data.subarray(b * V, (b + 1) * V)),
    acts: acts.slice(b * nPos * dSae, (b + 1) * nPos * dSae),
    x: x.data.slice(b * nPos * dIn, (b + 1) * nPos * dIn),
    grad: grad.data.slice(b * nPos * dIn, (b + 1) * nPos * dIn),
    decodeScale: decodeScales(sae, x.data.subarray(b * nPos * dIn, (b + 1) * nPos * dIn)),
    cache: batchElement(out.cache, fetch, b),
  });
  const clean = run(0, req.clean);
  const corrupt = run(1, req.corrupt);
  const base = { hook, hookLayer: layer, nPos, dIn, dSae, firstDiff, clean, corrupt };
  const totals = {} as Record<PatchDirection, Float32Array>;
  for (const direction of PATCH_DIRECTIONS) totals[direction] = attributionTotals(base, sae.weights.W_dec, direction);
  return { ...base, totals };
}

/**
 * Per row of `rows` [n, d_in], the factor s with recon = s·(f·W_dec + b_dec) + shift, as the SAE's
 * normalize_activations defines it on the (centred, for 'center') row: 1 for none, ‖x̄‖/√d_in for
 * constant_norm_rescale, the unbiased std of x̄ for layer_norm (SAELens undoes it as y·σ + μ).
 */
export function decodeScales(sae: Pick<LoadedSae, 'config'>, rows: Float32Array): Float32Array {
  const { dIn, inputTransform } = sae.config;
  const norm = sae.config.normalizeActivations ?? 'none';
  const n = rows.length / dIn;
  const out = new Float32Array(n).fill(1);
  if (norm === 'none') return out;
  for (let r = 0; r < n; r++) {
    const row = rows.subarray(r * dIn, (r + 1) * dIn);
    let mean = 0;
    for (const v of row) mean += v;
    mean /= dIn;
    let ss = 0;
    if (norm === 'constant_norm_rescale') {
      const c = inputTransform === 'center' ? mean : 0; // x̄ = x − mean for 'center'
      for (const v of row) ss += (v - c) ** 2;
      out[r] = Math.sqrt(ss / dIn);
    } else {
      for (const v of row) ss += (v - mean) ** 2; // centring x̄ again gives x − mean either way
      out[r] = Math.sqrt(ss / (dIn - 1));
    }
  }
  return out;
}

/** batch element b of the cached hooks, keeping a batch axis of 1. */
function batchElement(cache: ActivationCache, hooks: readonly HookName[], b: number): ActivationCache {
  const picked = new Map<HookName, Float32Tensor>();
  for (const h of hooks) {
    const t = sliceLeading(cache.get(h), b);
    picked.set(h, { dims: [1, ...t.dims], data: t.data.slice() });
  }
  return new ActivationCache(picked);
}

/**
 * Σ_pos Δf[pos, i] · s_target[pos] · (W_dec[i] · grad_target[pos]) for every feature, [d_sae]. Only the (pos, i)
 * where the activations differ cost a dot product: the SAE is sparse, and the positions before
 * the first differing token are identical.
 */
export function attributionTotals(
  a: Pick<FeatureAttribution, 'nPos' | 'dIn' | 'dSae' | 'firstDiff' | 'clean' | 'corrupt'>,
  W_dec: Float32Array,
  direction: PatchDirection,
): Float32Array {
  const { target, source } = directionRuns(a, direction);
  const { nPos, dIn, dSae } = a;
  const out = new Float64Array(dSae);
  for (let p = a.firstDiff; p < nPos; p++) {
    const g = target.grad.subarray(p * dIn, (p + 1) * dIn);
    const s = target.decodeScale[p];
    const rowT = p * dSae;
    for (let i = 0; i < dSae; i++) {
      const d = source.acts[rowT + i] - target.acts[rowT + i];
      if (d === 0) continue;
      out[i] += d * s * dot(W_dec, i * dIn, g);
    }
  }
  return Float32Array.from(out);
}

/** The attribution of one feature at each position, [pos] (its sum is the feature's total). */
export function attributionByPosition(
  a: Pick<FeatureAttribution, 'nPos' | 'dIn' | 'dSae' | 'clean' | 'corrupt'>,
  W_dec: Float32Array,
  direction: PatchDirection,
  feature: number,
): Float32Array {
  const { target, source } = directionRuns(a, direction);
  const { nPos, dIn, dSae } = a;
  const out = new Float32Array(nPos);
  for (let p = 0; p < nPos; p++) {
    const d = source.acts[p * dSae + feature] - target.acts[p * dSae + feature];
    if (d !== 0) out[p] = d * target.decodeScale[p] * dot(W_dec, feature * dIn, target.grad.subarray(p * dIn, (p + 1) * dIn));
  }
  return out;
}

function dot(W: Float32Array, off: number, g: Float32Array): number {
  let s = 0;
  for (let j = 0; j < g.length; j++) s += W[off + j] * g[j];
  return s;
}

export interface RankedFeature {
  readonly feature: number;
  readonly denoise: number;
  readonly noise: number;
}

/**
 * The `k` features with the largest attribution in either direction, largest first (by
 * max(|denoise|, |noise|)); features with none in both are never listed.
 */
export function rankFeatures(totals: Readonly<Record<PatchDirection, Float32Array>>, k: number): RankedFeature[] {
  const { denoise, noise } = totals;
  const score = (i: number) => Math.max(Math.abs(denoise[i]), Math.abs(noise[i]));
  const idx: number[] = [];
  for (let i = 0; i < denoise.length; i++) if (score(i) > 0) idx.push(i);
  idx.sort((a, b) => score(b) - score(a) || a - b);
  return idx.slice(0, Math.max(0, k)).map((feature) => ({ feature, denoise: denoise[feature], noise: noise[feature] }));
}
