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
  /** Cell size, CSS px; fractional when the plot is sized from the width (edges are snapped to device pixels when drawn). */
  readonly cellW: number;
  readonly cellH: number;
  readonly rows: number;
  readonly cols: number;
  /** Baseline row of the column axis title, under the plot. */
  readonly colTitleTop: number;
  /** Top of the colour legend. */
  readonly legendTop: number;
  /** Label every n-th row / column (1 = all) so labels never overlap. */
  readonly rowEvery: number;
  readonly colEvery: number;
  /** Column labels are drawn rotated (−60°): the widest one is wider than a cell. */
  readonly rotated: boolean;
}

export interface LayoutInput {
  readonly rows: number;
  readonly cols: number;
  /** Widest row label and widest column label, px. */
  readonly rowLabelPx: number;
  readonly colLabelPx: number;
  /** Width available for the whole canvas, px: the plot fills it (up to MAX_CELL_W a column). */
  readonly maxWidth: number;
  readonly fontPx: number;
  /** Height of the title line above the plot, px. */
  readonly titlePx: number;
}

/** Narrowest column, CSS px (a wider table scrolls). */
export const MIN_CELL_W = 2;
/** Widest column, CSS px: a table of few columns in a very wide panel stops growing here. */
export const MAX_CELL_W = 96;
/** Row height bounds, CSS px: rows follow the column width up to MAX_CELL_H. */
export const MIN_CELL_H = 8;
export const MAX_CELL_H = 44;
/** The plot grows no taller than this by itself (many rows get shorter cells, down to MIN_CELL_H). */
export const TARGET_PLOT_H = 560;
/** Column labels are rotated by this much (radians, drawn at −ROTATION). */
export const ROTATION = Math.PI / 3;
const LEGEND_H = 46;
const MAX_ROTATED_LABEL_PX = 150;

/**
 * Spacing between drawn labels, in cells, so that no two overlap: a label is `fontPx` high, and
 * labels rotated by θ stand `spacing · sin θ` apart (perpendicular to their baselines).
 */
export function labelEvery(cell: number, fontPx: number, rotated: boolean): number {
  const need = (fontPx + 3) / (rotated ? Math.sin(ROTATION) : 1);
  return Math.max(1, Math.ceil(need / Math.max(cell, 1e-6)));
}

/**
 * The plot fills the width (columns up to MAX_CELL_W); rows are as tall as columns are wide, up to
 * MAX_CELL_H and to what keeps the plot near TARGET_PLOT_H. Columns get rotated labels (−60°) when
 * the widest is wider than a cell, and only every `colEvery`-th label is drawn when they would overlap.
 */
export function heatmapLayout(i: LayoutInput): HeatmapLayout {
  const left = Math.ceil(Math.min(i.rowLabelPx, 140)) + 10;
  const cellFor = (right: number) => Math.max(MIN_CELL_W, Math.min(MAX_CELL_W, Math.max(60, i.maxWidth - left - right) / i.cols));
  const labelPx = Math.min(i.colLabelPx, MAX_ROTATED_LABEL_PX);
  // Rotated labels lean right by w·cos60 from their column: the last one needs that much room.
  const rotated = i.colLabelPx > cellFor(8) - 4;
  const right = rotated ? Math.max(8, Math.ceil(labelPx * Math.cos(ROTATION)) + 4) : 8;
  const cellW = cellFor(right);
  const cellH = Math.max(MIN_CELL_H, Math.min(MAX_CELL_H, cellW, Math.floor(TARGET_PLOT_H / i.rows)));
  const colEvery = rotated ? labelEvery(cellW, i.fontPx, true) : 1;
  const rowEvery = Math.max(1, Math.ceil((i.fontPx + 1) / cellH));
  // A rotated label of width w at −60° rises w·sin60.
  const colBand = rotated ? Math.ceil(labelPx * Math.sin(ROTATION)) + 8 : i.fontPx + 8;
  const top = i.titlePx + colBand;
  const width = Math.ceil(Math.max(left + i.cols * cellW + right, 220));
  const colTitleTop = top + i.rows * cellH + 6;
  const legendTop = colTitleTop + i.fontPx + 8;
  return { width, height: legendTop + LEGEND_H, left, top, cellW, cellH, rows: i.rows, cols: i.cols, colTitleTop, legendTop, rowEvery, colEvery, rotated };
}

/** A CSS px coordinate moved onto the nearest device pixel edge, so adjacent cells meet without a blurred seam. */
export function snap(x: number, dpr: number): number {
  return Math.round(x * dpr) / dpr;
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

/** `text` cut into lines no wider than `max` (by `measure`), at spaces; a single longer word keeps its own line. */
export function wrapText(text: string, max: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(next) > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}
