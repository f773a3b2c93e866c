import { LitElement, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { clip, drawFigureTitle, placeTooltip } from '../../lib/canvasFigure.js';
import { toCss, type Rgba } from '../../lib/color.js';
import { DevicePixelRatioController, startCanvas } from '../../lib/devicePixelRatio.js';
import { EXPORT_NEG, EXPORT_POS, EXPORT_THEME } from '../../lib/exportTheme.js';
import { ResizeWidthController } from '../../lib/resizeWidth.js';
import { ThemeController, cssColorToRgba, readCanvasTheme, type CanvasTheme } from '../../lib/theme.js';
import { distributionLayout, niceTicks, rowAt, sortedRows, valueDomain, xOf, type DistributionLayout } from './distributionLayout.js';
import { styles } from './ci-pair-distribution.styles.js';

export interface PairPickDetail {
  /** Index into `values` (a row of the table's perPair). */
  readonly row: number;
}
export type PairPickEvent = CustomEvent<PairPickDetail>;

declare global {
  interface HTMLElementEventMap {
    'ci-pair-pick': PairPickEvent;
  }
}

const FONT_PX = 11;
const TITLE_PX = 20;
/** Below the title: the reference lines' labels. */
const REF_LABEL_PX = 16;
const EXPORT_TITLE_PX = 36;
/** One line of the key (and the axis title above it), CSS px. */
const KEY_LINE_PX = 16;
const FALLBACK_WIDTH = 640;
/** Wider than this the dots spread too far to compare: the plot stops growing. */
const MAX_WIDTH = 1100;
const LABEL_CHARS = 28;

interface Palette extends CanvasTheme {
  readonly clean: Rgba;
  readonly corrupt: Rgba;
  readonly mean: Rgba;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  const s = a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
  return s.replace('-', '−');
}

/**
 * One cell's values over the pairs of a set: a row per pair (highest on top), its value as a dot on
 * a line from the pair's own corrupt to clean metric, the mean with a ±1 standard-error band, and the
 * set's mean clean and mean corrupt as reference lines. Hover a row for the pair, click (or Enter)
 * to pick it. Everything is drawn on the canvas, so `toPng()` is the complete figure.
 *
 * @tag ci-pair-distribution
 * @fires {PairPickEvent} ci-pair-pick - a pair was clicked
 * @csspart canvas - the plot canvas
 */
@customElement('ci-pair-distribution')
export class CiPairDistribution extends LitElement {
  static override styles = styles;

  /** The cell's value for each pair (patched metric). */
  @property({ attribute: false }) values: ArrayLike<number> = [];
  /** Each pair's own clean and corrupt metric (same order), drawn as the line its dot sits on; optional. */
  @property({ attribute: false }) clean?: ArrayLike<number>;
  @property({ attribute: false }) corrupt?: ArrayLike<number>;
  /** Short row labels (e.g. "line 12 · self→rect"). */
  @property({ attribute: false }) labels: readonly string[] = [];
  /** Hover text per row (several lines). */
  @property({ attribute: false }) describe: (row: number) => string = () => '';
  @property({ type: Number }) mean = NaN;
  @property({ type: Number }) standardError = 0;
  @property({ type: Number }) meanClean = NaN;
  @property({ type: Number }) meanCorrupt = NaN;
  @property() heading = '';
  @property() badge = '';
  /** Title of the value axis. */
  @property() axisTitle = 'logit difference of the patched run';
  /** A second title line drawn only in the exported PNG. */
  @property() caption = '';
  /** Picked row, or -1. */
  @property({ type: Number }) selected = -1;

  @state() private hover: { row: number; x: number; y: number } | null = null;
  @state() private available = 0;
  @query('canvas') private canvas?: HTMLCanvasElement;
  @query('.tooltip') private tooltip?: HTMLElement;

  private readonly theme = new ThemeController(this);
  private readonly dpr = new DevicePixelRatioController(this);
  private readonly resize = new ResizeWidthController(this, (w) => {
    if (w > 0) this.available = w;
  });
  layout?: DistributionLayout;
  /** Drawing order: order[k] is the row drawn k-th from the top. */
  order: number[] = [];

  /** The figure as a PNG data URL: white background, no hover or pick marks, with the caption line. */
  toPng(): string | undefined {
    if (!this.values.length) return undefined;
    const canvas = document.createElement('canvas');
    this.paint(
      canvas,
      { ...EXPORT_THEME, fontFamily: readCanvasTheme(this).fontFamily, clean: { r: 26, g: 127, b: 55, a: 1 }, corrupt: EXPORT_POS, mean: EXPORT_NEG },
      { marks: false, dpr: 2, caption: this.caption },
    );
    return canvas.toDataURL('image/png');
  }

  protected override render() {
    return html`<div class="wrap">
      <canvas
        part="canvas"
        role="img"
        tabindex="0"
        aria-label=${`${this.heading}: ${this.values.length} pairs, mean ${fmt(this.mean)} ± ${fmt(this.standardError)}. Arrow keys move between pairs, Enter opens one.`}
        @pointermove=${this.onMove}
        @pointerleave=${this.onLeave}
        @click=${this.onClick}
        @keydown=${this.onKey}
        @blur=${this.onLeave}
      ></canvas>
      <div class="tooltip" role="tooltip" ?hidden=${!this.hover}>${this.hover ? this.describe(this.hover.row) : ''}</div>
    </div>`;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('values')) this.order = sortedRows(this.values);
  }

  protected override updated(_c: PropertyValues<this>): void {
    this.draw();
    const tip = this.tooltip;
    const l = this.layout;
    if (tip && this.hover && l) placeTooltip(tip, this.hover, l);
  }

  private at(ev: MouseEvent): { row: number; x: number; y: number } | null {
    const l = this.layout;
    const c = this.canvas;
    if (!l || !c) return null;
    const r = c.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const k = rowAt(l, x, y);
    return k === null ? null : { row: this.order[k], x, y };
  }

  private onMove = (ev: PointerEvent) => {
    const h = this.at(ev);
    if (h?.row !== this.hover?.row || (h && this.hover && (h.x !== this.hover.x || h.y !== this.hover.y))) this.hover = h;
  };

  private onLeave = () => {
    this.hover = null;
  };

  private pick(row: number): void {
    this.dispatchEvent(new CustomEvent<PairPickDetail>('ci-pair-pick', { detail: { row }, bubbles: true, composed: true }));
  }

  private onClick = (ev: MouseEvent) => {
    const h = this.at(ev);
    if (h) this.pick(h.row);
  };

  /** Keyboard: up/down move between pairs in drawing order, Enter/Space picks. */
  private onKey = (ev: KeyboardEvent) => {
    const l = this.layout;
    if (!l || !this.order.length) return;
    const start = this.hover?.row ?? (this.selected >= 0 ? this.selected : this.order[0]);
    let k = Math.max(0, this.order.indexOf(start));
    if (ev.key === 'ArrowDown') k = Math.min(this.order.length - 1, k + 1);
    else if (ev.key === 'ArrowUp') k = Math.max(0, k - 1);
    else if (ev.key === 'Enter' || ev.key === ' ') {
      this.pick(this.order[k]);
    } else return;
    ev.preventDefault();
    const v = this.values[this.order[k]];
    const d = this.domain();
    this.hover = { row: this.order[k], x: Number.isFinite(v) ? xOf(d, l.left, l.plotW, v) : l.left, y: l.top + (k + 0.5) * l.rowH };
  };

  /** The value axis: the pairs' values, their own clean and corrupt metrics, the means. */
  private domain(): [number, number] {
    const refs = [this.meanClean, this.meanCorrupt, this.mean, ...Array.from(this.clean ?? []), ...Array.from(this.corrupt ?? [])];
    return valueDomain(this.values, refs);
  }

  private draw(): void {
    const canvas = this.canvas;
    if (!canvas) return;
    void this.theme.version;
    const t = readCanvasTheme(this);
    const cs = getComputedStyle(this);
    const get = (name: string, fb: Rgba) => cssColorToRgba(cs.getPropertyValue(name), fb);
    const palette: Palette = {
      ...t,
      clean: get('--ci-dist-clean', { r: 137, g: 209, b: 133, a: 1 }),
      corrupt: get('--ci-dist-corrupt', { r: 241, g: 76, b: 76, a: 1 }),
      mean: get('--ci-dist-mean', { r: 209, g: 134, b: 22, a: 1 }),
    };
    const l = this.paint(canvas, palette, { marks: true, dpr: this.dpr.value, caption: '' });
    if (l) {
      this.layout = l;
      canvas.style.width = `${l.width}px`;
      canvas.style.height = `${l.height}px`;
    }
  }

  private paint(canvas: HTMLCanvasElement, t: Palette, o: { marks: boolean; dpr: number; caption: string }): DistributionLayout | undefined {
    const ctx = canvas.getContext('2d');
    const n = this.values.length;
    if (!ctx || !n) return undefined;
    const order = this.order.length === n ? this.order : sortedRows(this.values);
    const mono = `${FONT_PX}px ${t.monoFamily}`;
    const sans = `${FONT_PX}px ${t.fontFamily}`;
    ctx.font = mono;
    const labels = this.labels.map((s) => clip(s, LABEL_CHARS));
    const labelPx = labels.reduce((m, s) => Math.max(m, ctx.measureText(s).width), 0);
    const titleBand = o.caption ? EXPORT_TITLE_PX : TITLE_PX;
    const keyTexts = ['the pair’s patched value', 'its own corrupt → clean', `mean ${fmt(this.mean)} ± ${fmt(this.standardError)} (SE)`];
    // The key wraps to the width: a line holds the items that fit after the row labels.
    ctx.font = sans;
    const widthGuess = Math.max(320, Math.min(MAX_WIDTH, this.available || FALLBACK_WIDTH));
    const keyRoom = Math.max(160, widthGuess - Math.min(labelPx, 220) - 12);
    let keyLines = 1;
    let used = 0;
    for (const t of keyTexts) {
      const w = 14 + ctx.measureText(t).width + 16;
      if (used > 0 && used + w > keyRoom) {
        keyLines++;
        used = 0;
      }
      used += w;
    }
    ctx.font = mono;
    const l = distributionLayout({
      rows: n,
      maxWidth: Math.min(MAX_WIDTH, this.available || FALLBACK_WIDTH),
      labelPx,
      fontPx: FONT_PX,
      headPx: titleBand + REF_LABEL_PX,
      keyPx: KEY_LINE_PX * (keyLines + 1),
    });
    startCanvas(canvas, ctx, l.width, l.height, o.dpr, toCss(t.background));
    const d = this.domain();
    const x = (v: number) => xOf(d, l.left, l.plotW, v);
    const yRow = (k: number) => l.top + (k + 0.5) * l.rowH;
    const bottom = l.top + n * l.rowH;

    // Title, badge, caption.
    drawFigureTitle(ctx, t, { heading: this.heading, badge: this.badge, caption: o.caption }, FONT_PX, TITLE_PX);

    // Plot frame and row stripes (every other row, faint) so a row reads across.
    ctx.strokeStyle = toCss(t.border);
    ctx.lineWidth = t.highContrast ? 2 : 1;
    ctx.strokeRect(l.left - 0.5, l.top - 0.5, l.plotW + 1, n * l.rowH + 1);

    // Mean ± SE band and mean line.
    if (Number.isFinite(this.mean)) {
      const se = Number.isFinite(this.standardError) ? this.standardError : 0;
      ctx.fillStyle = toCss({ ...t.mean, a: 0.22 });
      const x0 = x(this.mean - se);
      ctx.fillRect(x0, l.top, Math.max(1, x(this.mean + se) - x0), n * l.rowH);
      ctx.strokeStyle = toCss(t.mean);
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x(this.mean), l.top - 4);
      ctx.lineTo(x(this.mean), bottom + 4);
      ctx.stroke();
    }
    // Reference lines: the set's mean clean and mean corrupt, labelled above the rows.
    const refs: [number, Rgba, string][] = [
      [this.meanCorrupt, t.corrupt, `mean corrupt ${fmt(this.meanCorrupt)}`],
      [this.meanClean, t.clean, `mean clean ${fmt(this.meanClean)}`],
    ];
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = t.highContrast ? 2 : 1.5;
    for (const [v, c] of refs) {
      if (!Number.isFinite(v)) continue;
      ctx.strokeStyle = toCss(c);
      ctx.beginPath();
      ctx.moveTo(x(v), l.top - 4);
      ctx.lineTo(x(v), bottom + 4);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.font = sans;
    ctx.textBaseline = 'bottom';
    const finiteRefs = refs.filter(([v]) => Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
    finiteRefs.forEach(([v, c, label], i) => {
      ctx.fillStyle = toCss(c);
      // The left label ends at its line, the right one starts at its line, so two close ones never overlap.
      const w = ctx.measureText(label).width;
      const left = finiteRefs.length === 2 && i === 0 ? x(v) - 3 - w : finiteRefs.length === 2 ? x(v) + 3 : x(v) - w / 2;
      ctx.textAlign = 'left';
      ctx.fillText(label, Math.max(0, Math.min(l.width - w - 2, left)), l.top - 4);
    });

    // Rows: the pair's own corrupt→clean line, then its value.
    const dotR = Math.max(1.5, Math.min(4, l.rowH / 2 - 0.5));
    for (let k = 0; k < n; k++) {
      const r = order[k];
      const y = yRow(k);
      const pc = this.clean?.[r];
      const pk = this.corrupt?.[r];
      if (pc !== undefined && pk !== undefined && Number.isFinite(pc) && Number.isFinite(pk) && l.rowH >= 4) {
        ctx.strokeStyle = toCss({ ...t.muted, a: 0.45 });
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x(pk), y);
        ctx.lineTo(x(pc), y);
        ctx.stroke();
        ctx.fillStyle = toCss(t.corrupt);
        ctx.fillRect(x(pk) - 0.75, y - dotR, 1.5, dotR * 2);
        ctx.fillStyle = toCss(t.clean);
        ctx.fillRect(x(pc) - 0.75, y - dotR, 1.5, dotR * 2);
      }
      const v = this.values[r];
      if (!Number.isFinite(v)) continue;
      ctx.fillStyle = toCss(t.foreground);
      ctx.beginPath();
      ctx.arc(x(v), y, dotR, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (o.marks) {
      const ring = (row: number, c: Rgba) => {
        const k = order.indexOf(row);
        if (k < 0) return;
        ctx.strokeStyle = toCss(c);
        ctx.lineWidth = 2;
        ctx.strokeRect(l.left + 1, l.top + k * l.rowH, l.plotW - 2, l.rowH);
      };
      if (this.selected >= 0) ring(this.selected, t.focus);
      if (this.hover) ring(this.hover.row, t.hover);
    }

    // Row labels (thinned so they never overlap; the picked row's always drawn).
    ctx.font = mono;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (let k = 0; k < n; k++) {
      const r = order[k];
      const picked = o.marks && r === this.selected;
      if (k % l.labelEvery !== 0 && !picked) continue;
      ctx.fillStyle = toCss(picked ? t.foreground : t.muted);
      ctx.fillText(labels[r] ?? `pair ${r + 1}`, l.left - 6, yRow(k));
    }

    // Value axis.
    ctx.fillStyle = toCss(t.muted);
    ctx.strokeStyle = toCss(t.border);
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of niceTicks(d[0], d[1], Math.max(3, Math.floor(l.plotW / 80)))) {
      const xv = Math.round(x(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(xv, bottom);
      ctx.lineTo(xv, bottom + 4);
      ctx.stroke();
      ctx.fillText(fmt(v), xv, l.axisTop + 2);
    }
    ctx.fillStyle = toCss(t.foreground);
    ctx.textAlign = 'left';
    ctx.font = sans;
    ctx.fillText(l.width - l.left > 420 ? `${this.axisTitle} · one row per pair, highest on top` : this.axisTitle, l.left, l.keyTop);
    // Key, wrapped as measured above.
    let kx = l.left;
    let ky = l.keyTop + KEY_LINE_PX;
    const keyItem = (draw: () => void, text: string) => {
      const w = 14 + ctx.measureText(text).width + 16;
      if (kx > l.left && kx + w > l.left + keyRoom) {
        kx = l.left;
        ky += KEY_LINE_PX;
      }
      draw();
      ctx.fillStyle = toCss(t.muted);
      ctx.fillText(text, kx + 14, ky);
      kx += w;
    };
    keyItem(() => {
      ctx.fillStyle = toCss(t.foreground);
      ctx.beginPath();
      ctx.arc(kx + 5, ky + 6, 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }, keyTexts[0]);
    keyItem(() => {
      ctx.fillStyle = toCss(t.corrupt);
      ctx.fillRect(kx, ky + 2, 1.5, 8);
      ctx.fillStyle = toCss(t.muted);
      ctx.fillRect(kx + 1.5, ky + 5.5, 8, 1);
      ctx.fillStyle = toCss(t.clean);
      ctx.fillRect(kx + 9.5, ky + 2, 1.5, 8);
    }, keyTexts[1]);
    keyItem(() => {
      ctx.fillStyle = toCss({ ...t.mean, a: 0.3 });
      ctx.fillRect(kx, ky, 10, 12);
      ctx.fillStyle = toCss(t.mean);
      ctx.fillRect(kx + 4, ky, 2, 12);
    }, keyTexts[2]);
    return l;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-pair-distribution': CiPairDistribution;
  }
}
