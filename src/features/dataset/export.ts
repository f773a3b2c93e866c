/**
 * Exports of a prompt set's results: JSON (the set, its summary, and per table the mean, standard
 * error, normalised mean, restored fraction and per-pair values as nested arrays) and CSV (one row
 * per cell of every table: mean, standard error, normalised, restored fraction, then one column
 * per pair, named by its line in the file). Pure: the session writes what these return.
 */
import { csvRows } from '../../shared/csv';
import { gapSummary } from '../../shared/datasetGap';
import type { DatasetSnapshot } from './results';
import { pairOfRow, pairRows } from './shared/protocol';
import { cellAddress } from '../../shared/patchTables';

type Nested = number | null | Nested[];

/** Float32 values printed with the digits a float32 carries (7 significant); NaN stays NaN (null in JSON). */
export function f32(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(7)) : NaN;
}

function nest(values: ArrayLike<number>, dims: readonly number[], offset = 0): Nested {
  const walk = (axis: number, at: number): Nested => {
    if (axis === dims.length) {
      const v = f32(values[at]);
      return Number.isFinite(v) ? v : null;
    }
    const stride = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[axis] }, (_, i) => walk(axis + 1, at + i * stride));
  };
  return walk(0, offset);
}

/** Where cell `index` of a table is: layer, and head and/or position. */
export { cellAddress };

const NORMALISATION = '(mean patched − mean corrupt) / (mean clean − mean corrupt), over the pairs the table covers';
const RESTORED = 'denoise: fraction of pairs (with a non-zero gap) where the cell restores at least half the gap; noise: removes at least half';

/** The mean gap, its standard error and the warnings about it (`gapSummary`), as the CLI writes them. */
function gapFields(s: { metricClean: ArrayLike<number>; metricCorrupt: ArrayLike<number>; zeroGap: boolean }) {
  const g = gapSummary(s.metricClean, s.metricCorrupt, s.zeroGap);
  return { gap: f32(g.gap), gapStandardError: g.gapStandardError === null ? null : f32(g.gapStandardError), warnings: g.warnings };
}

/** The set's results as one JSON document. */
export function datasetToJson(s: DatasetSnapshot): unknown {
  const d = s.dataset;
  const sum = s.summary;
  const pairOfSummary = (i: number) => sum?.pairIndex?.[i] ?? i;
  const metrics = new Map<number, { clean: number; corrupt: number }>();
  if (sum)
    for (let i = 0; i < sum.summary.pairs; i++) metrics.set(pairOfSummary(i), { clean: sum.summary.metricClean[i], corrupt: sum.summary.metricCorrupt[i] });
  return {
    format: 'circuit-inspector.dataset/1',
    model: d.modelName,
    file: d.fileName,
    metric: 'logit_diff: logit[answer] − logit[wrong] at the last position, per pair',
    pairsInFile: d.pairsInFile,
    notes: [...d.notes, ...(sum?.notes ?? [])],
    partial: sum?.partial ?? null,
    summary: sum
      ? {
          pairs: sum.summary.pairs,
          meanClean: f32(sum.summary.meanClean),
          meanCorrupt: f32(sum.summary.meanCorrupt),
          cleanBeatsCorrupt: f32(sum.summary.cleanBeatsCorrupt),
          ...gapFields(sum.summary),
          zeroGap: sum.summary.zeroGap,
        }
      : null,
    pairs: d.pairs.map((p, i) => {
      const m = metrics.get(i);
      return { ...p, metricClean: m ? f32(m.clean) : null, metricCorrupt: m ? f32(m.corrupt) : null };
    }),
    normalisation: NORMALISATION,
    restoredFraction: RESTORED,
    tables: s.tables.map((t) => {
      const rows = pairRows(t);
      const cells = t.mean.length;
      return {
        sweep: t.sweep,
        direction: t.direction,
        source: t.source,
        ...(t.source === 'attribution' ? { note: 'attribution-patching estimate per pair (target metric + first-order change), not an exact sweep' } : {}),
        axes: t.axes,
        dims: t.dims,
        pairs: rows,
        mean: nest(t.mean, t.dims),
        standardError: nest(t.standardError, t.dims),
        normalised: t.normalised ? nest(t.normalised, t.dims) : null,
        restoredFraction: t.restoredFraction ? nest(t.restoredFraction, t.dims) : null,
        /** Row r is the pair on line perPairLines[r] of the file. */
        perPairLines: Array.from({ length: rows }, (_, r) => d.pairs[pairOfRow(t, r)]?.line ?? null),
        perPair: Array.from({ length: rows }, (_, r) => nest(t.perPair, t.dims, r * cells)),
      };
    }),
  };
}

export const CSV_HEADER = [
  'direction',
  'sweep',
  'source',
  'layer',
  'head',
  'pos',
  'token',
  'pairs',
  'mean',
  'standard_error',
  'normalised',
  'restored_fraction',
];

/** One row per cell of every table: its statistics, then its value for each pair (`line_N` columns, in the set's order; empty where a table lacks the pair). */
export function datasetToCsv(s: DatasetSnapshot): string {
  const d = s.dataset;
  const header = [...CSV_HEADER, ...d.pairs.map((p) => `line_${p.line}`)];
  const rows: (string | number | null)[][] = [header];
  for (const t of s.tables) {
    const cells = t.mean.length;
    const nRows = pairRows(t);
    // Column of each perPair row.
    const column = Array.from({ length: nRows }, (_, r) => pairOfRow(t, r));
    for (let i = 0; i < cells; i++) {
      const a = cellAddress(t, i);
      const perPair: (number | null)[] = new Array<number | null>(d.pairs.length).fill(null);
      for (let r = 0; r < nRows; r++) perPair[column[r]] = f32(t.perPair[r * cells + i]);
      rows.push([
        t.direction,
        t.sweep,
        t.source,
        a.layer,
        a.head ?? null,
        a.pos ?? null,
        a.pos !== undefined ? (d.positions?.[a.pos]?.text ?? null) : null,
        nRows,
        f32(t.mean[i]),
        f32(t.standardError[i]),
        t.normalised ? f32(t.normalised[i]) : null,
        t.restoredFraction ? f32(t.restoredFraction[i]) : null,
        ...perPair,
      ]);
    }
  }
  return csvRows(rows);
}
