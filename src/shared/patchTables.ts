/**
 * How patching tables arrive, for every panel that shows them (a single comparison, a prompt
 * set): one table per (sweep, direction), the attribution estimate first and the exact sweep
 * replacing it, never the reverse. Pure; the host (which owns the results) and the webview use it.
 */
import type { PatchDirection, SweepKind } from './patchingVocabulary';

export type TableKey = `${SweepKind}/${PatchDirection}`;
export const tableKey = (sweep: SweepKind, direction: PatchDirection): TableKey => `${sweep}/${direction}`;

/** What mergeTables reads of a table. */
export interface KeyedTable {
  readonly sweep: SweepKind;
  readonly direction: PatchDirection;
  readonly source: 'attribution' | 'exact';
}

/**
 * `prev` with `incoming` added: one table per (sweep, direction); an exact table is never replaced
 * by an estimate. Returns a new map (`prev` is not changed).
 */
export function mergeTables<T extends KeyedTable>(prev: ReadonlyMap<TableKey, T>, incoming: readonly T[]): Map<TableKey, T> {
  const next = new Map(prev);
  for (const t of incoming) {
    const k = tableKey(t.sweep, t.direction);
    if (next.get(k)?.source === 'exact' && t.source === 'attribution') continue;
    next.set(k, t);
  }
  return next;
}

export type SweepStatus = 'exact' | 'estimate' | 'partial' | 'none';

/** "exact" (both directions), "estimate", "partial" (one direction exact) or "none" (no table yet) for a sweep's two tables. */
export function sweepStatus(sweep: SweepKind, tables: ReadonlyMap<TableKey, Pick<KeyedTable, 'source'>>): SweepStatus {
  const s = [tables.get(tableKey(sweep, 'denoise'))?.source, tables.get(tableKey(sweep, 'noise'))?.source];
  if (s.every((x) => x === 'exact')) return 'exact';
  if (s.every((x) => x === undefined)) return 'none';
  if (s.some((x) => x === 'exact')) return 'partial';
  return 'estimate';
}

/** Where cell `index` of a table is in the model: its layer, and head and/or position (`dims` [layer, head|pos] or [layer, head, pos]). */
export function cellAddress(
  t: { readonly dims: readonly number[]; readonly axes: readonly string[] },
  index: number,
): { layer: number; head?: number; pos?: number } {
  if (t.dims.length === 3) {
    const [, H, P] = t.dims;
    return { layer: Math.floor(index / (H * P)), head: Math.floor(index / P) % H, pos: index % P };
  }
  const w = t.dims[1];
  const layer = Math.floor(index / w);
  return t.axes[1] === 'pos' ? { layer, pos: index % w } : { layer, head: index % w };
}
