/**
 * Exact patching of SAE features, the check of featureAttribution.ts's estimates. Patching feature i
 * from the source run into the target run (SAE spliced in, error term kept) changes the hook's value
 * to
 *
 *   x_target + (f_source[pos, i] − f_target[pos, i]) · s_target[pos] · W_dec[i]      (at each position)
 *
 * since the reconstruction is linear in the activations and the error term (and a 'center' SAE's row
 * mean, and the scale s of a normalize_activations) stay the target's. Each batch element patches one feature. Like the exact sweeps, a run
 * starts at the hook's layer from the target's cached residual stream and computes only the positions
 * from the first differing token on (earlier activations are identical in both runs, so the patch
 * changes nothing there); a feature whose activations are equal in both runs is not run (its value
 * is the target's metric).
 */
import { blockHook } from '../../shared/hookNames';
import { PATCH_DIRECTIONS, type PatchDirection } from '../../shared/patchingVocabulary';
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { HookPatch } from '../../model/hookPatch';
import { sliceLeading } from '../../model/tensor';
import type { LogitsMetric } from '../patching/patchingMetric';
import { directionRuns, type FeatureAttribution } from './featureAttribution';

export interface FeaturePatchingRequest {
  readonly features: readonly number[];
  readonly metric: LogitsMetric;
  readonly directions?: readonly PatchDirection[];
  /** Most features in one batched run (default 32). */
  readonly maxBatch?: number;
  /** Compute only the positions from the first differing token on (default true; exact). */
  readonly reusePrefix?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: FeaturePatchingProgress) => void;
}

export interface FeaturePatchingProgress {
  readonly direction: PatchDirection;
  readonly done: number;
  readonly total: number;
}

/** Per direction, the metric of each patched run, in the order of `features`. */
export type FeaturePatchingResult = Readonly<Partial<Record<PatchDirection, Float32Array>>>;

/** The hook's patched value for each feature of a chunk, [features, pos, d_in]. */
export function patchedHookValues(a: FeatureAttribution, W_dec: Float32Array, direction: PatchDirection, features: readonly number[]): Float32Array {
  const { target, source } = directionRuns(a, direction);
  const { nPos, dIn, dSae } = a;
  const out = new Float32Array(features.length * nPos * dIn);
  features.forEach((f, b) => {
    const base = b * nPos * dIn;
    out.set(target.x, base);
    for (let p = 0; p < nPos; p++) {
      const d = (source.acts[p * dSae + f] - target.acts[p * dSae + f]) * target.decodeScale[p];
      if (d === 0) continue;
      const o = base + p * dIn;
      for (let j = 0; j < dIn; j++) out[o + j] += d * W_dec[f * dIn + j];
    }
  });
  return out;
}

function changes(a: FeatureAttribution, feature: number): boolean {
  for (let p = 0; p < a.nPos; p++) if (a.clean.acts[p * a.dSae + feature] !== a.corrupt.acts[p * a.dSae + feature]) return true;
  return false;
}

export async function runFeaturePatching(
  model: HookedGpt2,
  W_dec: Float32Array,
  a: FeatureAttribution,
  req: FeaturePatchingRequest,
): Promise<FeaturePatchingResult> {
  const maxBatch = Math.max(1, req.maxBatch ?? 32);
  for (const f of req.features) if (!Number.isInteger(f) || f < 0 || f >= a.dSae) throw new RangeError(`feature ${f} is outside 0..${a.dSae - 1}`);
  const { nPos, dIn, hook, hookLayer: layer, firstDiff } = a;
  const reuse = req.reusePrefix !== false && firstDiff >= 1 && firstDiff < nPos;
  const positions = Array.from({ length: nPos - firstDiff }, (_, i) => firstDiff + i);
  const atResidPre = hook === blockHook(layer, 'hook_resid_pre');
  const result: Partial<Record<PatchDirection, Float32Array>> = {};
  const directions = req.directions ?? PATCH_DIRECTIONS;
  for (const direction of directions) {
    const { target } = directionRuns(a, direction);
    const values = new Float32Array(req.features.length).fill(target.metric);
    const live = req.features.map((f, i) => ({ f, i })).filter(({ f }) => changes(a, f));
    const residPre = target.cache.get(blockHook(layer, 'hook_resid_pre'));
    for (let s = 0; s < live.length; s += maxBatch) {
      req.signal?.throwIfAborted();
      const chunk = live.slice(s, s + maxBatch);
      const patched = {
        dims: [chunk.length, nPos, dIn],
        data: patchedHookValues(
          a,
          W_dec,
          direction,
          chunk.map((c) => c.f),
        ),
      };
      // resid_pre is where the run starts: feed the patched values directly. Elsewhere start from
      // the target's resid_pre and replace the hook's later positions in each batch element.
      const patches: HookPatch[] = atResidPre ? [] : [{ hook, values: patched, positions }];
      const out = await model.run(target.tokens, {
        startAt: { layer, residPre: atResidPre ? patched : residPre },
        patches,
        logits: 'last',
        signal: req.signal,
        ...(reuse ? { reusePrefix: { length: firstDiff, from: target.cache } } : {}),
      });
      chunk.forEach(({ i }, b) => (values[i] = req.metric(sliceLeading(out.logits!, b).data)));
      req.onProgress?.({ direction, done: Math.min(s + maxBatch, live.length), total: live.length });
    }
    result[direction] = values;
  }
  return result;
}
