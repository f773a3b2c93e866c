/**
 * Attribution patching (AtP): the first-order estimate of every patching table at once,
 * (source − target) · ∂metric/∂activation evaluated on the target run, summed over each cell's
 * slice. One batched forward+backward run of both prompts gives both directions: denoise uses the corrupt run's
 * gradients with clean − corrupt, noise the clean run's with corrupt − clean. Values estimate the
 * patched metric minus the target's metric; exact sweeps refine them.
 */
import { blockHook, type HookName } from '../../shared/hookNames';
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { ActivationCache } from '../../model/activationCache';
import { sliceLeading } from '../../model/tensor';
import type { LogitsMetric } from './patchingMetric';
import type { PatchingTable } from './runPatchingSweeps';
import { PATCH_DIRECTIONS, type PatchDirection, type SweepKind } from '../../shared/patchingVocabulary';
import { SWEEPS, sweepHook, sweepTableDims } from './sweeps';

export interface AttributionRequest {
  readonly clean: readonly number[];
  readonly corrupt: readonly number[];
  readonly metric: LogitsMetric;
  readonly sweeps: readonly SweepKind[];
  readonly directions?: readonly PatchDirection[];
  readonly signal?: AbortSignal;
}

export interface AttributionResult {
  readonly metricClean: number;
  readonly metricCorrupt: number;
  /** Same shapes as the exact tables; values are estimated (patched − target) metric changes. */
  readonly tables: readonly PatchingTable[];
}

/** Σ over each cell's slice of (source − target) ⊙ gradient, into `out` (one table row per layer). */
export function accumulateCells(
  kind: SweepKind,
  dims: readonly number[],
  src: Float32Array,
  tgt: Float32Array,
  grad: Float32Array,
  out: Float32Array,
  rowOffset: number,
): void {
  const isPattern = SWEEPS[kind].suffix === 'attn.hook_pattern';
  const axes = SWEEPS[kind].axes;
  if (axes.length === 1 && axes[0] === 'pos') {
    const [, P, D] = dims; // [1, pos, d_model]
    for (let p = 0; p < P; p++) {
      let s = 0;
      for (let i = p * D; i < (p + 1) * D; i++) s += (src[i] - tgt[i]) * grad[i];
      out[rowOffset + p] += s;
    }
    return;
  }
  if (isPattern) {
    const [, H, Q, K] = dims; // [1, head_index, query_pos, key_pos]
    for (let h = 0; h < H; h++) {
      let s = 0;
      for (let i = h * Q * K; i < (h + 1) * Q * K; i++) s += (src[i] - tgt[i]) * grad[i];
      out[rowOffset + h] += s;
    }
    return;
  }
  const [, P, H, E] = dims; // [1, pos, head_index, d_head]
  const byPos = axes.length === 2;
  for (let p = 0; p < P; p++) {
    for (let h = 0; h < H; h++) {
      let s = 0;
      const off = (p * H + h) * E;
      for (let i = off; i < off + E; i++) s += (src[i] - tgt[i]) * grad[i];
      out[rowOffset + (byPos ? h * P + p : h)] += s;
    }
  }
}

export async function runAttributionPatching(model: HookedGpt2, req: AttributionRequest): Promise<AttributionResult> {
  const c = model.config;
  const nPos = req.clean.length;
  if (nPos === 0) throw new Error('empty prompts: nothing to patch');
  if (req.corrupt.length !== nPos) {
    throw new Error(`the clean prompt has ${nPos} tokens and the corrupt one ${req.corrupt.length}: position-wise patching needs equal token counts`);
  }
  const directions = req.directions ?? PATCH_DIRECTIONS;
  const hooks = [...new Set(req.sweeps.flatMap((s) => Array.from({ length: c.nLayers }, (_, l) => sweepHook(s, l))))] as HookName[];

  // One batched forward+backward run: element 0 is the clean prompt, element 1 the corrupt one.
  const V = c.dVocab;
  const rows = [req.clean, req.corrupt];
  const logitsRows = req.metric.linear
    ? [new Float32Array(V), new Float32Array(V)]
    : await (async () => {
        const l = (await model.run(rows, { signal: req.signal })).logits!.data;
        return [l.subarray(0, V), l.subarray(V, 2 * V)];
      })();
  const metricGrad = new Float32Array(2 * V);
  metricGrad.set(req.metric.gradient(logitsRows[0]), 0);
  metricGrad.set(req.metric.gradient(logitsRows[1]), V);
  const out = await model.run(rows, { fetch: hooks, signal: req.signal, gradient: { metricGrad, hooks } });
  // batch element b of a cached hook, keeping a batch axis of 1
  const element = (cache: ActivationCache, b: number) => ({
    get: (h: HookName) => {
      const t = sliceLeading(cache.get(h), b);
      return { dims: [1, ...t.dims], data: t.data };
    },
  });
  const clean = { cache: element(out.cache, 0), gradients: element(out.gradients!, 0), metric: req.metric(out.logits!.data.subarray(0, V)) };
  const corrupt = { cache: element(out.cache, 1), gradients: element(out.gradients!, 1), metric: req.metric(out.logits!.data.subarray(V, 2 * V)) };

  const tables: PatchingTable[] = [];
  for (const direction of directions) {
    const [target, source] = direction === 'denoise' ? [corrupt, clean] : [clean, corrupt];
    for (const sweep of req.sweeps) {
      const dims = sweepTableDims(sweep, c.nLayers, c.nHeads, nPos);
      const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
      const perLayer = values.length / c.nLayers;
      for (let l = 0; l < c.nLayers; l++) {
        const hook = blockHook(l, SWEEPS[sweep].suffix);
        const tgt = target.cache.get(hook);
        accumulateCells(sweep, tgt.dims, source.cache.get(hook).data, tgt.data, target.gradients.get(hook).data, values, l * perLayer);
      }
      tables.push({ sweep, direction, dims, axes: ['layer', ...SWEEPS[sweep].axes], values, skippedCells: 0 });
    }
  }
  return { metricClean: clean.metric, metricCorrupt: corrupt.metric, tables };
}
