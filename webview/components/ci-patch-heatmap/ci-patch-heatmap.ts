import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { TableGrid } from '../../../src/features/substitution/shared/protocol.js';
import { clip, drawFigureTitle, placeTooltip } from '../../lib/canvasFigure.js';
import { toCss, type Rgba } from '../../lib/color.js';
import { DevicePixelRatioController, startCanvas } from '../../lib/devicePixelRatio.js';
import { EXPORT_NEG, EXPORT_POS, EXPORT_THEME } from '../../lib/exportTheme.js';
import { ResizeWidthController } from '../../lib/resizeWidth.js';
import { ThemeController, cssColorToRgba, readCanvasTheme, type CanvasTheme } from '../../lib/theme.js';
import { axisLabels } from '../ci-head-zoom/zoomLayout.js';
import { ROTATION, cellAt, divergingColor, heatmapLayout, snap, wrapText, type HeatmapLayout } from './heatmapLayout.js';
import { styles } from './ci-patch-heatmap.styles.js';

export interface PatchCellDetail {
  /** Flat index into the table (row-major over its dims). */
  readonly index: number;
}
export type PatchCellEvent = CustomEvent<PatchCellDetail>;

declare global {
  interface HTMLElementEventMap {
    'ci-patch-cell': PatchCellEvent;
  }
}

const FONT_PX = 11;
const TITLE_PX = 20;
/** The exported figure's title band: title and caption lines. */
const EXPORT_TITLE_PX = 38;
const LABEL_CHARS = 16;
/** The legend caption's first line, below the legend bar's top, and its line height, CSS px. */
const LEGEND_TEXT_TOP = 28;
const LEGEND_LINE_PX = 14;
/** Width used before the element has been measured (not yet in the layout), CSS px. */
const FALLBACK_WIDTH = 520;

/** What one drawing uses: the theme's colour roles plus the two ends of the diverging scale. */
interface Palette extends CanvasTheme {
  readonly neg: Rgba;
  readonly pos: Rgba;
}

/**
 * One patching table as a canvas heatmap: labelled axes (layers down, heads or tokens across), a
 * diverging colour scale centred on 0 with its legend, a title, values on hover, click to pick a
 * cell. Everything is drawn on the canvas, so `toPng()` is the complete figure.
 *
 * The plot fills the element's width (cells sized from it, edges on device pixels) and redraws
 * when the element is resized or the device pixel ratio changes. Column labels rotate when wider
 * than a cell and are thinned so none overlap; the `emphasis` columns (the substituted positions)
 * are always labelled, in the foreground colour.
 *
 * @tag ci-patch-heatmap
 * @fires {PatchCellEvent} ci-patch-cell - a cell was clicked
 * @cssprop --ci-patch-neg - colour of the most negative value
 * @cssprop --ci-patch-pos - colour of the most positive value
 * @csspart canvas - the heatmap canvas
 */
@customElement('ci-patch-heatmap')
export class CiPatchHeatmap extends LitElement {
  static override styles = styles;

  /** Row/column labels and titles. */
  @property({ attribute: false }) grid?: TableGrid;
  /** One value per cell, row-major; null = undefined (shown hatched grey). */
  @property({ attribute: false }) values: readonly (number | null)[] = [];
  /** |value| that gets full colour (shared by both directions so they compare). */
  @property({ type: Number }) scale = 1;
  /** The neutral value (the unpatched run's): colours diverge around it. */
  @property({ type: Number }) centre = 0;
  @property() heading = '';
  /** Short tag after the heading, e.g. "exact" or "estimate". */
  @property() badge = '';
  /** Multi-line hover text of a cell. */
  @property({ attribute: false }) describe: (index: number) => string = () => '';
  /** Optional extra hover content of a cell under its text (a Lit template, e.g. a per-pair strip); none by default. */
  @property({ attribute: false }) detail?: (index: number) => unknown;
  /** Highlighted cell, or -1. */
  @property({ type: Number }) selected = -1;
  /** Columns always labelled and drawn in the foreground colour (e.g. the substituted positions). */
  @property({ attribute: false }) emphasis: readonly number[] = [];
  /** Legend caption, e.g. "normalised". */
  @property() legend = '';
  /** A second title line drawn only in the exported PNG (model, metric, prompts), so it stands alone. */
  @property() caption = '';

