/**
 * The activation-patching sweeps: which hook each patches, over which axes, and how one cell of a
 * table becomes a patch. Shapes use TL axis names.
 */
import { blockHook, type BlockHookSuffix } from '../../shared/hookNames';
import type { SweepKind } from '../../shared/patchingVocabulary';

export interface SweepShape {
  readonly suffix: BlockHookSuffix;
  /** Table axes after `layer`. */
  readonly axes: readonly ('pos' | 'head_index')[];
}

export const SWEEPS: Readonly<Record<SweepKind, SweepShape>> = {
  resid_pre: { suffix: 'hook_resid_pre', axes: ['pos'] },
  attn_out: { suffix: 'hook_attn_out', axes: ['pos'] },
  mlp_out: { suffix: 'hook_mlp_out', axes: ['pos'] },
  z: { suffix: 'attn.hook_z', axes: ['head_index'] },
  z_by_pos: { suffix: 'attn.hook_z', axes: ['head_index', 'pos'] },
  q: { suffix: 'attn.hook_q', axes: ['head_index'] },
  k: { suffix: 'attn.hook_k', axes: ['head_index'] },
  v: { suffix: 'attn.hook_v', axes: ['head_index'] },
  pattern: { suffix: 'attn.hook_pattern', axes: ['head_index'] },
};

export function sweepHook(kind: SweepKind, layer: number) {
  return blockHook(layer, SWEEPS[kind].suffix);
}

/** One cell of a sweep at a given layer: the positions and/or head it patches. */
export interface SweepCell {
  readonly index: number; // flat index into the table row of this layer
  readonly positions?: readonly number[];
  readonly heads?: readonly number[];
}

export function sweepCells(kind: SweepKind, nHeads: number, nPos: number): SweepCell[] {
  const cells: SweepCell[] = [];
  const axes = SWEEPS[kind].axes;
  if (axes.length === 1 && axes[0] === 'pos') for (let p = 0; p < nPos; p++) cells.push({ index: p, positions: [p] });
  else if (axes.length === 1) for (let h = 0; h < nHeads; h++) cells.push({ index: h, heads: [h] });
  else for (let h = 0; h < nHeads; h++) for (let p = 0; p < nPos; p++) cells.push({ index: h * nPos + p, heads: [h], positions: [p] });
  return cells;
}

export function sweepTableDims(kind: SweepKind, nLayers: number, nHeads: number, nPos: number): number[] {
  return [nLayers, ...SWEEPS[kind].axes.map((a) => (a === 'pos' ? nPos : nHeads))];
}
