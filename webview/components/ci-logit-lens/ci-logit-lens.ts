import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { boundaryPosIndex, type LogitLensRecord } from '../../../src/shared/residualStream.js';
import { visibleText, type PromptToken } from '../../../src/shared/tokens.js';
import { toCss } from '../../lib/color.js';
import { ThemeController, readCanvasTheme, type CanvasTheme } from '../../lib/theme.js';
import { shortLabel } from '../../lib/tokenText.js';
import { EXPORT_THEME } from '../../lib/exportTheme.js';
import {
  answerProb,
  boundaryLabel,
  cellText,
  describeLensCell,
  lensCellAt,
  lensGeometry,
  TEXT_MIN_CELL_W,
  probColour,
  textOn,
  tokenTextOf,
  topProb,
  visibleColumns,
  type LensColourBy,
  type LensGeometry,
  type LensPending,
  type LensZoom,
} from './lensLayout.js';
import { styles } from './ci-logit-lens.styles.js';

const FONT_PX = 11;
const TITLE_PX = 20;
const EXPORT_TITLE_PX = 38;
/** The exported PNG is at most this wide (CSS px) however many tokens: cells narrow to fit. */
const EXPORT_MAX_W = 6000;

export interface LensPositionDetail {
  readonly position: number;
}
export type LensPositionEvent = CustomEvent<LensPositionDetail>;

declare global {
  interface HTMLElementEventMap {
    'ci-lens-position': LensPositionEvent;
  }
}

/**
 * The logit lens as a boundary × position heatmap: one row per residual boundary (resid_pre of
 * each layer, then the final resid_post), one column per prompt token. Each cell shows its top
 * next-token (abbreviated to the cell, hidden when the cell is too narrow) on a colour for its
 * probability, or for the answer's probability. At `fit` the cells share the width; at `read`
 * they are wide enough to label and the plot scrolls under fixed layer labels. Only the visible
 * columns are drawn, so 1024 tokens cost what the view shows. Without a lens (a record whose lens is
 * still being computed) it shows `pending` instead, in a box as tall as the heatmap will be, and
 * nothing of a lens it showed before.
 *
 * @tag ci-logit-lens
 * @fires {LensPositionEvent} ci-lens-position - a column was clicked (or Enter pressed on a cell): read DLA there
 * @cssprop --ci-heat-color - colour of probability 1
 * @csspart canvas - the heatmap
 */
