import '../ci-patch-heatmap/index.js';
import '../ci-source-strip/index.js';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { TableGrid } from '../../../src/features/substitution/shared/protocol.js';
import type { DirectLogitAttributionRecord } from '../../../src/shared/residualStream.js';
import { visibleText, type PromptToken } from '../../../src/shared/tokens.js';
import { toCss, type Rgba } from '../../lib/color.js';
import { startCanvas } from '../../lib/devicePixelRatio.js';
import { EXPORT_NEG, EXPORT_POS, EXPORT_THEME } from '../../lib/exportTheme.js';
import { ThemeController, cssColorToRgba, readCanvasTheme, type CanvasTheme } from '../../lib/theme.js';
import type { CiPatchHeatmap, PatchCellEvent } from '../ci-patch-heatmap/ci-patch-heatmap.js';
import { divergingColor } from '../ci-patch-heatmap/heatmapLayout.js';
import { describeSources, dlaBars, dlaNotes, directionLabel, fmtLogit, headIndex, headSources, headsSum, sumCheck, type DlaBar } from './dlaView.js';
import { styles } from './ci-dla.styles.js';

export interface DlaHeadDetail {
  readonly layer: number;
  readonly head: number;
}
export type DlaHeadEvent = CustomEvent<DlaHeadDetail>;

declare global {
  interface HTMLElementEventMap {
    'ci-dla-head': DlaHeadEvent;
  }
}

const FONT_PX = 11;
const TITLE_PX = 22;
const BAR_ROW = 15;
const AXIS_H = 34;

interface Palette extends CanvasTheme {
  readonly neg: Rgba;
  readonly pos: Rgba;
}

interface BarGeometry {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
  readonly plotW: number;
  readonly scale: number;
}

/**
 * Direct logit attribution at one position: every head as a layer × head heatmap (diverging,
 * centred on 0, the colours of the patching heatmaps), bars for the embeddings, each layer's
 * attention bias and MLP, and ln_final's bias constant; the total checked against the model's own
 * logit difference; caveats when the numbers call for them. Clicking a head selects it and paints
 * its per-source decomposition over the prompt's tokens.
 *
 * @tag ci-dla
 * @fires {DlaHeadEvent} ci-dla-head - a head was picked (click or Enter in the heatmap)
 * @cssprop --ci-patch-neg - colour of negative attributions
 * @cssprop --ci-patch-pos - colour of positive attributions
 * @csspart bars - the bar chart canvas
 */
