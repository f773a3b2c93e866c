/**
 * Finding NaN and ±Inf: in weights as they are loaded, and in what a run delivers. A non-finite value
 * spreads through every later layer (LayerNorm, softmax), so outputs would be silently meaningless:
 * all-zero thumbnails, `"logit": null`, and top tokens 0, 1, 2. Errors name the first tensor or hook
 * that holds one, and where in it.
 */
import { BLOCK_HOOK_SUFFIXES, type BlockHookSuffix, type HookName } from '../shared/hookNames';
import type { ActivationCache } from './activationCache';
import type { Float32Tensor } from './tensor';

/** Index of the first NaN or ±Inf in `data`, or -1. (x − x is 0 for finite x and NaN otherwise.) */
export function firstNonFiniteIndex(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) return i;
  }
  return -1;
}

/** `NaN`, `+Inf` or `-Inf`. */
export function nonFiniteName(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/** A flat index as coordinates: 13 in [4, 8] → `[1, 5]`. */
export function coordinatesOf(flat: number, dims: readonly number[]): string {
  const coords: number[] = [];
  let rest = flat;
  for (let a = dims.length - 1; a >= 0; a--) {
    const d = dims[a];
    coords.unshift(d > 0 ? rest % d : 0);
    rest = d > 0 ? Math.floor(rest / d) : 0;
  }
  return `[${coords.join(', ')}]`;
}

/** Where a non-finite value was found: the tensor or hook, the value, and its coordinates. */
export interface NonFinite {
  readonly where: string;
  readonly value: number;
  readonly index: number;
  readonly coordinates: string;
}

/** The first named tensor (in the order given) that holds NaN or ±Inf, or undefined. */
export function firstNonFinite(tensors: Iterable<readonly [string, Float32Tensor]>): NonFinite | undefined {
  for (const [where, t] of tensors) {
    const index = firstNonFiniteIndex(t.data);
    if (index >= 0) return { where, value: t.data[index], index, coordinates: coordinatesOf(index, t.dims) };
  }
  return undefined;
}

/** Thrown when a run delivers NaN or ±Inf; `found` says where first. */
export class NonFiniteRunError extends Error {
  constructor(readonly found: NonFinite) {
    super(
      `the model produced ${nonFiniteName(found.value)} at ${found.where} (first at ${found.coordinates}): ` +
        `its activations overflow float32 there, or its weights are broken; its results would be meaningless`,
    );
    this.name = 'NonFiniteRunError';
  }
}

/** Where a hook fires in a forward pass, for sorting: embeddings, then each block's hooks in order, then ln_final. */
function runOrderOf(hook: HookName): number {
  if (hook === 'hook_embed') return -2;
  if (hook === 'hook_pos_embed') return -1;
  const block = /^blocks\.(\d+)\.(.+)$/.exec(hook);
  if (!block) return Number.MAX_SAFE_INTEGER; // ln_final.*
  return Number(block[1]) * BLOCK_HOOK_SUFFIXES.length + BLOCK_HOOK_SUFFIXES.indexOf(block[2] as BlockHookSuffix);
}

/** Hooks in the order a forward pass computes them. */
export function inRunOrder(hooks: readonly HookName[]): HookName[] {
  return [...hooks].sort((a, b) => runOrderOf(a) - runOrderOf(b));
}

/**
 * Refuses a run whose fetched hooks or logits hold NaN or ±Inf, naming the first hook, in the order
 * the forward pass computes them, where one appears (`logits` come last).
 */
export function assertFiniteRun(cache: ActivationCache, hooks: readonly HookName[], logits?: Float32Tensor): void {
  const tensors: [string, Float32Tensor][] = inRunOrder(hooks).map((h) => [h, cache.get(h)]);
  if (logits) tensors.push(['logits', logits]);
  const found = firstNonFinite(tensors);
  if (found) throw new NonFiniteRunError(found);
}
