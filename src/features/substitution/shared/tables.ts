/**
 * Two rules about a comparison's tables that the host (which owns the results) and the webview
 * (which draws them) must agree on, written once: an exact table replaces an estimate and never
 * the reverse, and how far the exact sweeps have come.
 */
import type { PatchDirection, SweepKind } from '../../../shared/patchingVocabulary';
import type { PatchTable, SweepProgress } from './protocol';

export type TableKey = `${SweepKind}/${PatchDirection}`;
export const tableKey = (sweep: SweepKind, direction: PatchDirection): TableKey => `${sweep}/${direction}`;

/**
 * `prev` with `incoming` added: one table per (sweep, direction); an exact table is never replaced
 * by an estimate. Returns a new map (`prev` is not changed).
 */
export function mergeTables(prev: ReadonlyMap<TableKey, PatchTable>, incoming: readonly PatchTable[]): Map<TableKey, PatchTable> {
  const next = new Map(prev);
  for (const t of incoming) {
    const k = tableKey(t.sweep, t.direction);
    if (next.get(k)?.source === 'exact' && t.source === 'attribution') continue;
    next.set(k, t);
  }
  return next;
}

/**
 * The fraction 0..1 of all exact sweeps done. `cellsDone` of `cellsTotal` counts the cells of the
 * current layer, so the table in progress is (layer + cellsDone / cellsTotal) / n_layers done, and
 * the bar never moves back when a new layer starts.
 */
export function sweepFraction(p: SweepProgress, n_layers: number): number {
  if (p.tablesTotal <= 0 || n_layers <= 0) return 0;
  const inLayer = p.cellsTotal > 0 ? Math.min(1, p.cellsDone / p.cellsTotal) : 0;
  const inTable = Math.min(1, (Math.min(p.layer, n_layers) + inLayer) / n_layers);
  return Math.min(1, (p.tablesDone + inTable) / p.tablesTotal);
}
