/** The per-call arguments of a hooked run and what it returns. */
import type { HookName } from '../shared/hookNames';
import type { ActivationCache } from './activationCache';
import type { HookPatch } from './hookPatch';
import type { Float32Tensor } from './tensor';

/** Which logits to compute: none, the last position's, all, or the given positions. */
export type LogitsRequest = 'none' | 'last' | 'all' | readonly number[];

export interface RunOptions {
  /** Hooks to fetch (TL names). */
  readonly fetch?: readonly HookName[];
  readonly patches?: readonly HookPatch[];
  /** Default 'last'. */
  readonly logits?: LogitsRequest;
  /**
   * Start at `layer` from a given `blocks.{layer}.hook_resid_pre` [1 or batch, pos, d_model]
   * (TL's start_at_layer): blocks before it are not computed.
   */
  readonly startAt?: { readonly layer: number; readonly residPre: Float32Tensor };
  /**
   * Reuse the first `length` positions of a run whose cache (`from`) holds `attn.hook_k` and
   * `attn.hook_v` of every computed layer: only the later positions are computed, attending to the
   * cached keys and values. Exact when this run's activations at those positions equal the cached
   * run's (causal attention: e.g. prompts that first differ at `length`, and patches that change
   * nothing there). Tokens, `startAt.residPre`, patches and logit positions stay in full-prompt
   * coordinates; hooks can't be fetched (they would cover only the later positions). `from` may be
   * one cache per batch element (each of batch 1: e.g. a batch of different prompts of one length,
   * each reusing its own run's prefix).
   */
  readonly reusePrefix?: { readonly length: number; readonly from: ActivationCache | readonly ActivationCache[] };
  /**
   * Also run the backward pass of a metric of the logits at `position` (default: the last): given
   * ∂metric/∂logits (`metricGrad` [d_vocab] for every batch element, or [batch, d_vocab]), return
   * ∂metric/∂activation for `hooks` (see GRADIENT_HOOKS) in `RunResult.gradients`.
   */
  readonly gradient?: { readonly metricGrad: Float32Array; readonly position?: number; readonly hooks: readonly HookName[] };
  /**
   * Compute the last block's queries, attention, MLP and ln_final only at the logit positions (its
   * keys and values still at every position): exact, and cheaper when logits are 'last' or a few
   * positions. Honoured only when nothing is fetched, there is no gradient, logits are 'last' or
   * positions, and no hook of the last block after q, k and v is patched; otherwise ignored.
   */
  readonly trimLastBlock?: boolean;
  readonly signal?: AbortSignal;
}

export interface RunResult {
  /** [batch, n, d_vocab] at `logitPositions`; absent when logits were 'none'. */
  readonly logits?: Float32Tensor;
  readonly logitPositions: readonly number[];
  readonly cache: ActivationCache;
  /** ∂metric/∂activation per hook, when `gradient` was asked for. */
  readonly gradients?: ActivationCache;
}

/** Token ids for a run: one prompt, or a batch of equally long prompts. */
export type TokenInput = readonly number[] | readonly (readonly number[])[];