  @state() private hover: { index: number; x: number; y: number } | null = null;
  /** The element's width, CSS px (from the ResizeObserver); 0 before it is measured. */
  @state() private available = 0;
  @query('canvas') private canvas?: HTMLCanvasElement;
  @query('.tooltip') private tooltip?: HTMLElement;

  private readonly theme = new ThemeController(this);
  private readonly dpr = new DevicePixelRatioController(this);
  private readonly resize = new ResizeWidthController(this, (w) => {
    if (w > 0) this.available = w;
  });
  private layout?: HeatmapLayout;
  /** The columns whose labels the last on-screen drawing showed (for tests and the harness). */
  drawnColumns: readonly number[] = [];

  /**
   * The figure as a PNG data URL, drawn for use outside VS Code: a neutral (white) background,
   * no selection or hover outline, the title with its caption, axis titles and the legend.
   */
  toPng(): string | undefined {
    if (!this.grid) return undefined;
    const canvas = document.createElement('canvas');
    this.paint(
      canvas,
      { ...EXPORT_THEME, fontFamily: readCanvasTheme(this).fontFamily, neg: EXPORT_NEG, pos: EXPORT_POS },
      { marks: false, dpr: 2, caption: this.caption },
    );
    return canvas.toDataURL('image/png');
  }

  protected override render() {
    const g = this.grid;
    const label = g ? `${this.heading} ${this.badge}: ${g.rows} ${g.rowTitle} rows by ${g.cols} ${g.colTitle} columns` : this.heading;
    // The tooltip keeps white space (multi-line text): its content goes in with none around it.
    const tip = this.hover ? this.describe(this.hover.index) : '';
    const more = this.hover && this.detail ? html`<div class="detail">${this.detail(this.hover.index)}</div>` : nothing;
    return html`<div class="wrap">
      <canvas
        part="canvas"
        role="img"
        tabindex="0"
        aria-label=${`${label}. Arrow keys move between cells, Enter picks one.`}
        @pointermove=${this.onMove}
        @pointerleave=${this.onLeave}
        @click=${this.onClick}
        @keydown=${this.onKey}
        @blur=${this.onLeave}
      ></canvas>
      <div class="tooltip" role="tooltip" ?hidden=${!this.hover}>${tip}${more}</div>
    </div>`;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    this.draw();
    const tip = this.tooltip;
    if (tip && this.hover && this.layout) placeTooltip(tip, this.hover, this.layout);
  }

  private cellIndex(ev: PointerEvent | MouseEvent): { index: number; x: number; y: number } | null {
    const l = this.layout;
    const c = this.canvas;
    if (!l || !c) return null;
    const r = c.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const cell = cellAt(l, x, y);
    return cell ? { index: cell.row * l.cols + cell.col, x, y } : null;
  }

  private onMove = (ev: PointerEvent) => {
    const h = this.cellIndex(ev);
    if (h?.index !== this.hover?.index || (h && this.hover && (h.x !== this.hover.x || h.y !== this.hover.y))) this.hover = h;
  };

  private onLeave = () => {
    this.hover = null;
  };

