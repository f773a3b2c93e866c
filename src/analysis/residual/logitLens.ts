/**
 * The logit lens: every residual boundary at every position, through ln_final and W_U, in one
 * batched unembedding (`lensUnembed`, chunked). `recompute` normalises each residual with its own
 * statistics; `cached-scale` divides by the final layer's cached scale at that position (TL before
 * PR#1180). In identity LayerNorm mode both are the identity. The last boundary is exactly what the
 * model's own ln_final reads, so its row is the model's prediction.
 */
import type { HookedGpt2 } from '../../model/hookedGpt2';
import type { ActivationCache } from '../../model/activationCache';
import { lensNorm, lensUnembed } from '../../model/lensUnembed';
import { boundaryHook, type LensVariant, type LogitLensRecord } from '../../shared/residualStream';
import type { HookName } from '../../shared/hookNames';
import type { TokenRef } from '../../shared/tokens';

export interface LogitLensOptions {
  readonly variant: LensVariant;
  readonly k: number;
  readonly answer: TokenRef;
  readonly decode: (id: number) => string;
  readonly signal?: AbortSignal;
  /** Rows (boundary, position) unembedded so far of all (n_layers + 1) × n_tokens, after each chunk. */
  readonly onProgress?: (rowsDone: number, rowsTotal: number) => void;
  /** Largest chunk of logits per run (bytes; see lensUnembed). */
  readonly maxChunkBytes?: number;
}

/** [n_boundaries · n_tokens, d_model]: the boundaries stacked, boundary outermost. */
export function stackBoundaries(cache: ActivationCache, nLayers: number, nTokens: number, dModel: number): Float32Array {
  const rows = new Float32Array((nLayers + 1) * nTokens * dModel);
  for (let b = 0; b <= nLayers; b++) {
    const t = cache.get(boundaryHook(nLayers, b) as HookName); // [1, pos, d_model]
    if (t.data.length !== nTokens * dModel) throw new Error(`${boundaryHook(nLayers, b)} is [${t.dims.join(', ')}], expected [1, ${nTokens}, ${dModel}]`);
    rows.set(t.data, b * nTokens * dModel);
  }
  return rows;
}

export async function computeLogitLens(model: HookedGpt2, cache: ActivationCache, nTokens: number, o: LogitLensOptions): Promise<LogitLensRecord> {
  const { nLayers, dModel } = model.config;
  const nB = nLayers + 1;
  const norm = lensNorm(model.layerNorm, o.variant);
  let rowScale: Float32Array | undefined;
  if (norm === 'fed-scale') {
    const scale = cache.get('ln_final.hook_scale').data; // [1, pos, 1]
    rowScale = new Float32Array(nB * nTokens);
    for (let b = 0; b < nB; b++) rowScale.set(scale, b * nTokens);
  }
  const r = await lensUnembed(model, {
    rows: stackBoundaries(cache, nLayers, nTokens, dModel),
    rowScale,
    norm,
    k: o.k,
    answerId: o.answer.id,
    maxChunkBytes: o.maxChunkBytes,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const k = r.topIds.length / (nB * nTokens);
  const tokenTexts: Record<number, string> = { [o.answer.id]: o.answer.text };
  for (const id of r.topIds) if (!(id in tokenTexts)) tokenTexts[id] = o.decode(id);
  return {
    variant: o.variant,
    n_boundaries: nB,
    n_tokens: nTokens,
    k,
    boundaryHooks: Array.from({ length: nB }, (_, b) => boundaryHook(nLayers, b)),
    answer: o.answer,
    top_ids_boundary_pos_k: r.topIds,
    top_probs_boundary_pos_k: r.topProbs,
    entropy_boundary_pos: r.entropy,
    answer_logprob_boundary_pos: r.answerLogprob,
    answer_rank_boundary_pos: r.answerRank,
    tokenTexts,
  };
}
