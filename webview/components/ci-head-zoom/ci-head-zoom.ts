import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { maxPoolPattern } from '../../../src/shared/thumbnail.js';
import type { HeadRef, HeadSummary } from '../../../src/shared/inspection.js';
import { heatIndex, heatLut, toCss, type Rgba } from '../../lib/color.js';
import { focusContext, inspectionContext, patternsContext, type InspectionView } from '../../lib/context.js';
import { dispatchFocus } from '../../lib/events.js';
import { activeHead, activeToken, initialFocus, sameHead, type FocusState } from '../../lib/focus.js';
import { isPreview } from '../../lib/hoverLock.js';
import type { PatternView } from '../../lib/patternStore.js';
import { ThemeController, readCanvasTheme } from '../../lib/theme.js';
import { shortLabel } from '../../lib/tokenText.js';
import { cellAt, labelledTokens, zoomLayout, type ZoomLayout } from './zoomLayout.js';
import { styles } from './ci-head-zoom.styles.js';

const LABEL_CHARS = 14;
const LABEL_FONT_PX = 11;

/**
 * The focused head's full query × key pattern on a canvas, with token labels on both axes and a
 * value tooltip. The pattern arrives from the host on demand (the root requests it and caches it
 * in the patterns context). Clicking a cell locks its query (direction "from") or key ("to").
 *
 * @tag ci-head-zoom
 * @fires {FocusEvent} ci-focus - token lock actions
 * @cssprop --ci-heat-color - colour of attention weight 1
 * @csspart canvas - the heatmap canvas
 */
@customElement('ci-head-zoom')
export class CiHeadZoom extends LitElement {
  static override styles = styles;

  /** Largest side of the plot area in CSS px. */
  @property({ type: Number, attribute: 'plot-size' }) plotSize = 420;

  @consume({ context: inspectionContext, subscribe: true })
  @state()
  inspection?: InspectionView;

  @consume({ context: focusContext, subscribe: true })
  @state()
  focusState: FocusState = initialFocus();

  @consume({ context: patternsContext, subscribe: true })
  @state()
  patterns?: PatternView;

  @state() private hover: { q: number; k: number; x: number; y: number } | null = null;

  @query('canvas') private canvas?: HTMLCanvasElement;
  @query('.tooltip') private tooltip?: HTMLElement;

  private readonly theme = new ThemeController(this);
  private layout?: ZoomLayout;
  private labelWidth?: { tokens: readonly unknown[]; font: string; width: number };
  private image?: { pattern: Float32Array; themeVersion: number; size: number; canvas: HTMLCanvasElement };

  private get head(): HeadRef | null {
    return activeHead(this.focusState);
  }

  private get pattern(): Float32Array | undefined {
    const h = this.head;
    return h ? this.patterns?.get(h) : undefined;
  }

  protected override render() {
    const p = this.inspection?.params;
    if (!p) return nothing;
    const head = this.head;
    if (!head) {
      return html`<div class="placeholder muted">Hover or click a head in the grid to see its full pattern here.</div>`;
    }
    const summary = p.headSummaries[head.layer * p.n_heads + head.head];
    const preview = isPreview(this.focusState.head, sameHead);
    const pattern = this.pattern;
    const error = this.patterns?.errorOf(head);
    return html`
      <div class="title">
        <strong>L${head.layer} H${head.head}</strong>
        <span class="tag">${preview ? 'preview' : 'locked'}</span>
        ${summary ? this.renderScores(summary) : nothing}
      </div>
      ${
        pattern
          ? html`<div class="wrap">
              <canvas
                part="canvas"
                role="img"
                aria-label=${`Attention pattern of layer ${head.layer} head ${head.head}: ${p.tokens.length} query rows by ${p.tokens.length} key columns.`}
                @pointermove=${this.onPointerMove}
                @pointerleave=${this.onPointerLeave}
                @click=${this.onClick}
              ></canvas>
              <div class="tooltip" role="tooltip" ?hidden=${!this.hover}>${this.tooltipText()}</div>
            </div>`
          : error
            ? html`<div class="placeholder error">Could not load the pattern: ${error}</div>`
            : html`<div class="placeholder muted"><vscode-progress-ring></vscode-progress-ring> Loading the full pattern…</div>`
      }
    `;
  }

  private renderScores(s: HeadSummary) {
    const ind = s.induction === null ? '—' : s.induction.toFixed(2);
    return html`<span class="scores muted"
      >prev-token ${s.prevToken.toFixed(2)} · induction ${ind} · BOS ${s.bos.toFixed(2)} · entropy ${s.entropy.toFixed(2)} nats</span
    >`;
  }

