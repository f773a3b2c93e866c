/**
 * Rules about a comparison's tables that the host (which owns the results) and the webview (which
 * draws them) must agree on, written once: an exact table replaces an estimate and never the
 * reverse, how far the exact sweeps have come, and how long they have left.
 */
import { mergeTables, tableKey, type TableKey } from '../../../shared/patchTables';
import type { SweepProgress } from './protocol';

export { mergeTables, tableKey, type TableKey };

/**
 * The fraction 0..1 of all exact sweeps done. `cellsDone` of `cellsTotal` counts the cells of the
 * current layer, so the table in progress is (layer + cellsDone / cellsTotal) / n_layers done, and
 * the bar never moves back when a new layer starts.
 */
export function sweepFraction(p: SweepProgress, n_layers: number): number {
  // The engine's work (cells × suffix × layers, over every table) grows steadily with time; cells don't.
  if (p.workDone !== undefined && p.workTotal !== undefined && p.workTotal > 0) return Math.min(1, Math.max(0, p.workDone / p.workTotal));
  if (p.tablesTotal <= 0 || n_layers <= 0) return 0;
  const inLayer = p.cellsTotal > 0 ? Math.min(1, p.cellsDone / p.cellsTotal) : 0;
  const inTable = Math.min(1, (Math.min(p.layer, n_layers) + inLayer) / n_layers);
  return Math.min(1, (p.tablesDone + inTable) / p.tablesTotal);
}

/** Before this much time, or this share of the work, the rate says too little to estimate from. */
const ESTIMATE_AFTER_MS = 2000;
const ESTIMATE_AFTER_FRACTION = 0.02;

/**
 * Seconds the exact sweeps have left: the work left (positions computed: cells × suffix × layers,
 * so a cell with a long suffix counts for more) at the rate of the work done so far. Undefined until
 * the rate means something (2 s, 2% of the work) or without the engine's work counts.
 */
export function sweepSecondsLeft(p: SweepProgress): number | undefined {
  const { workDone, workTotal, elapsedMs } = p;
  if (workDone === undefined || workTotal === undefined || elapsedMs === undefined || workTotal <= 0 || workDone <= 0) return undefined;
  if (elapsedMs < ESTIMATE_AFTER_MS || workDone / workTotal < ESTIMATE_AFTER_FRACTION) return undefined;
  return (Math.max(0, workTotal - workDone) * elapsedMs) / workDone / 1000;
}

/** "about 40 s left", "about 3 min left", "a few seconds left"; rounded so it does not flicker. */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 10) return 'a few seconds left';
  if (seconds < 90) return `about ${Math.round(seconds / 5) * 5} s left`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${Math.round(seconds / 3600)} h left`;
}
