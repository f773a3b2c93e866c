/** Geometry of the zoomed query × key heatmap: plot area, label spacing, hit-testing. Pure. */

export interface ZoomLayout {
  readonly nTokens: number;
  /** Left margin (query labels), CSS px. */
  readonly left: number;
  /** Top margin (key labels), CSS px. */
  readonly top: number;
  /** Side of the square plot, CSS px. */
  readonly plot: number;
  /** Side of one cell, CSS px (may be below 1 for long prompts). */
  readonly cell: number;
  /** Label every `labelStep`-th token so labels never overlap. */
  readonly labelStep: number;
  readonly width: number;
  readonly height: number;
}

export function zoomLayout(nTokens: number, maxPlot: number, labelWidth: number, lineHeight = 12): ZoomLayout {
  // Short prompts get comfortable cells instead of a huge plot.
  const plot = Math.min(maxPlot, Math.max(nTokens * 18, 120));
  const cell = plot / nTokens;
  const labelStep = Math.max(1, Math.ceil(lineHeight / cell));
  const left = labelWidth + 8;
  const top = labelWidth + 8;
  return { nTokens, left, top, plot, cell, labelStep, width: left + plot + 2, height: top + plot + 2 };
}

/** The (query, key) cell under a point in CSS px, or null outside the plot or above the diagonal. */
export function cellAt(l: ZoomLayout, x: number, y: number): { q: number; k: number } | null {
  const px = x - l.left;
  const py = y - l.top;
  if (px < 0 || py < 0 || px >= l.plot || py >= l.plot) return null;
  const q = Math.min(l.nTokens - 1, Math.floor(py / l.cell));
  const k = Math.min(l.nTokens - 1, Math.floor(px / l.cell));
  return k <= q ? { q, k } : null;
}

/** Which tokens get a label: every `labelStep`-th, always including `always` (the focused token). */
export function labelledTokens(l: ZoomLayout, always: number | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < l.nTokens; i += l.labelStep) {
    if (always !== null && Math.abs(i - always) < l.labelStep && i !== always) continue;
    out.push(i);
  }
  if (always !== null && !out.includes(always)) out.push(always);
  return out.sort((a, b) => a - b);
}
