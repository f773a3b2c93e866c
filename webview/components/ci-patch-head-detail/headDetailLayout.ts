/**
 * Geometry of a head's detail: three square plots (clean, corrupt, difference) sharing the
 * element's width, three across when each gets readable cells, else two and one below, else one
 * a row. Every plot row has its caption, its key labels (rotated when wider than a cell) above the
 * plot, the query labels on its left and the "key" axis title under it. Pure.
 */
import { ROTATION, labelEvery } from '../ci-patch-heatmap/heatmapLayout.js';

export const FONT_PX = 11;
/** Between two plots of a row, CSS px. */
export const GAP = 18;
export const CAPTION_PX = 18;
/** Largest cell side, CSS px: a short prompt in a wide panel does not get huge cells. */
export const MAX_CELL = 32;
/** Cells at least this big, and plots at least COMFORT_PLOT wide, keep three (or two) plots a row; else fewer a row. */
export const COMFORT_CELL = 10;
export const COMFORT_PLOT = 180;
/** Smallest plot side, CSS px (a narrower element scrolls sideways). */
export const MIN_PLOT = 120;
/** The "key" axis title under each plot. */
export const KEY_TITLE_PX = FONT_PX + 10;
/** Between two rows of plots, CSS px. */
export const ROW_GAP = 12;
/** Label width beyond which it is cut (the caller clips labels to about this). */
const MAX_LABEL_PX = 110;

export interface HeadDetailGeometry {
  readonly n: number;
  /** Left of the first plot (the query labels are left of it), CSS px. */
  readonly left: number;
  /** Top of the first row's plots, CSS px. */
  readonly top: number;
  /** Side of each plot, CSS px. */
  readonly plot: number;
  readonly cell: number;
  /** Plots a row: 3, 2 or 1. */
  readonly perRow: number;
  /** From one plot row's top to the next's, CSS px. */
  readonly rowPitch: number;
  /** Key labels (above each plot) are rotated: the widest is wider than a cell. */
  readonly rotated: boolean;
  /** Label every n-th query row / key column so labels never overlap. */
  readonly queryEvery: number;
  readonly keyEvery: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The layout for `n` tokens in `available` CSS px, with query/key labels up to `labelPx` wide:
 * the most plots a row (3, 2, 1) whose cells are at least COMFORT_CELL and plots at least COMFORT_PLOT
 * (or the MAX_CELL-sized plot of a short prompt).
 */
export function headDetailGeometry(n: number, available: number, labelPx: number): HeadDetailGeometry {
  const label = Math.min(labelPx, MAX_LABEL_PX);
  const left = Math.ceil(label) + 8;
  const plotFor = (perRow: number, right: number) =>
    Math.floor(Math.max(Math.min(MIN_PLOT, n * MAX_CELL), Math.min(n * MAX_CELL, (available - left - (perRow - 1) * GAP - right) / perRow)));
  const lay = (perRow: number) => {
    // Rotated key labels lean right by w·cos60 from their column: the last plot's last one needs that room.
    const rotated = labelPx > plotFor(perRow, 8) / n - 4;
    const right = rotated ? Math.max(8, Math.ceil(label * Math.cos(ROTATION)) + 4) : 8;
    return { perRow, rotated, right, plot: plotFor(perRow, right) };
  };
  const comfortable = (l: { plot: number }) => l.plot / n >= COMFORT_CELL && l.plot >= Math.min(COMFORT_PLOT, n * MAX_CELL);
  const chosen = [3, 2].map(lay).find(comfortable) ?? lay(1);
  const { perRow, rotated, right, plot } = chosen;
  const cell = plot / n;
  const keyBand = rotated ? Math.ceil(label * Math.sin(ROTATION)) + 8 : FONT_PX + 8;
  const top = CAPTION_PX + 4 + keyBand;
  const rowPitch = top + plot + 4 + KEY_TITLE_PX + ROW_GAP;
  const rows = Math.ceil(3 / perRow);
  return {
    n,
    left,
    top,
    plot,
    cell,
    perRow,
    rowPitch,
    rotated,
    queryEvery: Math.max(1, Math.ceil((FONT_PX + 1) / cell)),
    keyEvery: rotated ? labelEvery(cell, FONT_PX, true) : 1,
    width: left + perRow * plot + (perRow - 1) * GAP + right,
    height: rows * rowPitch - ROW_GAP,
  };
}

/** Top-left of plot `panel` (0 clean, 1 corrupt, 2 difference), CSS px. */
export function plotOrigin(g: HeadDetailGeometry, panel: number): { x: number; y: number } {
  const col = panel % g.perRow;
  const row = Math.floor(panel / g.perRow);
  return { x: g.left + col * (g.plot + GAP), y: g.top + row * g.rowPitch };
}

/** The plot and (query, key) cell under a point, CSS px; null outside the plots. */
export function headDetailCellAt(g: HeadDetailGeometry, x: number, y: number): { panel: number; q: number; k: number } | null {
  for (let panel = 0; panel < 3; panel++) {
    const o = plotOrigin(g, panel);
    const px = x - o.x;
    const py = y - o.y;
    if (px < 0 || py < 0 || px >= g.plot || py >= g.plot) continue;
    return { panel, q: Math.min(g.n - 1, Math.floor(py / g.cell)), k: Math.min(g.n - 1, Math.floor(px / g.cell)) };
  }
  return null;
}
