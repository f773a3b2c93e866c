import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { HeadPatternsParams } from '../../../src/features/substitution/shared/protocol.js';
import { mix, toCss, type Rgba } from '../../lib/color.js';
import { DevicePixelRatioController, startCanvas } from '../../lib/devicePixelRatio.js';
import { EXPORT_NEG, EXPORT_POS, EXPORT_THEME } from '../../lib/exportTheme.js';
import { ResizeWidthController } from '../../lib/resizeWidth.js';
import { ThemeController, cssColorToRgba, readCanvasTheme, type CanvasTheme } from '../../lib/theme.js';
import { ROTATION, divergingColor, snap } from '../ci-patch-heatmap/heatmapLayout.js';
import { axisLabels } from '../ci-head-zoom/zoomLayout.js';
import { CAPTION_PX, FONT_PX, headDetailCellAt, headDetailGeometry, plotOrigin, type HeadDetailGeometry } from './headDetailLayout.js';
import { styles } from './ci-patch-head-detail.styles.js';
import { clip } from '../../lib/canvasFigure.js';

/** What one drawing uses: the theme's colour roles plus the two ends of the diverging scale. */
interface Palette extends CanvasTheme {
  readonly neg: Rgba;
  readonly pos: Rgba;
}

/** Width used before the element has been measured, CSS px. */
const FALLBACK_WIDTH = 900;
/** The exported figure's title band (title and caption lines), CSS px. */
const EXPORT_TITLE_PX = 40;

/**
 * One head's attention in the clean and the corrupt run, side by side, and their difference
 * (corrupt − clean, diverging around 0). Query labels on the left of each row of plots, key labels
 * above each plot (rotated when wider than a cell, thinned so none overlap; the `emphasis`
 * positions and the hovered cell's always shown). The plots fill the element's width (three a row,
 * fewer when the cells would get too small: `headDetailLayout.ts`) and redraw on resize and on a
 * change of the device pixel ratio.
 *
 * @tag ci-patch-head-detail
 * @csspart canvas - the three plots
 */