  /** Keyboard: arrows move the hovered cell (starting at the selected one), Enter/Space picks it. */
  private onKey = (ev: KeyboardEvent) => {
    const l = this.layout;
    if (!l) return;
    const n = l.rows * l.cols;
    let i = this.hover?.index ?? (this.selected >= 0 ? this.selected : 0);
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -l.cols, ArrowDown: l.cols };
    if (ev.key in moves) {
      const next = i + moves[ev.key];
      const sameRow = ev.key === 'ArrowLeft' || ev.key === 'ArrowRight' ? Math.floor(next / l.cols) === Math.floor(i / l.cols) : true;
      if (next >= 0 && next < n && sameRow) i = next;
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      this.dispatchEvent(new CustomEvent<PatchCellDetail>('ci-patch-cell', { detail: { index: i }, bubbles: true, composed: true }));
    } else return;
    ev.preventDefault();
    const r = Math.floor(i / l.cols);
    const c = i % l.cols;
    this.hover = { index: i, x: l.left + (c + 0.5) * l.cellW, y: l.top + (r + 0.5) * l.cellH };
  };

  private onClick = (ev: MouseEvent) => {
    const h = this.cellIndex(ev);
    if (!h) return;
    this.dispatchEvent(new CustomEvent<PatchCellDetail>('ci-patch-cell', { detail: { index: h.index }, bubbles: true, composed: true }));
  };

  private draw(): void {
    const canvas = this.canvas;
    if (!canvas) return;
    void this.theme.version;
    const t = readCanvasTheme(this);
    const cs = getComputedStyle(this);
    const palette: Palette = {
      ...t,
      neg: cssColorToRgba(cs.getPropertyValue('--ci-patch-neg'), { r: 55, g: 148, b: 255, a: 1 }),
      pos: cssColorToRgba(cs.getPropertyValue('--ci-patch-pos'), { r: 241, g: 76, b: 76, a: 1 }),
    };
    const l = this.paint(canvas, palette, { marks: true, dpr: this.dpr.value, caption: '' });
    if (l) {
      this.layout = l;
      canvas.style.width = `${l.width}px`;
      canvas.style.height = `${l.height}px`;
    }
  }

  /** Draws the figure onto `canvas`; `marks` adds the selected and hovered cells' outlines. */
  private paint(canvas: HTMLCanvasElement, t: Palette, o: { marks: boolean; dpr: number; caption: string }): HeatmapLayout | undefined {
    const g = this.grid;
    const ctx = canvas.getContext('2d');
    if (!g || !ctx) return undefined;
    const { neg, pos } = t;
    const titleBand = o.caption ? EXPORT_TITLE_PX : TITLE_PX;
    const missing: Rgba = { ...t.muted, a: 1 };
    const font = `${FONT_PX}px ${t.monoFamily}`;
    ctx.font = font;
    const rowLabels = g.rowLabels.map((s) => clip(s, LABEL_CHARS));
    const colLabels = g.colLabels.map((s) => clip(s, LABEL_CHARS));
    const widest = (xs: readonly string[]) => xs.reduce((m, s) => Math.max(m, ctx.measureText(s).width), 0);
    const l0 = heatmapLayout({
      rows: g.rows,
      cols: g.cols,
      rowLabelPx: Math.max(widest(rowLabels), ctx.measureText(g.rowTitle).width),
      colLabelPx: widest(colLabels),
      maxWidth: this.available || FALLBACK_WIDTH,
      fontPx: FONT_PX,
      titlePx: titleBand,
    });
    ctx.font = `600 ${FONT_PX + 1}px ${t.fontFamily}`;
    const titlePx = ctx.measureText(this.heading).width + 120;
    ctx.font = `${FONT_PX}px ${t.fontFamily}`;
    const captionPx = o.caption ? ctx.measureText(o.caption).width + 8 : 0;
    ctx.font = font;
    const width = Math.ceil(Math.max(l0.width, titlePx, captionPx));
    // The legend's caption wraps to the width, so a narrow panel shows all of it.
    const legendLines = wrapText(this.legend, Math.max(120, width - l0.left - 8), (s) => ctx.measureText(s).width);
    const l = { ...l0, width, height: l0.legendTop + LEGEND_TEXT_TOP + legendLines.length * LEGEND_LINE_PX + 4 };
    const dpr = o.dpr;
    startCanvas(canvas, ctx, l.width, l.height, dpr, toCss(t.background));

    // Title.
    drawFigureTitle(ctx, t, { heading: this.heading, badge: this.badge, caption: o.caption }, FONT_PX, TITLE_PX);

    // Cells, their edges on device pixels so neighbours meet without a blurred seam.
    const xs = Array.from({ length: l.cols + 1 }, (_, c) => snap(l.left + c * l.cellW, dpr));
    const ys = Array.from({ length: l.rows + 1 }, (_, r) => snap(l.top + r * l.cellH, dpr));
    for (let r = 0; r < l.rows; r++) {
      for (let c = 0; c < l.cols; c++) {
        const v = this.values[r * l.cols + c] ?? null;
        ctx.fillStyle = toCss(divergingColor(v === null ? null : v - this.centre, this.scale, neg, t.background, pos, missing));
        ctx.fillRect(xs[c], ys[r], xs[c + 1] - xs[c], ys[r + 1] - ys[r]);
      }
    }
    ctx.strokeStyle = toCss(t.border);
    ctx.lineWidth = t.highContrast ? 2 : 1;
    ctx.strokeRect(l.left - 0.5, l.top - 0.5, l.cols * l.cellW + 1, l.rows * l.cellH + 1);
    // Layer boundaries for layer.head rows.
    if (g.rowTitle === 'layer.head' && l.rows > 1) {
      const perLayer = l.rows / new Set(g.rowLabels.map((s) => s.split('.')[0])).size;
      ctx.beginPath();
      for (let r = perLayer; r < l.rows; r += perLayer) {
        ctx.moveTo(l.left, l.top + r * l.cellH + 0.5);
        ctx.lineTo(l.left + l.cols * l.cellW, l.top + r * l.cellH + 0.5);
      }
      ctx.stroke();
    }
    const mark = (index: number, color: Rgba) => {
      if (index < 0 || index >= l.rows * l.cols) return;
      const r = Math.floor(index / l.cols);
      const c = index % l.cols;
      ctx.strokeStyle = toCss(color);
      ctx.lineWidth = 2;
      ctx.strokeRect(l.left + c * l.cellW + 1, l.top + r * l.cellH + 1, l.cellW - 2, l.cellH - 2);
    };
    if (o.marks) {
      mark(this.selected, t.focus);
      if (this.hover) mark(this.hover.index, t.hover);
    }

    // Axis labels.
    ctx.font = font;
    ctx.fillStyle = toCss(t.muted);
    ctx.textAlign = 'right';
    for (let r = 0; r < l.rows; r += l.rowEvery) ctx.fillText(rowLabels[r], l.left - 5, l.top + (r + 0.5) * l.cellH);
    const emphasis = new Set(this.emphasis);
    const shown = axisLabels(0, l.cols, l.colEvery, this.emphasis);
    if (o.marks) this.drawnColumns = shown;
    for (const c of shown) {
      const x = l.left + (c + 0.5) * l.cellW;
      ctx.fillStyle = toCss(emphasis.has(c) ? t.foreground : t.muted);
      if (l.rotated) {
        ctx.save();
        ctx.translate(x, l.top - 4);
        ctx.rotate(-ROTATION);
        ctx.textAlign = 'left';
        ctx.fillText(colLabels[c], 0, 0);
        ctx.restore();
      } else {
        ctx.textAlign = 'center';
        ctx.fillText(colLabels[c], x, l.top - 8);
      }
    }
    // Axis titles: rows in the corner, columns after the plot's top-right.
    ctx.textAlign = 'right';
    ctx.fillStyle = toCss(t.foreground);
    ctx.fillText(g.rowTitle, l.left - 5, l.top - 8);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(g.colTitle, l.left + (l.cols * l.cellW) / 2, l.colTitleTop);
    ctx.textBaseline = 'middle';

    // Legend: a gradient bar from −scale to +scale.
    const barW = Math.max(120, Math.min(220, l.width - l.left - 8));
    const bx = l.left;
    const by = l.legendTop;
    for (let i = 0; i < barW; i++) {
      const v = ((i / (barW - 1)) * 2 - 1) * this.scale;
      ctx.fillStyle = toCss(divergingColor(v, this.scale, neg, t.background, pos, missing));
      ctx.fillRect(bx + i, by, 1, 10);
    }
    ctx.strokeStyle = toCss(t.border);
    ctx.lineWidth = 1;
    ctx.strokeRect(bx - 0.5, by - 0.5, barW + 1, 11);
    ctx.fillStyle = toCss(t.muted);
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(fmt(this.centre - this.scale), bx, by + 13);
    ctx.textAlign = 'center';
    ctx.fillText(fmt(this.centre), bx + barW / 2, by + 13);
    ctx.textAlign = 'right';
    ctx.fillText(fmt(this.centre + this.scale), bx + barW, by + 13);
    ctx.textAlign = 'left';
    legendLines.forEach((line, i) => ctx.fillText(line, bx, by + LEGEND_TEXT_TOP + i * LEGEND_LINE_PX));
    return l;
  }
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a < 1e-12) return '0';
  const s = a >= 1000 || a < 0.01 ? v.toExponential(1) : Number(v.toPrecision(3)).toString();
  return s.replace('-', '−');
}
