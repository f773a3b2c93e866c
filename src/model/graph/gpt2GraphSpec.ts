import type { HookName } from '../../shared/hookNames';

/** Which logits a graph computes: none, those at the positions fed in `logit_positions`, or all. */
export type LogitsMode = 'none' | 'selected' | 'all';

/**
 * How the causal mask is applied to the attention scores. "where": `Where(mask, scores, −inf)`, the
 * masked scores TransformerLens's `hook_attn_scores` shows. "additive": `scores + bias` with a bias
 * of 0 or −inf, the same values for finite scores and cheaper; used when no exposed or patched hook
 * is `attn.hook_attn_scores`.
 */
export type AttentionMaskMode = 'where' | 'additive';

/** "as_configured" honours the checkpoint's LayerNorm (eps exactly as given); "identity" replaces every LN by x ↦ x. */
export type LayerNormMode = 'as_configured' | 'identity';

/**
 * What one ONNX graph variant computes. Each distinct spec is one graph (and one session): ORT
 * computes every node of a graph whether its output is fetched or not, so side branches (per-head
 * results, all-position logits) only exist in the variants that ask for them.
 */
export interface Gpt2GraphSpec {
  /** 0: the graph starts from token ids. l > 0: it starts from `blocks.{l}.hook_resid_pre`, fed as input `resid_in`. */
  readonly startLayer: number;
  /** The last block computed. Logits need nLayers − 1. */
  readonly stopAfterLayer: number;
  readonly logits: LogitsMode;
  /** Hooks whose values can be replaced: each adds inputs `patch_value:<hook>` and `patch_mask:<hook>`. */
  readonly patchedHooks: readonly HookName[];
  /** Compute `attn.hook_result` (per-head outputs) in every block: a side branch, so only on request. */
  readonly perHeadResult: boolean;
  readonly layerNorm: LayerNormMode;
  /** Start from `embed` at layer 0 with a fed residual instead of tokens (TL start_at_layer=0). */
  readonly residInputAtStart?: boolean;
  /**
   * Reuse a computed prefix: the fed tokens/residual are the positions after it, and each block
   * gets the prefix's keys and values as inputs `past_k:<l>` / `past_v:<l>` [past_batch, prefix, head_index, d_head]
   * (past_batch 1: one prefix broadcast over the batch; or one per batch element).
   * Hooks then cover the new (query) positions only; patterns span prefix + new keys.
   */
  readonly pastPrefix?: boolean;
  /**
   * Append the backward pass: inputs `metric_grad` [batch, d_vocab] (∂metric/∂logits) and
   * `metric_position` [pos, 1] (one-hot: where the metric reads the logits); outputs
   * `grad:<hook>` for the hooks in GRADIENT_HOOKS. Needs the whole model from tokens.
   */
  readonly backward?: boolean;
  /**
   * The hooks that are graph outputs; every other hook point is an unexported value that ORT
   * optimises away (an exported Identity copies its tensor on every run, fetched or not, and holds
   * it until the run ends). A plain logits run exports none.
   */
  readonly exposedHooks: readonly HookName[];
  readonly attentionMask: AttentionMaskMode;
  /**
   * The last block computes queries, attention, MLP and ln_final only at the logit positions
   * (`logits: 'selected'`); its keys and values (and q, before the selection) still cover every
   * position. Its later hooks then have only those positions: none may be exposed or patched.
   */
  readonly trimLastBlock?: boolean;
}

export function specKey(s: Gpt2GraphSpec): string {
  return JSON.stringify([
    s.startLayer,
    s.stopAfterLayer,
    s.logits,
    [...s.patchedHooks].sort(),
    s.perHeadResult,
    s.layerNorm,
    !!s.residInputAtStart,
    !!s.pastPrefix,
    !!s.backward,
    [...s.exposedHooks].sort(),
    s.attentionMask,
    ...(s.trimLastBlock ? ['trimLastBlock'] : []),
  ]);
}

/** Graph input names. Weights are inputs too (see weightFeeds.ts), named `weight:<path>`. */
export const INPUT = {
  tokens: 'tokens', // int64 [batch, pos]
  positions: 'positions', // int64 [pos]: absolute positions of the fed tokens
  causalMask: 'causal_mask', // bool [query_pos, key_pos]: true where attention is allowed ("where" graphs)
  causalBias: 'causal_bias', // float [query_pos, key_pos]: 0 where attention is allowed, −inf elsewhere ("additive" graphs)
  pastK: (layer: number) => `past_k:${layer}`, // float [past_batch (1 or batch), prefix, head_index, d_head]
  pastV: (layer: number) => `past_v:${layer}`,
  residIn: 'resid_in', // float [batch, pos, d_model]: blocks.{startLayer}.hook_resid_pre
  logitPositions: 'logit_positions', // int64 [n]: positions whose logits are computed
  metricGrad: 'metric_grad', // float [batch, d_vocab]: ∂metric/∂logits (backward graphs)
  metricPosition: 'metric_position', // float [pos, 1]: one-hot position of the metric's logits (backward graphs)
  patchValue: (hook: string) => `patch_value:${hook}`,
  patchMask: (hook: string) => `patch_mask:${hook}`,
} as const;

export const OUTPUT = { logits: 'logits' } as const;