  private tooltipText(): string {
    const p = this.inspection?.params;
    const pattern = this.pattern;
    if (!this.hover || !p || !pattern) return '';
    const { q, k } = this.hover;
    const n = p.tokens.length;
    const v = pattern[q * n + k];
    return `query ${q} ${shortLabel(p.tokens[q].text, 24)}\nkey ${k} ${shortLabel(p.tokens[k].text, 24)}\nattention ${v.toFixed(3)}`;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    this.draw();
    const tip = this.tooltip;
    if (tip && this.hover && this.layout) {
      // Positioned through the CSSOM (allowed by the CSP); kept inside the wrapper.
      const maxX = this.layout.width - tip.offsetWidth - 2;
      const x = Math.max(0, Math.min(this.hover.x + 14, maxX));
      const y = this.hover.y + 16 + tip.offsetHeight > this.layout.height ? this.hover.y - tip.offsetHeight - 8 : this.hover.y + 16;
      tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(Math.max(0, y))}px)`;
    }
  }

  private heatImage(pattern: Float32Array, n: number, sizePx: number, low: Rgba, high: Rgba): HTMLCanvasElement | undefined {
    const cached = this.image;
    if (cached && cached.pattern === pattern && cached.themeVersion === this.theme.version && cached.size === Math.min(n, sizePx)) {
      return cached.canvas;
    }
    // Max-pool long prompts down to the plot's device pixels, so no sharp row or column is dropped.
    const size = Math.min(n, sizePx);
    const data = size < n ? maxPoolPattern(pattern, n, size) : pattern;
    const c = this.image?.canvas ?? document.createElement('canvas');
    c.width = size;
    c.height = size;
    const ctx = c.getContext('2d');
    if (!ctx) return undefined;
    const img = ctx.createImageData(size, size);
    const px = new Uint32Array(img.data.buffer);
    const lut = heatLut(low, high);
    for (let i = 0; i < size * size; i++) px[i] = lut[heatIndex(data[i])];
    ctx.putImageData(img, 0, 0);
    this.image = { pattern, themeVersion: this.theme.version, size, canvas: c };
    return c;
  }

  private draw(): void {
    const p = this.inspection?.params;
    const pattern = this.pattern;
    const canvas = this.canvas;
    if (!p || !pattern || !canvas) return;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const colors = readCanvasTheme(this);
    const n = p.tokens.length;
    const font = `${LABEL_FONT_PX}px ${colors.monoFamily}`;
    ctx.font = font;
    if (this.labelWidth?.tokens !== p.tokens || this.labelWidth.font !== font) {
      let w = 0;
      for (const t of p.tokens) w = Math.max(w, ctx.measureText(shortLabel(t.text, LABEL_CHARS)).width);
      this.labelWidth = { tokens: p.tokens, font, width: w };
    }
    const labelWidth = this.labelWidth.width;
    const layout = zoomLayout(n, this.plotSize, Math.ceil(Math.min(labelWidth, 120)), LABEL_FONT_PX + 2);
    this.layout = layout;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(layout.width * dpr);
    canvas.height = Math.round(layout.height * dpr);
    canvas.style.width = `${layout.width}px`;
    canvas.style.height = `${layout.height}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, layout.width, layout.height);

    const img = this.heatImage(pattern, n, Math.floor(layout.plot * dpr), colors.background, colors.heat);
    if (!img) return;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, layout.left, layout.top, layout.plot, layout.plot);
    ctx.strokeStyle = toCss(colors.border);
    ctx.lineWidth = 1;
    ctx.strokeRect(layout.left - 0.5, layout.top - 0.5, layout.plot + 1, layout.plot + 1);

    // Labels: queries down the left, keys along the top (rotated), the focused token emphasized.
    const focused = activeToken(this.focusState);
    ctx.font = font;
    ctx.textBaseline = 'middle';
    for (const i of labelledTokens(layout, focused)) {
      const label = shortLabel(p.tokens[i].text, LABEL_CHARS);
      const mid = (i + 0.5) * layout.cell;
      ctx.fillStyle = toCss(i === focused ? colors.foreground : colors.muted);
      ctx.textAlign = 'right';
      ctx.fillText(label, layout.left - 6, layout.top + mid);
      ctx.save();
      ctx.translate(layout.left + mid, layout.top - 6);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'left';
      ctx.fillText(label, 0, 0);
      ctx.restore();
    }

    // The focused token's row (direction "from") or column ("to").
    if (focused !== null && focused < n) {
      ctx.strokeStyle = toCss(colors.focus);
      ctx.lineWidth = colors.highContrast ? 2 : 1.5;
      const a = focused * layout.cell;
      const w = Math.max(layout.cell, 2);
      if (this.focusState.direction === 'from') ctx.strokeRect(layout.left, layout.top + a, layout.plot, w);
      else ctx.strokeRect(layout.left + a, layout.top, w, layout.plot);
    }
    if (this.hover) {
      const { q, k } = this.hover;
      ctx.strokeStyle = toCss(colors.hover);
      ctx.lineWidth = 1.5;
      const w = Math.max(layout.cell, 3);
      ctx.strokeRect(layout.left + k * layout.cell, layout.top + q * layout.cell, w, w);
    }
  }

  private localPoint(e: MouseEvent): { x: number; y: number } | null {
    const r = this.canvas?.getBoundingClientRect();
    return r ? { x: e.clientX - r.left, y: e.clientY - r.top } : null;
  }

  private onPointerMove = (e: PointerEvent) => {
    const pt = this.localPoint(e);
    const cell = pt && this.layout ? cellAt(this.layout, pt.x, pt.y) : null;
    if (!cell || !pt) {
      this.hover = null;
      return;
    }
    if (this.hover?.q !== cell.q || this.hover.k !== cell.k) this.hover = { ...cell, ...pt };
  };

  private onPointerLeave = () => {
    this.hover = null;
  };

  private onClick = (e: MouseEvent) => {
    const pt = this.localPoint(e);
    const cell = pt && this.layout ? cellAt(this.layout, pt.x, pt.y) : null;
    if (!cell) return;
    const token = this.focusState.direction === 'from' ? cell.q : cell.k;
    dispatchFocus(this, { target: 'token', action: { type: 'lock', item: token } });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-head-zoom': CiHeadZoom;
  }
}
