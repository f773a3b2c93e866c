import { LitElement, html, type PropertyValues } from 'lit';
import { customElement, property, queryAll, state } from 'lit/decorators.js';
import type { ResidualNormsRecord } from '../../../src/shared/residualStream.js';
import { toCss, type Rgba } from '../../lib/color.js';
import { startCanvas } from '../../lib/devicePixelRatio.js';
import { EXPORT_THEME } from '../../lib/exportTheme.js';
import { ThemeController, cssColorToRgba, readCanvasTheme, type CanvasTheme } from '../../lib/theme.js';
import { fmtTick, growthSummary, logDomain, logTicks, median, medianByBoundary, positionSeries, quantile, row, type NormMode } from './normPlot.js';
import { styles } from './ci-norm-growth.styles.js';

const FONT_PX = 11;
const TITLE_PX = 22;
const PLOT_H = 220;
/** At most this many per-position lines are drawn (evenly spaced); a band covers every position. */
const MAX_LINES = 256;
const MARGIN = { left: 52, right: 14, bottom: 40 };

/** Which of the two plots. */
export type NormPlotKind = 'resid' | 'sublayers';

interface Palette extends CanvasTheme {
  readonly line: Rgba;
  readonly bos: Rgba;
  readonly attn: Rgba;
  readonly mlp: Rgba;
}

interface Series {
  readonly ys: readonly number[];
  readonly colour: Rgba;
  readonly width: number;
  readonly dash?: readonly number[];
  /** Text at the line's right end. */
  readonly endLabel?: string;
  /** Drawn over a background-coloured edge, so it stands out of a dense band of lines. */
  readonly halo?: boolean;
}

interface Band {
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  readonly colour: Rgba;
}

interface PlotSpec {
  readonly title: string;
  readonly xLabels: readonly string[];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly series: readonly Series[];
  readonly bands: readonly Band[];
  readonly legend: readonly { readonly label: string; readonly colour: Rgba; readonly width: number; readonly dash?: readonly number[] }[];
}

interface PlotGeometry {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
  readonly plotW: number;
  readonly plotH: number;
  readonly n: number;
}

/**
 * How the residual stream grows with depth: its norm at every boundary on a log scale, one thin
 * line per position, BOS dashed and labelled apart, the median over the other positions in bold,
 * and the fitted growth factor in the legend (raw or centred, a property). Beside it, each layer's
 * attn_out and mlp_out norms (median and 25–75% band over non-BOS positions).
 *
 * @tag ci-norm-growth
 * @cssprop --ci-norm-line - colour of the per-position lines (the median is drawn in the foreground colour)
 * @cssprop --ci-norm-bos - colour of the BOS line
 * @cssprop --ci-norm-attn - colour of attn_out
 * @cssprop --ci-norm-mlp - colour of mlp_out
 * @csspart resid - the residual-norm plot
 * @csspart sublayers - the attn_out / mlp_out plot
 */
