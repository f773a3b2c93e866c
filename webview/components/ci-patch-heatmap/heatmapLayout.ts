/**
 * Geometry and colour of a patching heatmap, pure: where the plot, the labels and the legend go,
 * which cell a point is over, and the diverging colour scale (centred on 0).
 */
import { mix, type Rgba } from '../../lib/color.js';

export interface HeatmapLayout {
  readonly width: number;
  readonly height: number;
  /** Plot origin (top-left of cell 0,0). */
  readonly left: number;
  readonly top: number;
  readonly cellW: number;
  readonly cellH: number;
  readonly rows: number;
  readonly cols: number;
  /** Baseline row of the column axis title, under the plot. */
  readonly colTitleTop: number;
  /** Top of the colour legend. */
  readonly legendTop: number;
  /** Label every n-th row / column (1 = all). */
  readonly rowEvery: number;
  readonly colEvery: number;
}

export interface LayoutInput {
  readonly rows: number;
  readonly cols: number;
  /** Widest row label and widest column label, px. */
  readonly rowLabelPx: number;
  readonly colLabelPx: number;
  /** Width available for the whole canvas, px. */
  readonly maxWidth: number;
  readonly fontPx: number;
  /** Height of the title line above the plot, px. */
  readonly titlePx: number;
}

const MIN_CELL = 4;
const MAX_CELL_W = 44;
const MAX_CELL_H = 30;
const LEGEND_H = 46;

/** Columns get rotated labels (−60°) when they are wider than a cell. */
export function heatmapLayout(i: LayoutInput): HeatmapLayout {
  const left = Math.ceil(Math.min(i.rowLabelPx, 140)) + 10;
  const avail = Math.max(60, i.maxWidth - left - 8);
  const cellW = Math.max(MIN_CELL, Math.min(MAX_CELL_W, Math.floor(avail / i.cols)));
  const cellH = Math.max(MIN_CELL, Math.min(MAX_CELL_H, i.rows > 48 ? 8 : cellW));
  const rotated = i.colLabelPx > cellW - 2;
  const colEvery = Math.max(1, Math.ceil((i.fontPx + 2) / cellW));
  const rowEvery = Math.max(1, Math.ceil((i.fontPx + 1) / cellH));
  // A rotated label of width w at −60° rises w·sin60.
  const colBand = rotated ? Math.ceil(Math.min(i.colLabelPx, 150) * 0.87) + 8 : i.fontPx + 8;
  const top = i.titlePx + colBand;
  const width = Math.max(left + i.cols * cellW + 8, 220);
  const colTitleTop = top + i.rows * cellH + 6;
  const legendTop = colTitleTop + i.fontPx + 8;
  return { width, height: legendTop + LEGEND_H, left, top, cellW, cellH, rows: i.rows, cols: i.cols, colTitleTop, legendTop, rowEvery, colEvery };
}

/** The cell under a point in CSS px, or null outside the plot. */
export function cellAt(l: HeatmapLayout, x: number, y: number): { row: number; col: number } | null {
  const col = Math.floor((x - l.left) / l.cellW);
  const row = Math.floor((y - l.top) / l.cellH);
  if (x < l.left || y < l.top || col < 0 || row < 0 || col >= l.cols || row >= l.rows) return null;
  return { row, col };
}

/**
 * Diverging colour: `zero` at 0, `neg` at −scale and below, `pos` at +scale and above. Null
 * (undefined value) gets `missing`.
 */
export function divergingColor(v: number | null, scale: number, neg: Rgba, zero: Rgba, pos: Rgba, missing: Rgba): Rgba {
  if (v === null || !Number.isFinite(v)) return missing;
  const t = Math.max(-1, Math.min(1, v / scale));
  return t >= 0 ? mix(zero, pos, t) : mix(zero, neg, -t);
}
