/**
 * The logit lens heatmap, pure: geometry (a fixed label band, cells that fill the width or a
 * readable zoom that scrolls), which cell a point is over, how a cell's token is abbreviated, the
 * text colour that reads on a cell, and what the hover says.
 */
import { boundaryHook, boundaryPosIndex, type LogitLensRecord } from '../../../src/shared/residualStream.js';
import { visibleText, type PromptToken } from '../../../src/shared/tokens.js';
import { mix, type Rgba } from '../../lib/color.js';

/** `fit`: cells share the width (never under MIN_CELL_W); `read`: every cell wide enough for ~6 characters. */
export type LensZoom = 'fit' | 'read';
/** What a cell's colour encodes. */
export type LensColourBy = 'top' | 'answer';

/** What shows in the heatmap's place while a record has no lens: it is being computed (`busy`), or it never came. */
export interface LensPending {
  readonly busy: boolean;
  readonly text: string;
  /** 0..1 when known. */
  readonly progress?: number;
}

export const MIN_CELL_W = 6;
export const READ_CELL_W = 58;
const MAX_CELL_W = 96;
export const CELL_H = 22;
/** Narrowest cell that gets text (two characters and padding). */
export const TEXT_MIN_CELL_W = 18;

export interface LensGeometry {
  /** Canvas size, CSS px: the visible part only (the plot scrolls under a fixed label band). */
  readonly width: number;
  readonly height: number;
  /** Plot origin inside the canvas. */
  readonly left: number;
  readonly top: number;
  readonly cellW: number;
  readonly cellH: number;
  readonly rows: number;
  readonly cols: number;
  /** Width of all columns together, and of the part that shows (content > view means it scrolls). */
  readonly contentW: number;
  readonly viewW: number;
  /** Column labels every n-th column. */
  readonly colEvery: number;
  readonly legendTop: number;
}

export interface LensGeometryInput {
  readonly rows: number;
  readonly cols: number;
  /** Width the component may use, CSS px. */
  readonly width: number;
  readonly zoom: LensZoom;
  /** Widest row label, px. */
  readonly rowLabelPx: number;
  /** Widest column label, px (rotated −60° when wider than a cell). */
  readonly colLabelPx: number;
  readonly fontPx: number;
  /** Title band above the column labels, px. */
  readonly titlePx: number;
}

export const LEGEND_H = 46;
/** The canvas is at least this wide (title and legend), if the panel is. */
const MIN_CANVAS_W = 520;

export function lensGeometry(i: LensGeometryInput): LensGeometry {
  const left = Math.ceil(Math.min(i.rowLabelPx, 90)) + 10;
  const avail = Math.max(80, i.width - left - 4);
  const fitW = Math.min(MAX_CELL_W, avail / Math.max(1, i.cols));
  const cellW = i.zoom === 'read' ? Math.max(READ_CELL_W, Math.floor(fitW)) : Math.max(MIN_CELL_W, Math.floor(fitW * 10) / 10);
  const contentW = cellW * i.cols;
  const viewW = Math.min(contentW, avail);
  const rotated = i.colLabelPx > cellW - 4;
  const colEvery = rotated ? Math.max(1, Math.ceil((i.fontPx + 3) / cellW)) : 1;
  const colBand = rotated ? Math.ceil(Math.min(i.colLabelPx, 90) * 0.87) + 10 : i.fontPx + 10;
  const top = i.titlePx + colBand;
  const legendTop = top + i.rows * CELL_H + 10;
  return {
    // At least wide enough for the title and the legend, even when the plot is one column.
    width: Math.ceil(Math.max(left + viewW + 4, Math.min(i.width, MIN_CANVAS_W))),
    height: legendTop + LEGEND_H,
    left,
    top,
    cellW,
    cellH: CELL_H,
    rows: i.rows,
    cols: i.cols,
    contentW,
    viewW,
    colEvery,
    legendTop,
  };
}

/** The columns [first, last) that show when the plot is scrolled by `scrollX` px. */
export function visibleColumns(g: LensGeometry, scrollX: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollX / g.cellW));
  const last = Math.min(g.cols, Math.ceil((scrollX + g.viewW) / g.cellW));
  return { first, last };
}