@customElement('ci-norm-growth')
export class CiNormGrowth extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) norms?: ResidualNormsRecord;
  @property() mode: NormMode = 'raw';
  @property({ type: Number, attribute: 'max-width' }) maxWidth = 800;
  /** Second title line, in the exported PNG only. */
  @property() caption = '';

  @state() private hover: { kind: NormPlotKind; i: number; x: number; y: number } | null = null;
  @queryAll('canvas') private canvases!: NodeListOf<HTMLCanvasElement>;
  private readonly theme = new ThemeController(this);
  private geos = new Map<NormPlotKind, PlotGeometry>();
  private bases = new Map<NormPlotKind, { canvas: HTMLCanvasElement; key: string; norms?: ResidualNormsRecord; geo: PlotGeometry }>();

  /** Whether the two plots sit side by side at this width. */
  get sideBySide(): boolean {
    return this.maxWidth >= 860;
  }

  toPng(kind: NormPlotKind): string | undefined {
    if (!this.norms) return undefined;
    const canvas = document.createElement('canvas');
    const p: Palette = {
      ...EXPORT_THEME,
      fontFamily: readCanvasTheme(this).fontFamily,
      line: EXPORT_THEME.heat,
      bos: rgb(200, 90, 0),
      attn: rgb(33, 102, 172),
      mlp: rgb(130, 60, 160),
    };
    this.paint(canvas, kind, p, 2, Math.max(640, Math.min(1400, captionWidth(this.caption, p.fontFamily) + 12)), this.caption);
    return canvas.toDataURL('image/png');
  }

  protected override render() {
    const n = this.norms;
    const label = (k: NormPlotKind) =>
      k === 'resid'
        ? `Residual norm (${this.mode}) against layer, log scale, ${n ? n.n_tokens : 0} positions; ${n ? growthSummary(n, this.mode).legend : ''}`
        : 'attn_out and mlp_out norms against layer, log scale: median and 25–75% band over non-BOS positions';
    return html`<div class=${`plots${this.sideBySide ? ' side' : ''}`}>
        ${(['resid', 'sublayers'] as NormPlotKind[]).map(
          (k) =>
            html`<canvas
              part=${k}
              data-kind=${k}
              role="img"
              aria-label=${label(k)}
              @pointermove=${(e: PointerEvent) => this.onMove(k, e)}
              @pointerleave=${this.onLeave}
            ></canvas>`,
        )}
      </div>
      <div class="tooltip" role="tooltip" ?hidden=${!this.hover}>${this.hoverText()}</div>`;
  }

  protected override updated(_c: PropertyValues<this>): void {
    void this.theme.version;
    const t = readCanvasTheme(this);
    const cs = getComputedStyle(this);
    const c = (name: string, fb: Rgba) => cssColorToRgba(cs.getPropertyValue(name), fb);
    const p: Palette = {
      ...t,
      line: c('--ci-norm-line', t.heat),
      bos: c('--ci-norm-bos', rgb(209, 134, 22)),
      attn: c('--ci-norm-attn', rgb(55, 148, 255)),
      mlp: c('--ci-norm-mlp', rgb(177, 128, 215)),
    };
    const dpr = window.devicePixelRatio || 1;
    const w = this.sideBySide ? Math.floor((this.maxWidth - 16) * 0.58) : this.maxWidth;
    const w2 = this.sideBySide ? this.maxWidth - 16 - w : this.maxWidth;
    for (const canvas of this.canvases) {
      const kind = canvas.dataset.kind as NormPlotKind;
      const width = kind === 'resid' ? w : w2;
      // The plot is drawn once per (data, mode, width, theme); a hover only copies it and adds its guide.
      const key = [width, dpr, this.mode, this.theme.version, toCss(p.background), toCss(p.line)].join('|');
      let base = this.bases.get(kind);
      if (!base || base.key !== key || base.norms !== this.norms) {
        const off = base?.canvas ?? document.createElement('canvas');
        const g = this.paint(off, kind, p, dpr, width, '');
        if (!g) continue;
        base = { canvas: off, key, norms: this.norms, geo: g };
        this.bases.set(kind, base);
      }
      const g = base.geo;
      this.geos.set(kind, g);
      canvas.style.width = `${g.width}px`;
      canvas.style.height = `${g.height}px`;
      canvas.width = base.canvas.width;
      canvas.height = base.canvas.height;
      const ctx = canvas.getContext('2d');
      if (!ctx) continue;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(base.canvas, 0, 0);
      const h = this.hover;
      if (h && h.kind === kind) {
        const x = Math.round(g.left + (g.n === 1 ? g.plotW / 2 : (h.i / (g.n - 1)) * g.plotW)) + 0.5;
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.strokeStyle = toCss(p.hover);
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, g.top);
        ctx.lineTo(x, g.top + g.plotH);
        ctx.stroke();
      }
    }
    const tip = this.renderRoot.querySelector<HTMLElement>('.tooltip');
    const h = this.hover;
    if (tip && h) {
      const canvas = [...this.canvases].find((c) => c.dataset.kind === h.kind);
      const ox = canvas ? canvas.offsetLeft : 0;
      const oy = canvas ? canvas.offsetTop : 0;
      const x = Math.max(0, Math.min(ox + h.x + 14, this.clientWidth - tip.offsetWidth - 2));
      tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(oy + h.y + 16)}px)`;
    }
  }

  private hoverText(): string {
    const n = this.norms;
    const h = this.hover;
    if (!n || !h) return '';
    const from = n.hasBos ? 1 : 0;
    const q = (xs: number[]) => `median ${fmtTick(median(xs))} (25–75%: ${fmtTick(quantile(xs, 0.25))}–${fmtTick(quantile(xs, 0.75))})`;
    if (h.kind === 'resid') {
      const a = this.mode === 'raw' ? n.raw_boundary_pos : n.centred_boundary_pos;
      const xs = row(a, n.n_tokens, h.i);
      const hook = h.i < n.n_layers ? `blocks.${h.i}.hook_resid_pre` : `blocks.${n.n_layers - 1}.hook_resid_post`;
      const lines = [`${hook} (${this.mode})`, q(xs.slice(from))];
      if (n.hasBos) lines.push(`BOS ${fmtTick(xs[0])}`);
      if (h.i > 0) {
        const fit = this.mode === 'raw' ? n.rawGrowth : n.centredGrowth;
        lines.push(`growth from the layer before ×${fit.factor_layer[h.i - 1].toFixed(2)} (geometric mean, non-BOS)`);
      }
      return lines.join('\n');
    }
    return [
      `layer ${h.i}`,
      `attn_out ${q(row(n.attn_out_layer_pos, n.n_tokens, h.i).slice(from))}`,
      `mlp_out  ${q(row(n.mlp_out_layer_pos, n.n_tokens, h.i).slice(from))}`,
    ].join('\n');
  }

  private onMove(kind: NormPlotKind, ev: PointerEvent): void {
    const g = this.geos.get(kind);
    const c = ev.currentTarget;
    if (!g || !(c instanceof HTMLCanvasElement)) return;
    const r = c.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    if (x < g.left - 6 || x > g.left + g.plotW + 6 || y < g.top || y > g.top + g.plotH) {
      this.hover = null;
      return;
    }
    const i = Math.max(0, Math.min(g.n - 1, Math.round(((x - g.left) / g.plotW) * (g.n - 1))));
    if (this.hover?.kind !== kind || this.hover.i !== i) this.hover = { kind, i, x, y };
  }

  private onLeave = () => {
    this.hover = null;
  };

  private spec(kind: NormPlotKind, p: Palette): PlotSpec | undefined {
    const n = this.norms;
    if (!n) return undefined;
    const from = n.hasBos ? 1 : 0;
    if (kind === 'resid') {
      const many = n.n_tokens - from;
      const alpha = Math.max(0.08, Math.min(0.5, 3 / Math.sqrt(Math.max(1, many))));
      const series: Series[] = [];
      // Past MAX_LINES positions: evenly spaced ones are drawn, over a band that covers them all.
      const drawn = Math.min(many, MAX_LINES);
      for (let i = 0; i < drawn; i++) {
        const pos = from + (drawn === 1 ? 0 : Math.round((i * (many - 1)) / (drawn - 1)));
        series.push({ ys: positionSeries(n, this.mode, pos), colour: { ...p.line, a: alpha }, width: 1 });
      }
      const bands: Band[] = [];
      if (drawn < many) {
        const a = this.mode === 'raw' ? n.raw_boundary_pos : n.centred_boundary_pos;
        const lo: number[] = [];
        const hi: number[] = [];
        for (let b = 0; b < n.n_boundaries; b++) {
          const xs = row(a, n.n_tokens, b).slice(from);
          lo.push(Math.min(...xs));
          hi.push(Math.max(...xs));
        }
        bands.push({ lo, hi, colour: { ...p.line, a: 0.12 } });
      }
      if (n.hasBos) series.push({ ys: positionSeries(n, this.mode, 0), colour: p.bos, width: 1.5, dash: [5, 3], endLabel: 'BOS' });
      series.push({ ys: medianByBoundary(n, this.mode), colour: p.foreground, width: 2.5, endLabel: 'median', halo: true });
      const xLabels = Array.from({ length: n.n_boundaries }, (_, b) => (b < n.n_layers ? String(b) : 'out'));
      const legend = [
        ...(many === 0
          ? []
          : [
              {
                label: drawn < many ? `each position (${drawn} of ${many} drawn; band: all)` : `each position (${many})`,
                colour: { ...p.line, a: Math.max(alpha, 0.35) },
                width: 1,
              },
            ]),
        { label: `median · ${growthSummary(n, this.mode).legend}`, colour: p.foreground, width: 2.5 },
        ...(n.hasBos ? [{ label: 'BOS (position 0), not in the fit', colour: p.bos, width: 1.5, dash: [5, 3] }] : []),
      ];
      return {
        title: `Residual norm, ${this.mode === 'raw' ? 'raw' : 'centred (mean over d_model removed)'}`,
        xLabels,
        xTitle: 'layer (resid_pre; out = final resid_post)',
        yTitle: '‖resid‖',
        series,
        bands,
        legend,
      };
    }
    const stats = (a: Float32Array) => {
      const rows = Array.from({ length: n.n_layers }, (_, l) => row(a, n.n_tokens, l).slice(from));
      return { med: rows.map(median), lo: rows.map((r) => quantile(r, 0.25)), hi: rows.map((r) => quantile(r, 0.75)) };
    };
    const attn = stats(n.attn_out_layer_pos);
    const mlp = stats(n.mlp_out_layer_pos);
    return {
      title: 'Sublayer output norms',
      xLabels: Array.from({ length: n.n_layers }, (_, l) => String(l)),
      xTitle: 'layer',
      yTitle: '‖out‖',
      series: [
        { ys: attn.med, colour: p.attn, width: 2.5 },
        { ys: mlp.med, colour: p.mlp, width: 2.5, dash: [6, 2] },
      ],
      bands: [
        { lo: attn.lo, hi: attn.hi, colour: { ...p.attn, a: 0.18 } },
        { lo: mlp.lo, hi: mlp.hi, colour: { ...p.mlp, a: 0.18 } },
      ],
      legend: [
        { label: 'attn_out', colour: p.attn, width: 2.5 },
        { label: 'mlp_out', colour: p.mlp, width: 2.5, dash: [6, 2] },
        { label: 'median, band 25–75% (non-BOS)', colour: { ...p.muted, a: 0 }, width: 0 },
      ],
    };
  }

  private paint(canvas: HTMLCanvasElement, kind: NormPlotKind, p: Palette, dpr: number, width: number, caption: string): PlotGeometry | undefined {
    const s = this.spec(kind, p);
    const ctx = canvas.getContext('2d');
    if (!s || !ctx) return undefined;
    const titleBand = caption ? TITLE_PX + 16 : TITLE_PX;
    // Legend rows under the title: as many as the width needs.
    ctx.font = `${FONT_PX}px ${p.fontFamily}`;
    const legendRows = layoutLegend(
      ctx,
      s.legend.map((e) => e.label),
      width - 8,
    );
    const legendH = legendRows.length * 16 + 4;
    const top = titleBand + legendH + 8;
    // Room for the end labels (BOS, median) right of the plot.
    ctx.font = `600 ${FONT_PX}px ${p.fontFamily}`;
    const endPx = s.series.reduce((m, x) => (x.endLabel ? Math.max(m, ctx.measureText(x.endLabel).width + 8) : m), 0);
    const plotW = Math.max(120, width - MARGIN.left - MARGIN.right - endPx);
    const g: PlotGeometry = { width, height: top + PLOT_H + MARGIN.bottom, left: MARGIN.left, top, plotW, plotH: PLOT_H, n: s.xLabels.length };
    startCanvas(canvas, ctx, g.width, g.height, dpr, toCss(p.background));

    // Title, caption, legend.
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillStyle = toCss(p.foreground);
    ctx.font = `600 ${FONT_PX + 1}px ${p.fontFamily}`;
    ctx.fillText(s.title, 0, TITLE_PX / 2);
    ctx.font = `${FONT_PX}px ${p.fontFamily}`;
    if (caption) {
      ctx.fillStyle = toCss(p.muted);
      ctx.fillText(caption, 0, TITLE_PX / 2 + 16);
    }
    legendRows.forEach((items, r) => {
      for (const { index, x } of items) {
        const e = s.legend[index];
        const y = titleBand + r * 16 + 8;
        if (e.width > 0) {
          ctx.strokeStyle = toCss(e.colour);
          ctx.lineWidth = e.width;
          ctx.setLineDash(e.dash ? [...e.dash] : []);
          ctx.beginPath();
          ctx.moveTo(x, y);
          ctx.lineTo(x + 22, y);
          ctx.stroke();
          ctx.setLineDash([]);
        }
        ctx.fillStyle = toCss(e.width > 0 ? p.foreground : p.muted);
        ctx.fillText(e.label, x + (e.width > 0 ? 28 : 0), y);
      }
    });

    // Axes.
    const all = [...s.series.flatMap((x) => x.ys), ...s.bands.flatMap((b) => [...b.lo, ...b.hi])];
    const [lo, hi] = logDomain(all);
    const X = (i: number) => g.left + (g.n === 1 ? g.plotW / 2 : (i / (g.n - 1)) * g.plotW);
    const Y = (v: number) => g.top + g.plotH - ((Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * g.plotH;
    ctx.strokeStyle = toCss({ ...p.border, a: p.highContrast ? 0.55 : 0.45 });
    ctx.lineWidth = 1;
    ctx.fillStyle = toCss(p.muted);
    ctx.textAlign = 'right';
    for (const v of logTicks(lo, hi)) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(g.left, y);
      ctx.lineTo(g.left + g.plotW, y);
      ctx.stroke();
      ctx.fillText(fmtTick(v), g.left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const every = Math.max(1, Math.ceil((g.n * 22) / g.plotW));
    // Tick labels, kept inside the canvas.
    const tick = (i: number) => {
      const half = ctx.measureText(s.xLabels[i]).width / 2;
      ctx.fillText(s.xLabels[i], Math.min(X(i), g.width - half - 2), g.top + g.plotH + 5);
    };
    for (let i = 0; i < g.n; i += every) tick(i);
    if ((g.n - 1) % every) tick(g.n - 1);
    ctx.fillStyle = toCss(p.foreground);
    ctx.fillText(s.xTitle, g.left + g.plotW / 2, g.top + g.plotH + 22);
    ctx.save();
    ctx.translate(12, g.top + g.plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(`${s.yTitle} (log)`, 0, 0);
    ctx.restore();
    ctx.strokeStyle = toCss(p.border);
    ctx.lineWidth = p.highContrast ? 2 : 1;
    ctx.strokeRect(g.left - 0.5, g.top - 0.5, g.plotW + 1, g.plotH + 1);

    // Bands, lines, end labels.
    ctx.save();
    ctx.beginPath();
    ctx.rect(g.left, g.top, g.plotW, g.plotH);
    ctx.clip();
    for (const b of s.bands) {
      ctx.fillStyle = toCss(b.colour);
      ctx.beginPath();
      b.hi.forEach((v, i) => (i ? ctx.lineTo(X(i), Y(v)) : ctx.moveTo(X(i), Y(v))));
      for (let i = b.lo.length - 1; i >= 0; i--) ctx.lineTo(X(i), Y(b.lo[i]));
      ctx.closePath();
      ctx.fill();
    }
    ctx.lineJoin = 'round';
    for (const line of s.series) {
      ctx.setLineDash(line.dash ? [...line.dash] : []);
      ctx.beginPath();
      let started = false;
      line.ys.forEach((v, i) => {
        if (!(v > 0)) return;
        if (started) ctx.lineTo(X(i), Y(v));
        else ctx.moveTo(X(i), Y(v));
        started = true;
      });
      if (line.halo) {
        ctx.strokeStyle = toCss(p.background);
        ctx.lineWidth = line.width + 3;
        ctx.stroke();
      }
      ctx.strokeStyle = toCss(line.colour);
      ctx.lineWidth = line.width;
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.restore();
    if (!all.some((v) => v > 0 && Number.isFinite(v))) {
      ctx.fillStyle = toCss(p.muted);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('no positions besides BOS to draw', g.left + g.plotW / 2, g.top + g.plotH / 2);
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.font = `600 ${FONT_PX}px ${p.fontFamily}`;
    const used: number[] = [];
    for (const line of s.series) {
      if (!line.endLabel) continue;
      const last = line.ys[line.ys.length - 1];
      let y = Y(last);
      while (used.some((u) => Math.abs(u - y) < 12)) y += 12;
      used.push(y);
      ctx.fillStyle = toCss({ ...line.colour, a: 1 });
      ctx.fillText(line.endLabel, g.left + g.plotW + 4, Math.max(g.top + 6, Math.min(g.top + g.plotH - 6, y)));
    }
    return g;
  }
}

/** Legend entries flowed into rows that fit `width`: [{ index, x }] per row. */
function layoutLegend(ctx: CanvasRenderingContext2D, labels: readonly string[], width: number): { index: number; x: number }[][] {
  const rows: { index: number; x: number }[][] = [[]];
  let x = 0;
  labels.forEach((label, index) => {
    const w = 28 + ctx.measureText(label).width + 16;
    if (x > 0 && x + w > width) {
      rows.push([]);
      x = 0;
    }
    rows[rows.length - 1].push({ index, x });
    x += w;
  });
  return rows;
}

/** Width of an exported caption line, px. */
function captionWidth(caption: string, fontFamily: string): number {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx || !caption) return 0;
  ctx.font = `${FONT_PX}px ${fontFamily}`;
  return Math.ceil(ctx.measureText(caption).width);
}

function rgb(r: number, g: number, b: number): Rgba {
  return { r, g, b, a: 1 };
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-norm-growth': CiNormGrowth;
  }
}
