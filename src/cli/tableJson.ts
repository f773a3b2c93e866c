/** Patching tables as nested JSON arrays, raw and normalised. */
import { normalisePatched } from '../shared/patchingVocabulary';
import type { PatchingTable } from '../analysis/patching/runPatchingSweeps';

type Nested = number | null | Nested[];

export function nest(values: ArrayLike<number>, dims: readonly number[], map: (v: number) => number | null = (v) => v): Nested {
  const walk = (axis: number, offset: number): Nested => {
    if (axis === dims.length) return map(values[offset]);
    const stride = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[axis] }, (_, i) => walk(axis + 1, offset + i * stride));
  };
  return walk(0, 0);
}

export function tableToJson(t: PatchingTable, clean: number, corrupt: number) {
  const norm = (v: number) => {
    const n = normalisePatched(v, clean, corrupt);
    return Number.isFinite(n) ? n : null;
  };
  return {
    sweep: t.sweep,
    direction: t.direction,
    axes: t.axes,
    dims: t.dims,
    skippedCells: t.skippedCells,
    values: nest(t.values, t.dims),
    normalised: nest(t.values, t.dims, norm),
  };
}