/** The cell under canvas point (x, y) with the plot scrolled by `scrollX`, or null. */
export function lensCellAt(g: LensGeometry, scrollX: number, x: number, y: number): { row: number; col: number } | null {
  if (x < g.left || x >= g.left + g.viewW || y < g.top || y >= g.top + g.rows * g.cellH) return null;
  const col = Math.floor((x - g.left + scrollX) / g.cellW);
  const row = Math.floor((y - g.top) / g.cellH);
  return col >= 0 && col < g.cols && row >= 0 && row < g.rows ? { row, col } : null;
}

/** Row label of boundary b: `L{b}` for blocks.{b}.hook_resid_pre, `out` for the final resid_post. */
export function boundaryLabel(nLayers: number, b: number): string {
  return b < nLayers ? `L${b}` : 'out';
}

/**
 * A token's visible text cut to what fits `cellW` at `charW` px a character: whole when it fits,
 * else its first characters and an ellipsis; '' when not even one character and the ellipsis fit.
 * A leading space shows as ·, which is kept: it tells ' self' from 'self'.
 */
export function cellText(text: string, cellW: number, charW: number): string {
  if (cellW < TEXT_MIN_CELL_W) return '';
  const chars = [...visibleText(text)];
  const fit = Math.floor((cellW - 4) / charW);
  if (chars.length <= fit) return chars.join('');
  if (fit < 2) return '';
  return chars.slice(0, fit - 1).join('') + '…';
}

/** Cell colour for a probability: the background at 0, `heat` at 1 (square-root scale, so 0.05 is visible). */
export function probColour(p: number, background: Rgba, heat: Rgba): Rgba {
  const t = Number.isFinite(p) ? Math.sqrt(Math.max(0, Math.min(1, p))) : 0;
  return mix(background, heat, t);
}

/** Relative luminance (WCAG). */
export function luminance(c: Rgba): number {
  const ch = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
}

export function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Of the theme's foreground and background, the one that reads better on `fill`. */
export function textOn(fill: Rgba, foreground: Rgba, background: Rgba): Rgba {
  return contrast(fill, foreground) >= contrast(fill, background) ? foreground : background;
}

export function fmtProb(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p >= 0.995) return p >= 0.99995 ? '1.000' : p.toFixed(3);
  if (p >= 0.001) return p.toFixed(3);
  if (p <= 0) return '0';
  return p.toExponential(1);
}

/** The probability of the top token of cell (b, p). */
export function topProb(l: LogitLensRecord, b: number, p: number): number {
  return l.top_probs_boundary_pos_k[boundaryPosIndex(l.n_tokens, b, p) * l.k];
}

/** The answer's probability at cell (b, p). */
export function answerProb(l: LogitLensRecord, b: number, p: number): number {
  return Math.exp(l.answer_logprob_boundary_pos[boundaryPosIndex(l.n_tokens, b, p)]);
}

/** The text of token `id` (its id in brackets when the record did not include it). */
export function tokenTextOf(l: LogitLensRecord, id: number): string {
  return l.tokenTexts[id] ?? (id === l.answer.id ? l.answer.text : `[${id}]`);
}

/** The multi-line hover of cell (b, p): where it is, the top-k, the entropy, the answer's probability and rank. */
export function describeLensCell(l: LogitLensRecord, tokens: readonly PromptToken[], nLayers: number, b: number, p: number, shown = 5): string {
  const i = boundaryPosIndex(l.n_tokens, b, p);
  const tok = tokens[p];
  const where = `${boundaryHook(nLayers, b)} · position ${p} ${tok ? (tok.isBos ? '(BOS)' : `'${visibleText(tok.text)}'`) : ''}`.trimEnd();
  const lines = [where, `next-token top ${Math.min(shown, l.k)}:`];
  for (let j = 0; j < Math.min(shown, l.k); j++) {
    const id = l.top_ids_boundary_pos_k[i * l.k + j];
    const pr = l.top_probs_boundary_pos_k[i * l.k + j];
    lines.push(`  ${fmtProb(pr).padStart(7)}  '${visibleText(tokenTextOf(l, id))}'  #${id}`);
  }
  lines.push(`entropy ${l.entropy_boundary_pos[i].toFixed(2)} nats`);
  const rank = l.answer_rank_boundary_pos[i];
  lines.push(`answer '${visibleText(l.answer.text)}': p ${fmtProb(Math.exp(l.answer_logprob_boundary_pos[i]))}, rank ${rank + 1}`);
  return lines.join('\n');
}