@customElement('ci-logit-lens')
export class CiLogitLens extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) lens?: LogitLensRecord;
  @property({ attribute: false }) tokens: readonly PromptToken[] = [];
  @property({ type: Number, attribute: 'n-layers' }) nLayers = 0;
  @property({ attribute: 'colour-by' }) colourBy: LensColourBy = 'top';
  @property() zoom: LensZoom = 'fit';
  /** Width to fill, CSS px. */
  @property({ type: Number, attribute: 'max-width' }) maxWidth = 800;
  /** Second title line, in the exported PNG only. */
  @property() caption = '';
  /** The position DLA is read at: its column is outlined. -1: none. */
  @property({ type: Number }) position = -1;
  /** A column to highlight (the editor's hover link), or -1. */
  @property({ type: Number, attribute: 'focus-column' }) focusColumn = -1;
  /** What shows in the heatmap's place while there is no `lens`. */
  @property({ attribute: false }) pending?: LensPending;

  @state() private hover: { row: number; col: number; x: number; y: number } | null = null;
  @state() private scrollX = 0;
  @query('canvas') private canvas?: HTMLCanvasElement;
  @query('.scroller') private scroller?: HTMLElement;
  @query('.track') private track?: HTMLElement;
  @query('.tooltip') private tooltip?: HTMLElement;
  @query('.pending') private pendingBox?: HTMLElement;
  private readonly theme = new ThemeController(this);
  /** The last drawn geometry (tests and screenshots read it). */
  geometry?: LensGeometry;
  private labelCache?: { tokens: readonly PromptToken[]; labels: string[]; widest: number };
  /** The plot without the hover outline, redrawn only when what it shows changes (a hover only blits it). */
  private base?: { canvas: HTMLCanvasElement; key: string };

  toPng(): string | undefined {
    if (!this.lens) return undefined;
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d');
    if (!ctx) return undefined;
    const t = { ...EXPORT_THEME, fontFamily: readCanvasTheme(this).fontFamily };
    // The whole plot, unscrolled, at the current zoom unless that gets too wide.
    const want = this.layoutFor(this.maxWidth, this.zoom, ctx);
    const width = Math.min(EXPORT_MAX_W, want.left + want.contentW + 8);
    const g0 = this.layoutFor(width, want.contentW + want.left + 8 > EXPORT_MAX_W ? 'fit' : this.zoom, ctx, EXPORT_TITLE_PX);
    const g = { ...g0, viewW: g0.contentW, width: Math.max(g0.left + g0.contentW + 8, 420) };
    this.paint(canvas, g, 0, t, { dpr: 2, marks: false, caption: this.caption });
    return canvas.toDataURL('image/png');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('lens') && !this.lens) {
      // Nothing of the previous lens survives: no geometry, hover or drawn plot.
      this.geometry = undefined;
      this.hover = null;
      this.base = undefined;
      this.baseLens = undefined;
    }
  }

  protected override render() {
    if (!this.lens) return this.renderPending();
    const l = this.lens;
    const label = l
      ? `Logit lens: ${l.n_boundaries} boundaries by ${l.n_tokens} positions, coloured by ${this.colourBy === 'top' ? 'the top token' : 'the answer'}'s probability`
      : 'Logit lens';
    return html`<div class="scroller" @scroll=${this.onScroll}>
        <div class="track">
          <canvas
            part="canvas"
            role="img"
            tabindex="0"
            aria-label=${`${label}. Arrow keys move between cells; Enter or a click reads direct logit attribution at that position.`}
            @pointermove=${this.onMove}
            @click=${this.onClick}
            @pointerleave=${this.onLeave}
            @keydown=${this.onKey}
            @blur=${this.onLeave}
          ></canvas>
        </div>
      </div>
      <div class="range muted" aria-live="polite">${this.rangeText()}</div>
      <div class="tooltip" role="tooltip" ?hidden=${!this.hover}>${this.hoverText()}</div>`;
  }

  private renderPending() {
    const p = this.pending;
    if (!p) return nothing;
    return html`<div class=${`pending${p.busy ? ' busy' : ''}`} role="status" aria-live="polite">
      <span>${p.text}</span>
      ${
        !p.busy
          ? nothing
          : p.progress === undefined
            ? html`<progress aria-label="logit lens progress"></progress>`
            : html`<progress max="1" .value=${p.progress} aria-label="logit lens progress"></progress>`
      }
    </div>`;
  }

  /** The placeholder is as tall as the heatmap will be, so the plots below do not jump when the lens arrives. */
  private sizePending(): void {
    const box = this.pendingBox;
    if (!box) return;
    const rows = this.nLayers + 1;
    const g = lensGeometry({
      rows,
      cols: Math.max(1, this.tokens.length),
      width: this.maxWidth,
      zoom: this.zoom,
      rowLabelPx: 30,
      colLabelPx: 0,
      fontPx: FONT_PX,
      titlePx: TITLE_PX,
    });
    box.style.height = `${g.height}px`;
  }

  /** Which positions show when the plot scrolls, and whether the cells are too narrow for text. */
  private rangeText(): string {
    const g = this.geometry;
    const l = this.lens;
    if (!g || !l) return '';
    const parts: string[] = [];
    if (g.contentW > g.viewW + 1) {
      const { first, last } = visibleColumns(g, this.scrollX);
      parts.push(`positions ${first}–${last - 1} of ${l.n_tokens} shown: scroll sideways for the rest`);
    }
    if (g.cellW < TEXT_MIN_CELL_W) parts.push('cells too narrow for their token: hover one, or pick readable cells');
    return parts.join(' · ');
  }

  private hoverText(): string {
    const h = this.hover;
    const l = this.lens;
    if (!h || !l) return '';
    if (h.col < 0)
      return `${l.boundaryHooks[h.row] ?? ''}\n${h.row < this.nLayers ? `the residual stream entering layer ${h.row}` : 'the residual stream after the last layer (what ln_final reads)'}`;
    return describeLensCell(l, this.tokens, this.nLayers, h.row, h.col);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.lens) {
      this.sizePending();
      return;
    }
    if ((changed.has('zoom') || changed.has('lens')) && this.scroller) {
      this.scroller.scrollLeft = 0;
      this.scrollX = 0;
    }
    this.draw();
    const tip = this.tooltip;
    const g = this.geometry;
    if (tip && this.hover && g) {
      const maxX = Math.max(0, this.clientWidth - tip.offsetWidth - 2);
      const x = Math.max(0, Math.min(this.hover.x + 14, maxX));
      const below = this.hover.y + 16;
      const y = below + tip.offsetHeight > g.height + 120 ? this.hover.y - tip.offsetHeight - 8 : below;
      tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(Math.max(0, y))}px)`;
    }
  }

  private layoutFor(width: number, zoom: LensZoom, ctx: CanvasRenderingContext2D | null, titlePx = TITLE_PX): LensGeometry {
    const l = this.lens;
    const rows = l?.n_boundaries ?? 0;
    const cols = l?.n_tokens ?? 0;
    let colLabelPx = 0;
    let rowLabelPx = 0;
    if (ctx) {
      colLabelPx = this.labelsFor(ctx).widest;
      ctx.font = `${FONT_PX}px monospace`;
      rowLabelPx = Math.max(ctx.measureText('layer').width, ctx.measureText(boundaryLabel(this.nLayers, rows - 1)).width, ctx.measureText('L00').width);
    }
    return lensGeometry({ rows, cols, width, zoom, rowLabelPx, colLabelPx, fontPx: FONT_PX, titlePx });
  }

  /** Column labels and the widest one's width, measured once per prompt. */
  private labelsFor(ctx: CanvasRenderingContext2D): { labels: string[]; widest: number } {
    const c = this.labelCache;
    if (c && c.tokens === this.tokens) return c;
    ctx.font = `${FONT_PX}px monospace`;
    const labels = this.tokens.map((t) => (t.isBos ? 'BOS' : shortLabel(t.text, 10)));
    const widest = labels.reduce((m, s) => Math.max(m, ctx.measureText(s).width), 0);
    this.labelCache = { tokens: this.tokens, labels, widest };
    return this.labelCache;
  }

  private onScroll = () => {
    this.scrollX = this.scroller?.scrollLeft ?? 0;
    this.hover = null;
  };

  private onMove = (ev: PointerEvent) => {
    const g = this.geometry;
    const c = this.canvas;
    if (!g || !c) return;
    const r = c.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const cell = lensCellAt(g, this.scrollX, x, y);
    // Over a row label: col −1 (the hover names the boundary's hook).
    const row = Math.floor((y - g.top) / g.cellH);
    const label = !cell && x < g.left && row >= 0 && row < g.rows ? { row, col: -1 } : null;
    this.hover = cell ? { ...cell, x, y } : label ? { ...label, x, y } : null;
  };

  private onLeave = () => {
    this.hover = null;
  };

  private onClick = (ev: MouseEvent) => {
    const g = this.geometry;
    const c = this.canvas;
    if (!g || !c) return;
    const r = c.getBoundingClientRect();
    const cell = lensCellAt(g, this.scrollX, ev.clientX - r.left, ev.clientY - r.top);
    if (cell) this.pick(cell.col);
  };

  private pick(position: number): void {
    this.dispatchEvent(new CustomEvent<LensPositionDetail>('ci-lens-position', { detail: { position }, bubbles: true, composed: true }));
  }

  /** Scrolls so that column `col` shows (the host's focusPosition). */
  revealColumn(col: number): void {
    const g = this.geometry;
    const s = this.scroller;
    if (!g || !s) return;
    const x0 = col * g.cellW;
    if (x0 < s.scrollLeft || x0 + g.cellW > s.scrollLeft + g.viewW) s.scrollLeft = Math.max(0, x0 - g.viewW / 2);
    this.scrollX = s.scrollLeft;
  }

  private onKey = (ev: KeyboardEvent) => {
    const g = this.geometry;
    if (!g) return;
    const moves: Record<string, [number, number]> = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    const m = moves[ev.key];
    if (!m) {
      if (ev.key === 'Escape') this.hover = null;
      else if ((ev.key === 'Enter' || ev.key === ' ') && this.hover && this.hover.col >= 0) {
        ev.preventDefault();
        this.pick(this.hover.col);
      }
      return;
    }
    ev.preventDefault();
    const row = Math.max(0, Math.min(g.rows - 1, (this.hover?.row ?? g.rows - 1) + m[0]));
    const col = Math.max(0, Math.min(g.cols - 1, Math.max(0, this.hover?.col ?? g.cols - 1) + m[1]));
    // Keep the cell in view.
    const s = this.scroller;
    if (s) {
      const x0 = col * g.cellW;
      if (x0 < s.scrollLeft) s.scrollLeft = x0;
      else if (x0 + g.cellW > s.scrollLeft + g.viewW) s.scrollLeft = x0 + g.cellW - g.viewW;
      this.scrollX = s.scrollLeft;
    }
    this.hover = { row, col, x: g.left + (col + 0.5) * g.cellW - this.scrollX, y: g.top + (row + 0.5) * g.cellH };
  };

  private draw(): void {
    const canvas = this.canvas;
    if (!canvas || !this.lens) return;
    void this.theme.version;
    const g = this.layoutFor(this.maxWidth, this.zoom, canvas.getContext('2d'));
    const before = this.geometry;
    this.geometry = g;
    // The range line under the plot reads the geometry: render again when it changed.
    if (!before || before.cellW !== g.cellW || before.viewW !== g.viewW || before.cols !== g.cols) this.requestUpdate();
    if (this.track) {
      this.track.style.width = `${Math.ceil(Math.max(g.width, g.left + g.contentW + 4))}px`;
      this.track.style.height = `${g.height}px`;
    }
    canvas.style.width = `${g.width}px`;
    canvas.style.height = `${g.height}px`;
    const dpr = window.devicePixelRatio || 1;
    const t = readCanvasTheme(this);
    const key = [g.width, g.height, g.cellW, this.scrollX, this.colourBy, this.position, this.focusColumn, dpr, this.theme.version, toCss(t.background)].join(
      '|',
    );
    if (!this.base || this.base.key !== key || this.baseLens !== this.lens) {
      const off = this.base?.canvas ?? document.createElement('canvas');
      this.paint(off, g, this.scrollX, t, { dpr, marks: true, caption: '' });
      this.base = { canvas: off, key };
      this.baseLens = this.lens;
    }
    canvas.width = this.base.canvas.width;
    canvas.height = this.base.canvas.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.base.canvas, 0, 0);
    const h = this.hover;
    if (h && h.col >= 0) {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.beginPath();
      ctx.rect(g.left, 0, g.viewW, g.height);
      ctx.clip();
      ctx.strokeStyle = toCss(t.hover);
      ctx.lineWidth = 2;
      ctx.strokeRect(g.left - this.scrollX + h.col * g.cellW + 1, g.top + h.row * g.cellH + 1, g.cellW - 2, g.cellH - 2);
    }
  }
  private baseLens?: LogitLensRecord;

  private paint(canvas: HTMLCanvasElement, g: LensGeometry, scrollX: number, t: CanvasTheme, o: { dpr: number; marks: boolean; caption: string }): void {
    const l = this.lens;
    const ctx = canvas.getContext('2d');
    if (!l || !ctx) return;
    canvas.width = Math.round(g.width * o.dpr);
    canvas.height = Math.round(g.height * o.dpr);
    ctx.setTransform(o.dpr, 0, 0, o.dpr, 0, 0);
    ctx.fillStyle = toCss(t.background);
    ctx.fillRect(0, 0, g.width, g.height);
    const mono = `${FONT_PX}px ${t.monoFamily}`;

    // Title.
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillStyle = toCss(t.foreground);
    ctx.font = `600 ${FONT_PX + 1}px ${t.fontFamily}`;
    const title = `Logit lens · ${l.variant === 'recompute' ? 'ln_final recomputed' : 'cached final scale (TL before PR#1180)'}`;
    ctx.fillText(title, 0, TITLE_PX / 2);
    if (o.caption) {
      ctx.font = `${FONT_PX}px ${t.fontFamily}`;
      ctx.fillStyle = toCss(t.muted);
      ctx.fillText(o.caption, 0, TITLE_PX / 2 + 16);
    }

    const { first, last } = visibleColumns(g, scrollX);
    const x0 = g.left - scrollX;
    ctx.save();
    ctx.beginPath();
    ctx.rect(g.left, 0, g.viewW, g.height);
    ctx.clip();
    // Cells with their top token.
    ctx.font = mono;
    const charW = ctx.measureText('M').width;
    ctx.textAlign = 'center';
    // Fill and text colour per probability level (64 levels: finer than the eye tells apart on a √ scale).
    const LEVELS = 64;
    const fills: string[] = [];
    const inks: string[] = [];
    for (let i = 0; i <= LEVELS; i++) {
      const fill = probColour((i / LEVELS) ** 2, t.background, t.heat);
      fills.push(toCss(fill));
      inks.push(toCss(textOn(fill, t.foreground, t.background)));
    }
    const level = (v: number) => (Number.isFinite(v) ? Math.round(Math.sqrt(Math.max(0, Math.min(1, v))) * LEVELS) : 0);
    for (let b = 0; b < g.rows; b++) {
      for (let p = first; p < last; p++) {
        const v = this.colourBy === 'top' ? topProb(l, b, p) : answerProb(l, b, p);
        const lv = level(v);
        const x = x0 + p * g.cellW;
        const y = g.top + b * g.cellH;
        ctx.fillStyle = fills[lv];
        ctx.fillRect(x, y, g.cellW, g.cellH);
        const text =
          g.cellW < TEXT_MIN_CELL_W ? '' : cellText(tokenTextOf(l, l.top_ids_boundary_pos_k[boundaryPosIndex(l.n_tokens, b, p) * l.k]), g.cellW, charW);
        if (text) {
          ctx.fillStyle = inks[lv];
          ctx.fillText(text, x + g.cellW / 2, y + g.cellH / 2 + 0.5);
        }
      }
    }
    // Cell separators when the cells are wide enough to tell apart.
    if (g.cellW >= 12) {
      ctx.strokeStyle = toCss({ ...t.background, a: 0.6 });
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let p = first + 1; p < last; p++) {
        const x = Math.round(x0 + p * g.cellW) + 0.5;
        ctx.moveTo(x, g.top);
        ctx.lineTo(x, g.top + g.rows * g.cellH);
      }
      for (let b = 1; b < g.rows; b++) {
        ctx.moveTo(g.left, g.top + b * g.cellH + 0.5);
        ctx.lineTo(g.left + g.viewW, g.top + b * g.cellH + 0.5);
      }
      ctx.stroke();
    }
    // The DLA position's column, and the focused one.
    const column = (col: number, colour: typeof t.focus, width: number) => {
      if (col < first || col >= last) return;
      ctx.strokeStyle = toCss(colour);
      ctx.lineWidth = width;
      ctx.strokeRect(x0 + col * g.cellW + width / 2, g.top + width / 2, g.cellW - width, g.rows * g.cellH - width);
    };
    if (o.marks) {
      column(this.focusColumn, t.hover, 2);
      column(this.position, t.focus, 2);
    }
    // Column labels (tokens).
    ctx.fillStyle = toCss(t.muted);
    ctx.font = mono;
    const { labels } = this.labelsFor(ctx);
    ctx.font = mono;
    const widest = labels.reduce((m, s) => Math.max(m, s.length), 0) * charW;
    const rotated = widest > g.cellW - 4;
    for (let p = first - (first % g.colEvery); p < last; p += g.colEvery) {
      if (p < first) continue;
      const x = x0 + (p + 0.5) * g.cellW;
      const s = labels[p] ?? '';
      if (rotated) {
        ctx.save();
        ctx.translate(x + 3, g.top - 5);
        ctx.rotate(-Math.PI / 3);
        ctx.textAlign = 'left';
        ctx.fillText(s, 0, 0);
        ctx.restore();
      } else {
        ctx.textAlign = 'center';
        ctx.fillText(s, x, g.top - 9);
      }
    }
    ctx.restore();

    // Plot frame and row labels (fixed: they do not scroll).
    ctx.strokeStyle = toCss(t.border);
    ctx.lineWidth = t.highContrast ? 2 : 1;
    ctx.strokeRect(g.left - 0.5, g.top - 0.5, g.viewW + 1, g.rows * g.cellH + 1);
    ctx.font = mono;
    ctx.textAlign = 'right';
    ctx.fillStyle = toCss(t.muted);
    for (let b = 0; b < g.rows; b++) ctx.fillText(boundaryLabel(this.nLayers, b), g.left - 6, g.top + (b + 0.5) * g.cellH);
    ctx.fillStyle = toCss(t.foreground);
    ctx.fillText('layer', g.left - 6, g.top - 9);

    // Legend: 0 → 1 probability.
    const barW = Math.max(100, Math.min(200, g.viewW - 8));
    const bx = g.left;
    const by = g.legendTop;
    for (let i = 0; i < barW; i++) {
      ctx.fillStyle = toCss(probColour(i / (barW - 1), t.background, t.heat));
      ctx.fillRect(bx + i, by, 1, 10);
    }
    ctx.strokeStyle = toCss(t.border);
    ctx.lineWidth = 1;
    ctx.strokeRect(bx - 0.5, by - 0.5, barW + 1, 11);
    ctx.font = `${FONT_PX}px ${t.fontFamily}`;
    ctx.fillStyle = toCss(t.muted);
    ctx.textAlign = 'right';
    ctx.fillText('p 0', bx - 6, by + 5);
    ctx.textAlign = 'left';
    ctx.fillText('1', bx + barW + 6, by + 5);
    ctx.textBaseline = 'top';
    const what = this.colourBy === 'top' ? 'p(top token)' : `p(answer '${visibleText(l.answer.text)}')`;
    const legend = [`colour: ${what}, √ scale`, 'text: top next-token', 'out = after the last layer'];
    const full = legend.join(' · ');
    if (ctx.measureText(full).width <= g.width - bx) ctx.fillText(full, bx, by + 16);
    else {
      ctx.fillText(legend[0], bx, by + 16);
      ctx.fillText(legend.slice(1).join(' · '), bx, by + 30);
    }
    ctx.textBaseline = 'middle';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-logit-lens': CiLogitLens;
  }
}