@customElement('ci-patch-head-detail')
export class CiPatchHeadDetail extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) patterns?: HeadPatternsParams;
  /** Token label per position. */
  @property({ attribute: false }) labels: readonly string[] = [];
  @property() error = '';
  @property({ type: Boolean }) loading = false;
  /** Positions always labelled, in the foreground colour (the substituted ones). */
  @property({ attribute: false }) emphasis: readonly number[] = [];
  /** A second title line drawn only in the exported PNG (model, substitution, metric), so it stands alone. */
  @property() caption = '';

  @state() private hover: { q: number; k: number; x: number; y: number } | null = null;
  /** The element's width, CSS px (from the ResizeObserver); 0 before it is measured. */
  @state() private available = 0;
  @query('canvas') private canvas?: HTMLCanvasElement;
  @query('.tooltip') private tooltip?: HTMLElement;
  private readonly theme = new ThemeController(this);
  private readonly dpr = new DevicePixelRatioController(this);
  private readonly resize = new ResizeWidthController(this, (w) => {
    if (w > 0) this.available = w;
  });
  private geo?: HeadDetailGeometry;
  /** The query and key positions whose labels the last drawing showed (for tests and the harness). */
  drawnLabels: { readonly query: readonly number[]; readonly key: readonly number[] } = { query: [], key: [] };

  /**
   * The figure as a PNG data URL for use outside VS Code: a white background, no hover outline, a
   * title (the head) and the caption above the plots.
   */
  toPng(): string | undefined {
    if (!this.patterns) return undefined;
    const canvas = document.createElement('canvas');
    this.paint(
      canvas,
      { ...EXPORT_THEME, neg: EXPORT_NEG, pos: EXPORT_POS, fontFamily: readCanvasTheme(this).fontFamily },
      { marks: false, dpr: 2, export: true },
    );
    return canvas.toDataURL('image/png');
  }

  protected override render() {
    if (this.error) return html`<div class="msg error" role="alert">Could not load the head's patterns: ${this.error}</div>`;
    if (this.loading || !this.patterns)
      return html`<div class="msg muted"><vscode-progress-ring></vscode-progress-ring> Running both prompts for this head…</div>`;
    const p = this.patterns;
    return html`<div class="wrap">
      <canvas
        part="canvas"
        role="img"
        aria-label=${`Head ${p.layer}.${p.head}: clean pattern, corrupt pattern and their difference, ${p.n_tokens} by ${p.n_tokens}`}
        @pointermove=${this.onMove}
        @pointerleave=${() => (this.hover = null)}
      ></canvas>
      <div class="tooltip" role="tooltip" ?hidden=${!this.hover}>${this.tooltipText()}</div>
    </div>`;
  }

  private tooltipText(): string | typeof nothing {
    const p = this.patterns;
    const h = this.hover;
    if (!p || !h) return nothing;
    const i = h.q * p.n_tokens + h.k;
    const a = p.clean_q_k[i];
    const b = p.corrupt_q_k[i];
    return `query ${h.q} ${clip(this.labels[h.q] ?? '', 24)}\nkey ${h.k} ${clip(this.labels[h.k] ?? '', 24)}\nclean ${a.toFixed(3)} · corrupt ${b.toFixed(3)} · Δ ${(b - a >= 0 ? '+' : '') + (b - a).toFixed(3)}`;
  }

  private onMove = (ev: PointerEvent) => {
    const g = this.geo;
    const c = this.canvas;
    if (!g || !c) return;
    const r = c.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const cell = headDetailCellAt(g, x, y);
    this.hover = cell && cell.k <= cell.q ? { q: cell.q, k: cell.k, x, y } : null;
  };

  protected override updated(_c: PropertyValues<this>): void {
    this.draw();
    const tip = this.tooltip;
    if (tip && this.hover && this.geo) {
      const x = Math.max(0, Math.min(this.hover.x + 14, this.geo.width - tip.offsetWidth - 2));
      const y = this.hover.y + 16 + tip.offsetHeight > this.geo.height ? this.hover.y - tip.offsetHeight - 8 : this.hover.y + 16;
      tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(Math.max(0, y))}px)`;
    }
  }

  private draw(): void {
    const canvas = this.canvas;
    if (!canvas) return;
    void this.theme.version;
    const cs = getComputedStyle(this);
    const palette: Palette = {
      ...readCanvasTheme(this),
      neg: cssColorToRgba(cs.getPropertyValue('--ci-patch-neg'), { r: 55, g: 148, b: 255, a: 1 }),
      pos: cssColorToRgba(cs.getPropertyValue('--ci-patch-pos'), { r: 241, g: 76, b: 76, a: 1 }),
    };
    const size = this.paint(canvas, palette, { marks: true, dpr: this.dpr.value, export: false });
    if (size) {
      canvas.style.width = `${size.width}px`;
      canvas.style.height = `${size.height}px`;
    }
  }

  /** Draws the three plots onto `canvas`; `marks` adds the hovered cell, `export` the title band. */
  private paint(canvas: HTMLCanvasElement, t: Palette, o: { marks: boolean; dpr: number; export: boolean }): { width: number; height: number } | undefined {
    const p = this.patterns;
    const ctx = canvas.getContext('2d');
    if (!p || !ctx) return undefined;
    const { neg, pos } = t;
    const n = p.n_tokens;
    ctx.font = `${FONT_PX}px ${t.monoFamily}`;
    const labels = this.labels.map((s) => clip(s, 14));
    const labelPx = labels.reduce((m, s) => Math.max(m, ctx.measureText(s).width), 0);
    const g = headDetailGeometry(n, this.available || FALLBACK_WIDTH, labelPx);
    if (o.marks) this.geo = g;
    const title = `Head ${p.layer}.${p.head}: attention in the clean and the corrupt run`;
    const band = o.export ? EXPORT_TITLE_PX : 0;
    ctx.font = `${FONT_PX}px ${t.fontFamily}`;
    const width = Math.ceil(Math.max(g.width, o.export ? ctx.measureText(this.caption).width + 8 : 0));
    const height = g.height + band;
    const dpr = o.dpr;
    startCanvas(canvas, ctx, width, height, dpr, toCss(t.background));
    if (o.export) {
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = toCss(t.foreground);
      ctx.font = `600 ${FONT_PX + 1}px ${t.fontFamily}`;
      ctx.fillText(title, 0, 10);
      ctx.fillStyle = toCss(t.muted);
      ctx.font = `${FONT_PX}px ${t.fontFamily}`;
      ctx.fillText(this.caption, 0, 26);
      // Everything below is laid out as on screen, one title band lower.
      ctx.setTransform(dpr, 0, 0, dpr, 0, band * dpr);
    }
    let maxDiff = 1e-9;
    for (let i = 0; i < n * n; i++) maxDiff = Math.max(maxDiff, Math.abs(p.corrupt_q_k[i] - p.clean_q_k[i]));
    const captions = ['Clean run', 'Corrupt run', `Corrupt − clean (±${maxDiff.toFixed(2)})`];
    const emphasis = new Set(this.emphasis);
    const h = o.marks ? this.hover : null;
    const keyLabels = axisLabels(0, n, g.keyEvery, [h?.k ?? null, ...this.emphasis]);
    const queryLabels = axisLabels(0, n, g.queryEvery, [h?.q ?? null, ...this.emphasis]);
    if (o.marks) this.drawnLabels = { query: queryLabels, key: keyLabels };
    const labelColor = (i: number, hovered: number | undefined) => toCss(emphasis.has(i) || i === hovered ? t.foreground : t.muted);
    // Cell edges on device pixels (offsets inside a plot), so neighbours meet without a blurred seam.
    const edge = Array.from({ length: n + 1 }, (_, i) => snap(i * g.cell, dpr));
    for (let panel = 0; panel < 3; panel++) {
      const o = plotOrigin(g, panel);
      const x0 = snap(o.x, dpr);
      const y0 = snap(o.y, dpr);
      ctx.fillStyle = toCss(t.foreground);
      ctx.font = `600 ${FONT_PX + 1}px ${t.fontFamily}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(captions[panel], x0, y0 - g.top + CAPTION_PX / 2);
      for (let q = 0; q < n; q++) {
        for (let k = 0; k < n; k++) {
          const i = q * n + k;
          const color =
            panel === 2
              ? divergingColor(p.corrupt_q_k[i] - p.clean_q_k[i], maxDiff, neg, t.background, pos, t.muted)
              : mix(t.background, t.heat, Math.max(0, Math.min(1, (panel === 0 ? p.clean_q_k : p.corrupt_q_k)[i])));
          ctx.fillStyle = toCss(color);
          ctx.fillRect(x0 + edge[k], y0 + edge[q], edge[k + 1] - edge[k], edge[q + 1] - edge[q]);
        }
      }
      ctx.strokeStyle = toCss(t.border);
      ctx.lineWidth = t.highContrast ? 2 : 1;
      ctx.strokeRect(x0 - 0.5, y0 - 0.5, g.plot + 1, g.plot + 1);
      if (h) {
        ctx.strokeStyle = toCss(t.hover);
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + edge[h.k], y0 + edge[h.q], edge[h.k + 1] - edge[h.k], edge[h.q + 1] - edge[h.q]);
      }
      // Key labels above the plot, its axis title under it.
      ctx.font = `${FONT_PX}px ${t.monoFamily}`;
      for (const k of keyLabels) {
        const x = x0 + (k + 0.5) * g.cell;
        ctx.fillStyle = labelColor(k, h?.k);
        if (g.rotated) {
          ctx.save();
          ctx.translate(x, y0 - 4);
          ctx.rotate(-ROTATION);
          ctx.textAlign = 'left';
          ctx.fillText(labels[k] ?? String(k), 0, 0);
          ctx.restore();
        } else {
          ctx.textAlign = 'center';
          ctx.fillText(labels[k] ?? String(k), x, y0 - 8);
        }
      }
      ctx.fillStyle = toCss(t.foreground);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText('key', x0 + g.plot / 2, y0 + g.plot + 4);
      ctx.textBaseline = 'middle';
      // Query labels left of the first plot of each row, under their axis title.
      if (panel % g.perRow === 0) {
        ctx.textAlign = 'right';
        ctx.fillStyle = toCss(t.foreground);
        ctx.fillText('query', g.left - 5, y0 - 8);
        for (const q of queryLabels) {
          ctx.fillStyle = labelColor(q, h?.q);
          ctx.fillText(labels[q] ?? String(q), g.left - 5, y0 + (q + 0.5) * g.cell);
        }
      }
    }
    return { width, height };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-patch-head-detail': CiPatchHeadDetail;
  }
}
