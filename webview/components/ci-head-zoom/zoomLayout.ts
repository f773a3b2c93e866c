/**
 * Geometry of the zoomed query × key heatmap: the plot's size from the space the panel gives it,
 * zoom and scroll for long prompts, which tokens get a label, and hit-testing. Pure.
 *
 * Coordinates: "content" px run over the whole zoomed pattern (side `content`); the viewport
 * shows the part of it at `scroll` (content px), `plot` px square at most (less where scrollbars
 * take room). The canvas has the query labels left of the viewport and the key labels above it.
 */

/** Smallest plot side, CSS px (a narrower element scrolls). */
export const MIN_PLOT = 160;
/** Largest cell side when the pattern fits unzoomed, CSS px: short prompts do not get huge cells. */
export const MAX_CELL = 32;
/** The cell side at the largest zoom, CSS px: every token's label fits beside its row. */
export const READABLE_CELL = 16;

export interface ZoomLayoutInput {
  readonly nTokens: number;
  /** Width the element may use, CSS px. */
  readonly available: number;
  /** Tallest plot wanted, CSS px (so the whole pattern fits on screen). */
  readonly maxPlot: number;
  /** Width of the widest token label, CSS px. */
  readonly labelWidth: number;
  /** Height of one label line, CSS px. */
  readonly lineHeight: number;
  /** Requested zoom (clamped to [1, maxZoom]). */
  readonly zoom: number;
}

export interface ZoomLayout {
  readonly nTokens: number;
  /** Left margin (query labels), CSS px. */
  readonly left: number;
  /** Top margin (key labels, rotated), CSS px. */
  readonly top: number;
  /** Side of the square viewport, CSS px. */
  readonly plot: number;
  /** Zoom factor in use, ≥ 1. */
  readonly zoom: number;
  /** The largest zoom for this prompt and plot. */
  readonly maxZoom: number;
  /** Side of the whole zoomed pattern, CSS px (`plot × zoom`). */
  readonly content: number;
  /** Side of one cell at this zoom, CSS px (below 1 for long prompts unzoomed). */
  readonly cell: number;
  /** Label every `labelStep`-th token so labels never overlap. */
  readonly labelStep: number;
  readonly width: number;
  readonly height: number;
}

/** The largest useful zoom: one at which every token's cell is READABLE_CELL px. */
export function maxZoom(nTokens: number, plot: number): number {
  return Math.max(1, (READABLE_CELL * nTokens) / plot);
}

export function zoomLayout(i: ZoomLayoutInput): ZoomLayout {
  const left = Math.ceil(i.labelWidth) + 8;
  const top = Math.ceil(i.labelWidth) + 8;
  const plot = Math.floor(Math.max(MIN_PLOT, Math.min(i.available - left - 2, i.maxPlot, i.nTokens * MAX_CELL)));
  const most = maxZoom(i.nTokens, plot);
  const zoom = Math.min(most, Math.max(1, Number.isFinite(i.zoom) ? i.zoom : 1));
  const content = plot * zoom;
  const cell = content / i.nTokens;
  const labelStep = Math.max(1, Math.ceil(i.lineHeight / cell));
  return { nTokens: i.nTokens, left, top, plot, zoom, maxZoom: most, content, cell, labelStep, width: left + plot + 2, height: top + plot + 2 };
}

/** A scroll offset kept inside the content (content px). */
export function clampScroll(offset: number, content: number, visible: number): number {
  return Math.max(0, Math.min(offset, content - visible));
}

/** Tokens [from, to) whose cells meet the visible span [offset, offset + size) of an axis. */
export function visibleRange(l: ZoomLayout, offset: number, size: number): { from: number; to: number } {
  const from = Math.max(0, Math.floor(offset / l.cell));
  const to = Math.min(l.nTokens, Math.ceil((offset + size) / l.cell));
  return { from, to: Math.max(from, to) };
}

/**
 * The (query, key) cell under a viewport point (CSS px from the viewport's top-left, scrolled by
 * `scroll`), masked or not; null outside the visible `size`.
 */
