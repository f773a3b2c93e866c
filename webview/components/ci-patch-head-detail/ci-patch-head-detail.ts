import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { HeadPatternsParams } from '../../../src/features/substitution/shared/protocol.js';
import { mix, toCss } from '../../lib/color.js';
import { ThemeController, cssColorToRgba, readCanvasTheme } from '../../lib/theme.js';
import { divergingColor } from '../ci-patch-heatmap/heatmapLayout.js';
import { styles } from './ci-patch-head-detail.styles.js';

const FONT_PX = 11;
const GAP = 18;
const CAPTION_PX = 18;

export interface HeadDetailGeometry {
  readonly left: number;
  readonly top: number;
  readonly plot: number;
  readonly cell: number;
  readonly width: number;
  readonly height: number;
}

/** Three square plots side by side (clean, corrupt, difference) after a column of query labels. */
export function headDetailGeometry(n: number, maxWidth: number, labelPx: number): HeadDetailGeometry {
  const left = Math.ceil(Math.min(labelPx, 110)) + 8;
  const plot = Math.max(n * 2, Math.min(n * 14, Math.floor((maxWidth - left - 2 * GAP - 8) / 3), 300));
  const cell = plot / n;
  const top = CAPTION_PX + 4;
  return { left, top, plot, cell, width: left + 3 * plot + 2 * GAP + 8, height: top + plot + 8 };
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * One head's attention in the clean and the corrupt run, side by side, and their difference
 * (corrupt − clean, diverging around 0). Query rows share the token labels on the left.
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
  @property({ type: Number, attribute: 'max-width' }) maxWidth = 900;

  @state() private hover: { q: number; k: number; x: number; y: number } | null = null;
  @query('canvas') private canvas?: HTMLCanvasElement;
  @query('.tooltip') private tooltip?: HTMLElement;
  private readonly theme = new ThemeController(this);
  private geo?: HeadDetailGeometry;

  toPng(): string | undefined {
    return this.canvas?.toDataURL('image/png');
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
    const p = this.patterns;
    const c = this.canvas;
    if (!g || !p || !c) return;
    const r = c.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const panel = Math.floor((x - g.left) / (g.plot + GAP));
    const px = x - g.left - panel * (g.plot + GAP);
    const k = Math.floor(px / g.cell);
    const q = Math.floor((y - g.top) / g.cell);
    this.hover = panel >= 0 && panel < 3 && px >= 0 && px < g.plot && q >= 0 && q < p.n_tokens && k >= 0 && k < p.n_tokens ? { q, k, x, y } : null;
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
    const p = this.patterns;
    const canvas = this.canvas;
    const ctx = canvas?.getContext('2d');
    if (!p || !canvas || !ctx) return;
    void this.theme.version;
    const t = readCanvasTheme(this);
    const cs = getComputedStyle(this);
    const neg = cssColorToRgba(cs.getPropertyValue('--ci-patch-neg'), { r: 55, g: 148, b: 255, a: 1 });
    const pos = cssColorToRgba(cs.getPropertyValue('--ci-patch-pos'), { r: 241, g: 76, b: 76, a: 1 });
    const n = p.n_tokens;
    ctx.font = `${FONT_PX}px ${t.monoFamily}`;
    const labels = this.labels.map((s) => clip(s, 14));
    const labelPx = labels.reduce((m, s) => Math.max(m, ctx.measureText(s).width), 0);
    const g = headDetailGeometry(n, this.maxWidth, labelPx);
    this.geo = g;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(g.width * dpr);
    canvas.height = Math.round(g.height * dpr);
    canvas.style.width = `${g.width}px`;
    canvas.style.height = `${g.height}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = toCss(t.background);
    ctx.fillRect(0, 0, g.width, g.height);
    let maxDiff = 1e-9;
    for (let i = 0; i < n * n; i++) maxDiff = Math.max(maxDiff, Math.abs(p.corrupt_q_k[i] - p.clean_q_k[i]));
    const captions = ['Clean run', 'Corrupt run', `Corrupt − clean (±${maxDiff.toFixed(2)})`];
    for (let panel = 0; panel < 3; panel++) {
      const x0 = g.left + panel * (g.plot + GAP);
      ctx.fillStyle = toCss(t.foreground);
      ctx.font = `600 ${FONT_PX + 1}px ${t.fontFamily}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(captions[panel], x0, CAPTION_PX / 2);
      for (let q = 0; q < n; q++) {
        for (let k = 0; k < n; k++) {
          const i = q * n + k;
          const color =
            panel === 2
              ? divergingColor(p.corrupt_q_k[i] - p.clean_q_k[i], maxDiff, neg, t.background, pos, t.muted)
              : mix(t.background, t.heat, Math.max(0, Math.min(1, (panel === 0 ? p.clean_q_k : p.corrupt_q_k)[i])));
          ctx.fillStyle = toCss(color);
          ctx.fillRect(x0 + k * g.cell, g.top + q * g.cell, Math.ceil(g.cell), Math.ceil(g.cell));
        }
      }
      ctx.strokeStyle = toCss(t.border);
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 - 0.5, g.top - 0.5, g.plot + 1, g.plot + 1);
      if (this.hover) {
        ctx.strokeStyle = toCss(t.hover);
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + this.hover.k * g.cell, g.top + this.hover.q * g.cell, g.cell, g.cell);
      }
    }
    // Query labels (shared by the three plots).
    ctx.font = `${FONT_PX}px ${t.monoFamily}`;
    ctx.fillStyle = toCss(t.muted);
    ctx.textAlign = 'right';
    const every = Math.max(1, Math.ceil((FONT_PX + 1) / g.cell));
    for (let q = 0; q < n; q += every) ctx.fillText(labels[q] ?? String(q), g.left - 5, g.top + (q + 0.5) * g.cell);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-patch-head-detail': CiPatchHeadDetail;
  }
}
