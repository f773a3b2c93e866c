/**
 * Patches: replacement values for a hook on a subset of batch elements, positions and heads, and
 * their translation into the `patch_value:` / `patch_mask:` feeds of a graph. Several patches on
 * one hook (e.g. one per batch element) merge into one value tensor and one mask.
 */
import { HEAD_AXIS, hookAxes, parseHookName, type HookName } from '../shared/hookNames';
import type { Gpt2Config } from './gpt2Config';
import type { FeedTensor } from './ort';
import { numel, stridesOf, type Float32Tensor } from './tensor';
import { INPUT } from './graph/gpt2GraphSpec';

export interface HookPatch {
  readonly hook: HookName;
  /**
   * Replacement values in the hook's full TL shape. Batch axis 1 applies the same values to every
   * patched batch element; batch axis B gives each element its own.
   */
  readonly values: Float32Tensor;
  /** Positions to replace (query positions for attn_scores/pattern); all when absent. */
  readonly positions?: readonly number[];
  /** Heads to replace, for per-head hooks (q, k, v, z, result, attn_scores, pattern); all when absent. */
  readonly heads?: readonly number[];
  /** Batch elements to patch; all when absent. */
  readonly batch?: readonly number[];
}

/** The dims of `hook` for a run of `batch` × `pos` tokens (attending to `keyPos` keys: more when a prefix is reused). */
export function hookDims(c: Gpt2Config, hook: HookName, batch: number, pos: number, keyPos = pos): number[] {
  const sizes: Record<string, number> = {
    batch,
    pos,
    query_pos: pos,
    key_pos: keyPos,
    d_model: c.dModel,
    d_head: c.dHead,
    head_index: c.nHeads,
    d_mlp: c.dMlp,
    '1': 1,
  };
  return hookAxes(parseHookName(hook, c.nLayers)).map((a) => sizes[a]);
}

function checkIndices(what: string, hook: string, idx: readonly number[] | undefined, size: number): readonly number[] {
  if (!idx) return Array.from({ length: size }, (_, i) => i);
  for (const i of idx) {
    if (!Number.isInteger(i) || i < 0 || i >= size) throw new Error(`patch on '${hook}': ${what} ${i} outside 0..${size - 1}`);
  }
  return idx;
}

/** The query-position axis of a hook: 2 for attn_scores/pattern [batch, head, query_pos, key_pos], else 1. */
export function positionAxis(hook: HookName): number {
  return hook.endsWith('.attn.hook_pattern') || hook.endsWith('.attn.hook_attn_scores') ? 2 : 1;
}

/** Merges the patches on each hook into the feeds of a graph that declares those hooks patchable. */
export function patchFeeds(c: Gpt2Config, patches: readonly HookPatch[], batch: number, pos: number, keyPos = pos): Record<string, FeedTensor> {
  const feeds: Record<string, FeedTensor> = {};
  const byHook = new Map<HookName, HookPatch[]>();
  for (const p of patches) byHook.set(p.hook, [...(byHook.get(p.hook) ?? []), p]);

  for (const [hook, hookPatches] of byHook) {
    const parsed = parseHookName(hook, c.nLayers);
    const dims = hookDims(c, hook, batch, pos, keyPos);
    const headAxis = parsed.kind === 'block' ? HEAD_AXIS[parsed.suffix] : undefined;
    const posAxis = positionAxis(hook);
    const value = new Float32Array(numel(dims));
    const maskDims = [...dims.slice(0, -1), 1];
    const mask = new Uint8Array(numel(maskDims));
    const strides = stridesOf(dims);
    const maskStrides = stridesOf(maskDims);
    const inner = dims[dims.length - 1];

    for (const p of hookPatches) {
      const vd = p.values.dims;
      const expected = [vd[0], ...dims.slice(1)];
      if (vd.length !== dims.length || vd.some((d, i) => d !== expected[i]) || (vd[0] !== 1 && vd[0] !== batch)) {
        throw new Error(`patch on '${hook}': values have shape [${vd.join(', ')}], expected [1 or ${batch}, ${dims.slice(1).join(', ')}]`);
      }
      if (p.heads && headAxis === undefined) throw new Error(`patch on '${hook}': heads given, but this hook has no head axis`);
      const batches = checkIndices('batch element', hook, p.batch, batch);
      const positions = checkIndices('position', hook, p.positions, pos);
      const heads = headAxis === undefined ? [0] : checkIndices('head', hook, p.heads, c.nHeads);
      const valueStrides = stridesOf(vd);
      // Iterate over the index tuples (batch, [head], pos, middle...) and copy the innermost rows.
      const middleAxes = dims
        .slice(0, -1)
        .map((_, a) => a)
        .filter((a) => a !== 0 && a !== posAxis && a !== headAxis);
      for (const b of batches) {
        const vb = vd[0] === 1 ? 0 : b;
        for (const h of heads) {
          for (const q of positions) {
            const walk = (k: number, off: number, voff: number, moff: number): void => {
              if (k === middleAxes.length) {
                value.set(p.values.data.subarray(voff, voff + inner), off);
                mask[moff] = 1;
                return;
              }
              const a = middleAxes[k];
              for (let i = 0; i < dims[a]; i++) walk(k + 1, off + i * strides[a], voff + i * valueStrides[a], moff + i * maskStrides[a]);
            };
            let off = b * strides[0] + q * strides[posAxis];
            let voff = vb * valueStrides[0] + q * valueStrides[posAxis];
            let moff = b * maskStrides[0] + q * maskStrides[posAxis];
            if (headAxis !== undefined) {
              off += h * strides[headAxis];
              voff += h * valueStrides[headAxis];
              moff += h * maskStrides[headAxis];
            }
            walk(0, off, voff, moff);
          }
        }
      }
    }
    feeds[INPUT.patchValue(hook)] = { type: 'float32', dims, data: value };
    feeds[INPUT.patchMask(hook)] = { type: 'bool', dims: maskDims, data: mask };
  }
  return feeds;
}