export function pointCell(
  l: ZoomLayout,
  scroll: { readonly x: number; readonly y: number },
  size: { readonly w: number; readonly h: number },
  x: number,
  y: number,
): { q: number; k: number } | null {
  if (x < 0 || y < 0 || x >= size.w || y >= size.h) return null;
  const q = Math.min(l.nTokens - 1, Math.floor((y + scroll.y) / l.cell));
  const k = Math.min(l.nTokens - 1, Math.floor((x + scroll.x) / l.cell));
  return { q, k };
}

/** Like {@link pointCell}, but null above the diagonal too (masked by causality). */
export function cellAt(
  l: ZoomLayout,
  scroll: { readonly x: number; readonly y: number },
  size: { readonly w: number; readonly h: number },
  x: number,
  y: number,
): { q: number; k: number } | null {
  const c = pointCell(l, scroll, size, x, y);
  return c && c.k <= c.q ? c : null;
}

/**
 * The keyboard cursor after a key, kept on or below the diagonal: arrows move one cell, PageUp and
 * PageDown move `page` rows, Home and End go to the row's first key and to the query itself.
 * Null when `key` does not move the cursor.
 */
export function moveCell(c: { readonly q: number; readonly k: number }, key: string, n: number, page: number): { q: number; k: number } | null {
  const row = (q: number) => Math.max(0, Math.min(n - 1, q));
  const at = (q: number, k: number) => ({ q, k: Math.max(0, Math.min(k, q)) });
  switch (key) {
    case 'ArrowUp':
      return at(row(c.q - 1), c.k);
    case 'ArrowDown':
      return at(row(c.q + 1), c.k);
    case 'ArrowLeft':
      return at(c.q, c.k - 1);
    case 'ArrowRight':
      return at(c.q, c.k + 1);
    case 'PageUp':
      return at(row(c.q - page), c.k);
    case 'PageDown':
      return at(row(c.q + page), c.k);
    case 'Home':
      return at(c.q, 0);
    case 'End':
      return at(c.q, c.q);
    default:
      return null;
  }
}

/**
 * Which tokens in [from, to) get a label on an axis: every `step`-th (multiples of `step`, so
 * labels do not jump while scrolling) and each `forced` one (focused, hovered) in range, dropping
 * the regular labels closer than `step` to a forced one so no two labels overlap.
 */
export function axisLabels(from: number, to: number, step: number, forced: readonly (number | null)[] = []): number[] {
  const pinned = [...new Set(forced.filter((f): f is number => f !== null && f >= from && f < to))].sort((a, b) => a - b);
  // Two forced labels closer than a step: keep the first (callers list the most important first).
  const kept: number[] = [];
  for (const f of forced) {
    if (f === null || !pinned.includes(f) || kept.includes(f)) continue;
    if (kept.every((k) => Math.abs(k - f) >= step)) kept.push(f);
  }
  const out = [...kept];
  for (let i = Math.ceil(from / step) * step; i < to; i += step) {
    if (kept.every((k) => Math.abs(k - i) >= step)) out.push(i);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Zooms by `factor` about a viewport point, keeping the content under it in place: the new zoom
 * (clamped) and scroll offsets (content px, clamped to the new content).
 */
export function zoomAbout(
  l: ZoomLayout,
  scroll: { readonly x: number; readonly y: number },
  size: { readonly w: number; readonly h: number },
  point: { readonly x: number; readonly y: number },
  factor: number,
): { zoom: number; x: number; y: number } {
  const zoom = Math.min(l.maxZoom, Math.max(1, l.zoom * factor));
  const ratio = zoom / l.zoom;
  const content = l.plot * zoom;
  return {
    zoom,
    x: clampScroll((scroll.x + point.x) * ratio - point.x, content, size.w),
    y: clampScroll((scroll.y + point.y) * ratio - point.y, content, size.h),
  };
}

/** The scroll offset (content px) that brings token `i`'s cell into a visible span, or `offset` if it is in view. */
export function scrollToShow(l: ZoomLayout, offset: number, size: number, i: number): number {
  const a = i * l.cell;
  const b = a + l.cell;
  if (a >= offset && b <= offset + size) return offset;
  return clampScroll(a + l.cell / 2 - size / 2, l.content, size);
}