@customElement('ci-dla')
export class CiDla extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) dla?: DirectLogitAttributionRecord;
  @property({ attribute: false }) tokens: readonly PromptToken[] = [];
  /** The selected head, or null. */
  @property({ attribute: false }) selected: DlaHeadDetail | null = null;
  @property({ type: Number, attribute: 'max-width' }) maxWidth = 800;
  /** Second title line, in the exported PNGs only. */
  @property() caption = '';

  @state() private hoverBar: { index: number; x: number; y: number } | null = null;
  @query('canvas.bars') private barCanvas?: HTMLCanvasElement;
  @query('ci-patch-heatmap') private heatmap?: CiPatchHeatmap;
  private readonly theme = new ThemeController(this);
  private barGeo?: BarGeometry;

  /** Whether the heatmap and the bars sit side by side. */
  get sideBySide(): boolean {
    return this.maxWidth >= 820;
  }

  toPng(which: 'heads' | 'bars'): string | undefined {
    if (!this.dla) return undefined;
    if (which === 'heads') return this.heatmap?.toPng();
    const canvas = document.createElement('canvas');
    const fontFamily = readCanvasTheme(this).fontFamily;
    const ctx = canvas.getContext('2d');
    let width = 460;
    if (ctx && this.caption) {
      ctx.font = `${FONT_PX}px ${fontFamily}`;
      width = Math.max(width, Math.min(1400, Math.ceil(ctx.measureText(this.caption).width) + 12));
    }
    this.paintBars(canvas, { ...EXPORT_THEME, fontFamily, neg: EXPORT_NEG, pos: EXPORT_POS }, 2, width, this.caption, false);
    return canvas.toDataURL('image/png');
  }

  protected override render() {
    const d = this.dla;
    if (!d) return nothing;
    const check = sumCheck(d);
    const notes = dlaNotes(d);
    const grid: TableGrid = {
      rows: d.n_layers,
      cols: d.n_heads,
      rowTitle: 'layer',
      colTitle: 'head',
      rowLabels: Array.from({ length: d.n_layers }, (_, l) => `L${l}`),
      colLabels: Array.from({ length: d.n_heads }, (_, h) => `H${h}`),
    };
    let scale = 0;
    for (const v of d.heads_layer_head) scale = Math.max(scale, Math.abs(v));
    const side = this.sideBySide;
    const heatW = side ? Math.min(560, Math.floor(this.maxWidth * 0.55)) : this.maxWidth;
    const at = this.tokens[d.position];
    const sel = this.selected;
    return html`
      <p class=${`check ${check.ok ? 'ok' : 'bad'}`} role=${check.ok ? 'status' : 'alert'}>
        <span class="mono">${directionLabel(d)}</span> at position ${d.position}${at ? html` <span class="mono">'${shown(at)}'</span>` : nothing}:
        <strong>${check.text}</strong>
      </p>
      ${
        notes.length
          ? html`<ul class="notes">
              ${notes.map((n) => html`<li>${n}</li>`)}
            </ul>`
          : nothing
      }
      <div class=${`pair${side ? ' side' : ''}`}>
        <ci-patch-heatmap
          .grid=${grid}
          .values=${Array.from(d.heads_layer_head)}
          .scale=${scale || 1}
          .centre=${0}
          .heading=${'Heads'}
          .badge=${`Σ ${fmtLogit(headsSum(d))}`}
          .legend=${`direct effect on the ${d.direction.wrong ? 'logit difference' : 'answer’s logit'} (through ln_final, cached scale)`}
          .caption=${this.caption}
          .describe=${(i: number) => this.describeHead(i)}
          .selected=${sel ? headIndex(d, sel.layer, sel.head) : -1}
          .maxWidth=${heatW}
          @ci-patch-cell=${this.onHead}
        ></ci-patch-heatmap>
        <div class="bars-wrap">
          <canvas class="bars" part="bars" role="img" aria-label=${this.barsLabel(d)} @pointermove=${this.onBarMove} @pointerleave=${this.onBarLeave}></canvas>
          <div class="tooltip" role="tooltip" ?hidden=${!this.hoverBar}>${this.barText()}</div>
        </div>
      </div>
      <section class="sources" aria-label="head sources">
        ${
          sel
            ? html`<p>${describeSources(d, this.tokens, sel.layer, sel.head)}</p>
                <ci-source-strip .tokens=${this.tokens} .values=${headSources(d, sel.layer, sel.head)} .position=${d.position}></ci-source-strip>`
            : html`<p class="muted">Click a head to see which earlier tokens it moved its contribution from (pattern × value through W_O, per key).</p>`
        }
      </section>
    `;
  }

  protected override updated(_c: PropertyValues<this>): void {
    const canvas = this.barCanvas;
    if (!canvas || !this.dla) return;
    void this.theme.version;
    const t = readCanvasTheme(this);
    const cs = getComputedStyle(this);
    const p: Palette = {
      ...t,
      neg: cssColorToRgba(cs.getPropertyValue('--ci-patch-neg'), { r: 55, g: 148, b: 255, a: 1 }),
      pos: cssColorToRgba(cs.getPropertyValue('--ci-patch-pos'), { r: 241, g: 76, b: 76, a: 1 }),
    };
    const side = this.sideBySide;
    const w = side ? Math.max(300, this.maxWidth - Math.min(560, Math.floor(this.maxWidth * 0.55)) - 20) : Math.min(this.maxWidth, 640);
    const g = this.paintBars(canvas, p, window.devicePixelRatio || 1, w, '', true);
    if (g) {
      this.barGeo = g;
      canvas.style.width = `${g.width}px`;
      canvas.style.height = `${g.height}px`;
    }
    const tip = this.renderRoot.querySelector<HTMLElement>('.bars-wrap .tooltip');
    if (tip && this.hoverBar && g) {
      const x = Math.max(0, Math.min(this.hoverBar.x + 14, g.width - tip.offsetWidth - 2));
      tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(this.hoverBar.y + 14)}px)`;
    }
  }

  private describeHead(i: number): string {
    const d = this.dla;
    if (!d) return '';
    const layer = Math.floor(i / d.n_heads);
    const head = i % d.n_heads;
    return `head ${layer}.${head}: ${fmtLogit(d.heads_layer_head[i])}\nclick for its sources`;
  }

  private barsLabel(d: DirectLogitAttributionRecord): string {
    return `Other components: ${dlaBars(d)
      .map((b) => `${b.label} ${fmtLogit(b.value)}`)
      .join(', ')}`;
  }

  private barText(): string {
    const d = this.dla;
    const h = this.hoverBar;
    if (!d || !h) return '';
    const b = dlaBars(d)[h.index];
    return b ? `${b.detail}\n${fmtLogit(b.value)}` : '';
  }

  private onHead = (e: PatchCellEvent) => {
    const d = this.dla;
    if (!d) return;
    const detail: DlaHeadDetail = { layer: Math.floor(e.detail.index / d.n_heads), head: e.detail.index % d.n_heads };
    this.dispatchEvent(new CustomEvent<DlaHeadDetail>('ci-dla-head', { detail, bubbles: true, composed: true }));
  };

  private onBarMove = (ev: PointerEvent) => {
    const g = this.barGeo;
    const c = this.barCanvas;
    const d = this.dla;
    if (!g || !c || !d) return;
    const r = c.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const i = Math.floor((y - g.top) / BAR_ROW);
    const n = dlaBars(d).length;
    const next = y >= g.top && i >= 0 && i < n ? { index: i, x, y } : null;
    if (next?.index !== this.hoverBar?.index) this.hoverBar = next;
  };

  private onBarLeave = () => {
    this.hoverBar = null;
  };

  private paintBars(canvas: HTMLCanvasElement, p: Palette, dpr: number, width: number, caption: string, marks: boolean): BarGeometry | undefined {
    const d = this.dla;
    const ctx = canvas.getContext('2d');
    if (!d || !ctx) return undefined;
    const bars = dlaBars(d);
    const titleBand = caption ? TITLE_PX + 16 : TITLE_PX;
    ctx.font = `${FONT_PX}px ${p.monoFamily}`;
    const labelPx = bars.reduce((m, b) => Math.max(m, ctx.measureText(b.label).width), 0);
    const left = Math.ceil(labelPx) + 10;
    const top = titleBand + 4;
    const plotW = Math.max(140, width - left - 22);
    const scale = niceMax(bars.reduce((m, b) => Math.max(m, Math.abs(b.value)), 0));
    const g: BarGeometry = { width, height: top + bars.length * BAR_ROW + AXIS_H, left, top, plotW, scale };
    startCanvas(canvas, ctx, g.width, g.height, dpr, toCss(p.background));
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillStyle = toCss(p.foreground);
    ctx.font = `600 ${FONT_PX + 1}px ${p.fontFamily}`;
    ctx.fillText('Embeddings, biases and MLPs', 0, TITLE_PX / 2);
    if (caption) {
      ctx.font = `${FONT_PX}px ${p.fontFamily}`;
      ctx.fillStyle = toCss(p.muted);
      ctx.fillText(caption, 0, TITLE_PX / 2 + 16);
    }
    const zeroX = left + plotW / 2;
    const X = (v: number) => zeroX + (v / scale) * (plotW / 2);
    // Grid: zero and ±scale/2, ±scale.
    ctx.strokeStyle = toCss({ ...p.border, a: p.highContrast ? 0.55 : 0.45 });
    ctx.lineWidth = 1;
    ctx.fillStyle = toCss(p.muted);
    ctx.font = `${FONT_PX}px ${p.fontFamily}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const bottom = top + bars.length * BAR_ROW;
    for (const f of [-1, -0.5, 0, 0.5, 1]) {
      const x = Math.round(X(f * scale)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.fillText(fmtLogit(f * scale).replace(/\.?0+$/, '') || '0', x, bottom + 3);
    }
    ctx.fillStyle = toCss(p.foreground);
    ctx.fillText(`direct effect on the ${d.direction.wrong ? 'logit difference' : 'answer’s logit'}`, zeroX, bottom + 17);
    // Bars.
    ctx.textBaseline = 'middle';
    bars.forEach((b: DlaBar, i) => {
      const y = top + i * BAR_ROW;
      if (b.layer !== null && b.label.endsWith('b_O') && b.layer > 0) {
        ctx.strokeStyle = toCss({ ...p.border, a: 0.35 });
        ctx.beginPath();
        ctx.moveTo(left, y + 0.5);
        ctx.lineTo(left + plotW, y + 0.5);
        ctx.stroke();
      }
      const x0 = X(Math.min(0, b.value));
      const x1 = X(Math.max(0, b.value));
      ctx.fillStyle = toCss(divergingColor(b.value, scale, p.neg, p.background, p.pos, p.muted));
      ctx.fillRect(x0, y + 2, Math.max(1, x1 - x0), BAR_ROW - 4);
      ctx.strokeStyle = toCss(b.value < 0 ? p.neg : p.pos);
      ctx.lineWidth = 1;
      ctx.strokeRect(x0 + 0.5, y + 2.5, Math.max(1, x1 - x0) - 1, BAR_ROW - 5);
      if (marks && this.hoverBar?.index === i) {
        ctx.strokeStyle = toCss(p.hover);
        ctx.lineWidth = 2;
        ctx.strokeRect(left + 1, y + 1, plotW - 2, BAR_ROW - 2);
      }
      // The value beside bars big enough to matter (outside the bar, or inside when it reaches the edge).
      if (Math.abs(b.value) >= 0.05 * scale) {
        ctx.font = `${FONT_PX - 1}px ${p.fontFamily}`;
        const text = fmtLogit(b.value);
        const w = ctx.measureText(text).width;
        const outside = b.value >= 0 ? x1 + 4 + w <= left + plotW : x0 - 4 - w >= left;
        ctx.fillStyle = toCss(p.muted);
        ctx.textAlign = b.value >= 0 === outside ? 'left' : 'right';
        const tx = b.value >= 0 ? (outside ? x1 + 4 : x1 - 4) : outside ? x0 - 4 : x0 + 4;
        if (!outside) ctx.fillStyle = toCss(p.foreground);
        ctx.fillText(text, tx, y + BAR_ROW / 2);
      }
      ctx.font = `${FONT_PX}px ${p.monoFamily}`;
      ctx.textAlign = 'right';
      ctx.fillStyle = toCss(b.layer === null ? p.foreground : p.muted);
      ctx.fillText(b.label, left - 6, y + BAR_ROW / 2);
    });
    ctx.strokeStyle = toCss(p.border);
    ctx.lineWidth = p.highContrast ? 2 : 1;
    ctx.strokeRect(left - 0.5, top - 0.5, plotW + 1, bottom - top + 1);
    return g;
  }
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above v (a round axis end). */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const k = Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * 10 ** k >= v) return m * 10 ** k;
  return 10 ** (k + 1);
}

function shown(t: PromptToken): string {
  return t.isBos ? 'BOS' : visibleText(t.text);
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-dla': CiDla;
  }
}
