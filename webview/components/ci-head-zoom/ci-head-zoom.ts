import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { maxPoolPattern } from '../../../src/shared/thumbnail.js';
import type { HeadRef, HeadSummary, TokenInfo } from '../../../src/shared/inspection.js';
import { heatIndex, heatLut, toCss, type Rgba } from '../../lib/color.js';
import { focusContext, inspectionContext, patternsContext, type InspectionView } from '../../lib/context.js';
import { DevicePixelRatioController } from '../../lib/devicePixelRatio.js';
import { dispatchFocus } from '../../lib/events.js';
import { activeHead, activeToken, initialFocus, sameHead, type FocusState } from '../../lib/focus.js';
import { isPreview } from '../../lib/hoverLock.js';
import type { PatternView } from '../../lib/patternStore.js';
import { ResizeWidthController } from '../../lib/resizeWidth.js';
import { ThemeController, readCanvasTheme } from '../../lib/theme.js';
import { shortLabel } from '../../lib/tokenText.js';
import { axisLabels, cellAt, clampScroll, moveCell, pointCell, scrollToShow, visibleRange, zoomAbout, zoomLayout, type ZoomLayout } from './zoomLayout.js';
import { styles } from './ci-head-zoom.styles.js';

const LABEL_FONT_PX = 11;
/** Prompts longer than this get the token index in their axis labels. */
const INDEX_LABELS_FROM = 40;
/** Room below the plot on screen (title, toolbar, readout), CSS px, when fitting the plot to the window's height. */
const CHROME_PX = 120;
const SLIDER_STEPS = 200;
/** Below this largest zoom the cells are nearly readable unzoomed: no zoom controls. */
const MIN_USEFUL_ZOOM = 1.5;

/** A token as an axis label: its visible text, cut short, after its index on long prompts. */
function axisLabel(tokens: readonly TokenInfo[], i: number, chars: number): string {
  const text = shortLabel(tokens[i].text, chars);
  return tokens.length > INDEX_LABELS_FROM ? `${i} ${text}` : text;
}

/** `query #612 ‘·self’ → key #3 ‘·param’: 0.410` */
export function cellReadout(tokens: readonly TokenInfo[], q: number, k: number, value: number): string {
  return `query #${q} ‘${shortLabel(tokens[q].text, 24)}’ → key #${k} ‘${shortLabel(tokens[k].text, 24)}’: ${value.toFixed(3)}`;
}

/**
 * The focused head's full query × key pattern on a canvas that fills the element's width, with
 * token labels on both axes (keys rotated; as many as fit without overlapping, always the
 * focused and hovered ones) and a readout naming the hovered query, key and weight. Long prompts
 * zoom (Ctrl/⌘ + wheel, the slider, + and − keys) and scroll (wheel, scrollbars, arrow keys); the
 * labels stay beside the visible rows and columns. Redraws on resize and on a change of the
 * device pixel ratio. The pattern arrives from the host on demand (the root requests it and
 * caches it in the patterns context). Clicking a cell locks its query (direction "from") or key ("to").
 *
 * @tag ci-head-zoom
 * @fires {FocusEvent} ci-focus - token lock actions
 * @attr data-zoom - the zoom factor in use
 * @cssprop --ci-heat-color - colour of attention weight 1
 * @csspart canvas - the heatmap canvas
 */
@customElement('ci-head-zoom')
export class CiHeadZoom extends LitElement {
  static override styles = styles;

  @consume({ context: inspectionContext, subscribe: true })
  @state()
  inspection?: InspectionView;

  @consume({ context: focusContext, subscribe: true })
  @state()
  focusState: FocusState = initialFocus();

  @consume({ context: patternsContext, subscribe: true })
  @state()
  patterns?: PatternView;

  /** The cell under the pointer or the keyboard cursor; x, y place the tooltip (CSS px in the view). */
  @state() private hover: { q: number; k: number; x: number; y: number } | null = null;
  /** The pointer is over the masked upper triangle. */
  @state() private overMasked = false;
  /** `hover` was set by the keyboard (arrows), not the pointer. */
  private keyboardCursor = false;
  /** Width the element may use, CSS px (from the ResizeObserver). */
  @state() private available = 0;
  @state() private zoom = 1;
  /** Scroll offset of the viewport into the zoomed pattern, content px. */
  @state() private offset = { x: 0, y: 0 };

  @query('canvas') private canvas?: HTMLCanvasElement;
  @query('.scroller') private scroller?: HTMLElement;
  @query('.spacer') private spacer?: HTMLElement;
  @query('.view') private view?: HTMLElement;
  @query('.tooltip') private tooltip?: HTMLElement;

  private readonly theme = new ThemeController(this);
  private readonly dpr = new DevicePixelRatioController(this);
  private readonly resize = new ResizeWidthController(this, (w) => (this.available = w));
  private layout?: ZoomLayout;
  private labelChars = 14;
  private labelWidth?: { tokens: readonly unknown[]; key: string; width: number };
  private image?: { pattern: Float32Array; themeVersion: number; size: number; canvas: HTMLCanvasElement };
  private pointer: { x: number; y: number } | null = null;
  private shownFor?: string;
  private lockedToken: number | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('resize', this.onWindowResize);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('resize', this.onWindowResize);
    super.disconnectedCallback();
  }

  private readonly onWindowResize = () => this.requestUpdate();

  private get head(): HeadRef | null {
    return activeHead(this.focusState);
  }

  private get pattern(): Float32Array | undefined {
    const h = this.head;
    return h ? this.patterns?.get(h) : undefined;
  }

  /** Visible part of the viewport (less the scrollbars), CSS px. */
  private get visible(): { w: number; h: number } {
    const s = this.scroller;
    const plot = this.layout?.plot ?? 0;
    return { w: s?.clientWidth || plot, h: s?.clientHeight || plot };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const p = this.inspection?.params;
    if (!p) return;
    if (this.shownFor !== p.inspectionId) {
      // A new prompt starts unzoomed at its top-left.
      this.shownFor = p.inspectionId;
      this.zoom = 1;
      this.offset = { x: 0, y: 0 };
      this.hover = null;
    }
    this.layout = this.computeLayout(p.tokens);
    this.dataset.zoom = this.layout.zoom.toFixed(2);
    const locked = this.focusState.token.locked;
    if (changed.has('focusState') && locked !== this.lockedToken) {
      this.lockedToken = locked;
      // A token locked elsewhere (strip, editor) is brought into view when zoomed in: its row
      // (direction "from") or its column ("to"), the line the zoom outlines.
      if (locked !== null && locked < p.tokens.length && this.layout.zoom > 1) {
        const v = this.visible;
        this.offset =
          this.focusState.direction === 'from'
            ? { x: this.offset.x, y: scrollToShow(this.layout, this.offset.y, v.h, locked) }
            : { x: scrollToShow(this.layout, this.offset.x, v.w, locked), y: this.offset.y };
      }
    }
  }

  private computeLayout(tokens: readonly TokenInfo[]): ZoomLayout {
    this.labelChars = this.available > 0 && this.available < 520 ? 10 : 14;
    const font = `${LABEL_FONT_PX}px ${readCanvasTheme(this).monoFamily}`;
    const key = `${font}|${this.labelChars}`;
    if (this.labelWidth?.tokens !== tokens || this.labelWidth.key !== key) {
      const ctx = document.createElement('canvas').getContext('2d');
      let w = 0;
      if (ctx) {
        ctx.font = font;
        for (let i = 0; i < tokens.length; i++) w = Math.max(w, ctx.measureText(axisLabel(tokens, i, this.labelChars)).width);
      }
      this.labelWidth = { tokens, key, width: Math.min(w, 140) };
    }
    const labelWidth = this.labelWidth.width;
    return zoomLayout({
      nTokens: tokens.length,
      available: this.available || 420,
      maxPlot: window.innerHeight - CHROME_PX - labelWidth,
      labelWidth,
      lineHeight: LABEL_FONT_PX + 2,
      zoom: this.zoom,
    });
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
          ? html`${this.renderToolbar(p.tokens.length)}
              <div class="view">
                <canvas
                  part="canvas"
                  role="img"
                  aria-label=${`Attention pattern of layer ${head.layer} head ${head.head}: ${p.tokens.length} query rows by ${p.tokens.length} key columns.`}
                ></canvas>
                <div
                  class="scroller"
                  tabindex="0"
                  aria-label="Pattern cells: arrow keys move between cells, Enter locks the token, + and − zoom, 0 fits"
                  @scroll=${this.onScroll}
                  @pointermove=${this.onPointerMove}
                  @pointerleave=${this.onPointerLeave}
                  @click=${this.onClick}
                  @wheel=${this.onWheel}
                  @keydown=${this.onKeyDown}
                  @blur=${this.onBlur}
                >
                  <div class="spacer"></div>
                </div>
                <div class="tooltip" role="tooltip" ?hidden=${!this.hover}>${this.tooltipText()}</div>
              </div>
              <div class="readout" aria-live="polite">${this.readoutText()}</div>`
          : error
            ? html`<div class="placeholder error">Could not load the pattern: ${error}</div>`
            : html`<div class="placeholder muted"><vscode-progress-ring></vscode-progress-ring> Loading the full pattern…</div>`
      }
    `;
  }

  private renderToolbar(n: number) {
    const l = this.layout;
    if (!l || l.maxZoom < MIN_USEFUL_ZOOM) return nothing; // the cells are readable already
    const steps = Math.round((SLIDER_STEPS * Math.log(l.zoom)) / Math.log(l.maxZoom));
    const rows = visibleRange(l, this.offset.y, l.plot); // the scroller may not be placed yet: its plot side
    const cols = visibleRange(l, this.offset.x, l.plot);
    return html`<div class="toolbar">
      <button class="zb" title="Zoom out (−)" aria-label="Zoom out" ?disabled=${l.zoom <= 1} @click=${() => this.zoomBy(1 / 2)}>−</button>
      <input
        class="slider"
        type="range"
        min="0"
        max=${SLIDER_STEPS}
        .value=${String(steps)}
        aria-label="Zoom"
        aria-valuetext=${`×${l.zoom.toFixed(1)}`}
        @input=${this.onSlider}
      />
      <button class="zb" title="Zoom in (+)" aria-label="Zoom in" ?disabled=${l.zoom >= l.maxZoom} @click=${() => this.zoomBy(2)}>+</button>
      <button class="zb" title="Fit the whole pattern (0)" ?disabled=${l.zoom <= 1} @click=${() => this.setZoom(1)}>Fit</button>
      <span class="zoominfo muted"
        >×${l.zoom.toFixed(1)} · queries ${rows.from}–${rows.to - 1}, keys ${cols.from}–${cols.to - 1} of ${n} · Ctrl/⌘+wheel zooms</span
      >
    </div>`;
  }

  private renderScores(s: HeadSummary) {
    const ind = s.induction === null ? '—' : s.induction.toFixed(2);
    return html`<span class="scores muted"
      >prev-token ${s.prevToken.toFixed(2)} · induction ${ind} · BOS ${s.bos.toFixed(2)} · entropy ${s.entropy.toFixed(2)} nats</span
    >`;
  }

  private value(q: number, k: number): number | undefined {
    const n = this.inspection?.params.tokens.length ?? 0;
    return this.pattern?.[q * n + k];
  }

  private tooltipText(): string {
    const p = this.inspection?.params;
    const v = this.hover ? this.value(this.hover.q, this.hover.k) : undefined;
    if (!this.hover || !p || v === undefined) return '';
    const { q, k } = this.hover;
    return `query #${q} ‘${shortLabel(p.tokens[q].text, 24)}’\nkey #${k} ‘${shortLabel(p.tokens[k].text, 24)}’\nattention ${v.toFixed(3)}`;
  }

  private readoutText(): string {
    const p = this.inspection?.params;
    const v = this.hover ? this.value(this.hover.q, this.hover.k) : undefined;
    if (this.hover && p && v !== undefined) return cellReadout(p.tokens, this.hover.q, this.hover.k, v);
    if (this.overMasked) return 'Above the diagonal: masked. A query attends only to itself and earlier keys.';
    return 'Hover a cell to read it; click to lock its token.';
  }

  protected override updated(_changed: PropertyValues<this>): void {
    this.place();
    this.draw();
    const tip = this.tooltip;
    const l = this.layout;
    if (tip && this.hover && l) {
      // Positioned through the CSSOM (allowed by the CSP); kept inside the view.
      const maxX = l.width - tip.offsetWidth - 2;
      const x = Math.max(0, Math.min(this.hover.x + 14, maxX));
      const y = this.hover.y + 16 + tip.offsetHeight > l.height ? this.hover.y - tip.offsetHeight - 8 : this.hover.y + 16;
      tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(Math.max(0, y))}px)`;
    }
  }

  /** Sizes the view, the viewport and its scrollable content (CSSOM, allowed by the CSP), then applies the scroll offset. */
  private place(): void {
    const l = this.layout;
    const { view, scroller, spacer } = this;
    if (!l || !view || !scroller || !spacer) return;
    view.style.width = `${l.width}px`;
    view.style.height = `${l.height}px`;
    Object.assign(scroller.style, { left: `${l.left}px`, top: `${l.top}px`, width: `${l.plot}px`, height: `${l.plot}px` });
    const side = `${Math.round(l.content)}px`;
    if (spacer.style.width !== side) Object.assign(spacer.style, { width: side, height: side });
    scroller.classList.toggle('zoomed', l.zoom > 1);
    const v = this.visible;
    const x = clampScroll(this.offset.x, l.content, v.w);
    const y = clampScroll(this.offset.y, l.content, v.h);
    if (Math.abs(scroller.scrollLeft - x) > 0.5) scroller.scrollLeft = x;
    if (Math.abs(scroller.scrollTop - y) > 0.5) scroller.scrollTop = y;
  }

  /** The pattern coloured at a resolution that needs no more than one pixel per device pixel (max-pooled below that). */
  private heatImage(pattern: Float32Array, n: number, sizePx: number, low: Rgba, high: Rgba): HTMLCanvasElement | undefined {
    const size = Math.max(1, Math.min(n, Math.floor(sizePx)));
    const cached = this.image;
    if (cached && cached.pattern === pattern && cached.themeVersion === this.theme.version && cached.size === size) return cached.canvas;
    // Max-pool long prompts down to the plot's device pixels, so no sharp row or column is dropped.
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
    const l = this.layout;
    if (!p || !pattern || !canvas || !l) return;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const colors = readCanvasTheme(this);
    const n = p.tokens.length;
    const dpr = this.dpr.value;
    const bw = Math.round(l.width * dpr);
    const bh = Math.round(l.height * dpr);
    if (canvas.width !== bw || canvas.height !== bh) {
      canvas.width = bw;
      canvas.height = bh;
    }
    canvas.style.width = `${l.width}px`;
    canvas.style.height = `${l.height}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, l.width, l.height);

    const v = this.visible;
    const sx = clampScroll(this.offset.x, l.content, v.w);
    const sy = clampScroll(this.offset.y, l.content, v.h);
    const img = this.heatImage(pattern, n, l.content * dpr, colors.background, colors.heat);
    if (!img) return;
    const s = img.width / l.content; // image px per content px
    ctx.save();
    ctx.beginPath();
    ctx.rect(l.left, l.top, v.w, v.h);
    ctx.clip();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, sx * s, sy * s, v.w * s, v.h * s, l.left, l.top, v.w, v.h);
    const rows = visibleRange(l, sy, v.h);
    const cols = visibleRange(l, sx, v.w);
    // The upper triangle is masked by causality, not zero attention: shade it apart.
    ctx.fillStyle = toCss({ ...colors.muted, a: 0.13 });
    ctx.beginPath();
    for (let q = rows.from; q < rows.to; q++) {
      const x0 = Math.max(0, (q + 1) * l.cell - sx);
      if (x0 < v.w) ctx.rect(l.left + x0, l.top + q * l.cell - sy, v.w - x0, l.cell);
    }
    ctx.fill();
    const focused = activeToken(this.focusState);
    if (focused !== null && focused < n) {
      // The focused token's row (direction "from") or column ("to").
      ctx.strokeStyle = toCss(colors.focus);
      ctx.lineWidth = colors.highContrast ? 2 : 1.5;
      const a = focused * l.cell;
      const w = Math.max(l.cell, 2);
      if (this.focusState.direction === 'from') ctx.strokeRect(l.left - sx, l.top + a - sy, l.content, w);
      else ctx.strokeRect(l.left + a - sx, l.top - sy, w, l.content);
    }
    if (this.hover) {
      const { q, k } = this.hover;
      ctx.strokeStyle = toCss(colors.hover);
      ctx.lineWidth = 1.5;
      const w = Math.max(l.cell, 3);
      ctx.strokeRect(l.left + k * l.cell - sx, l.top + q * l.cell - sy, w, w);
    }
    ctx.restore();
    ctx.strokeStyle = toCss(colors.border);
    ctx.lineWidth = 1;
    ctx.strokeRect(l.left - 0.5, l.top - 0.5, v.w + 1, v.h + 1);

    // Labels beside the visible rows (queries) and above the visible columns (keys, rotated).
    const font = `${LABEL_FONT_PX}px ${colors.monoFamily}`;
    ctx.font = font;
    ctx.textBaseline = 'middle';
    const hq = this.hover?.q ?? null;
    const hk = this.hover?.k ?? null;
    const drawLabel = (i: number, hovered: boolean) => {
      const text = axisLabel(p.tokens, i, this.labelChars);
      if (hovered) {
        // The hovered token's label sits on a plate over its neighbours.
        const w = ctx.measureText(text).width + 6;
        ctx.fillStyle = toCss(colors.background);
        ctx.fillRect(-w + 3, -LABEL_FONT_PX / 2 - 2, w, LABEL_FONT_PX + 4);
        ctx.strokeStyle = toCss(colors.hover);
        ctx.lineWidth = 1;
        ctx.strokeRect(-w + 3.5, -LABEL_FONT_PX / 2 - 1.5, w - 1, LABEL_FONT_PX + 3);
      }
      ctx.fillStyle = toCss(hovered || i === focused ? colors.foreground : colors.muted);
      ctx.fillText(text, 0, 0);
    };
    ctx.textAlign = 'right';
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, l.top - LABEL_FONT_PX / 2 - 1, l.left, v.h + LABEL_FONT_PX + 2);
    ctx.clip();
    for (const i of axisLabels(rows.from, rows.to, l.labelStep, [hq, focused])) {
      ctx.save();
      ctx.translate(l.left - 6, l.top + (i + 0.5) * l.cell - sy);
      drawLabel(i, i === hq);
      ctx.restore();
    }
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(l.left - LABEL_FONT_PX / 2 - 1, 0, v.w + LABEL_FONT_PX + 2, l.top);
    ctx.clip();
    for (const i of axisLabels(cols.from, cols.to, l.labelStep, [hk, focused])) {
      ctx.save();
      ctx.translate(l.left + (i + 0.5) * l.cell - sx, l.top - 6);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'left';
      if (i === hk) {
        const w = ctx.measureText(axisLabel(p.tokens, i, this.labelChars)).width + 6;
        ctx.fillStyle = toCss(colors.background);
        ctx.fillRect(-3, -LABEL_FONT_PX / 2 - 2, w, LABEL_FONT_PX + 4);
        ctx.strokeStyle = toCss(colors.hover);
        ctx.lineWidth = 1;
        ctx.strokeRect(-2.5, -LABEL_FONT_PX / 2 - 1.5, w - 1, LABEL_FONT_PX + 3);
      }
      ctx.fillStyle = toCss(i === hk || i === focused ? colors.foreground : colors.muted);
      ctx.fillText(axisLabel(p.tokens, i, this.labelChars), 0, 0);
      ctx.restore();
    }
    ctx.restore();
    // Axis names in the free corner.
    ctx.font = `${LABEL_FONT_PX}px ${colors.fontFamily}`;
    ctx.fillStyle = toCss(colors.muted);
    ctx.textAlign = 'right';
    ctx.fillText('key →', l.left - 14, l.top - 26);
    ctx.fillText('query ↓', l.left - 14, l.top - 12);
  }

  private localPoint(e: MouseEvent): { x: number; y: number } | null {
    const r = this.scroller?.getBoundingClientRect();
    return r ? { x: e.clientX - r.left, y: e.clientY - r.top } : null;
  }

  private hoverAt(pt: { x: number; y: number } | null): void {
    const l = this.layout;
    const cell = pt && l ? pointCell(l, this.offset, this.visible, pt.x, pt.y) : null;
    this.keyboardCursor = false;
    this.overMasked = cell !== null && cell.k > cell.q;
    if (!cell || !pt || !l || cell.k > cell.q) {
      if (this.hover) this.hover = null;
      return;
    }
    this.hover = { ...cell, x: l.left + pt.x, y: l.top + pt.y };
  }

  /** Moves the keyboard cursor to a cell, scrolling it into view. */
  private cursorTo(c: { q: number; k: number }): void {
    const l = this.layout;
    if (!l) return;
    const v = this.visible;
    const x = scrollToShow(l, this.offset.x, v.w, c.k);
    const y = scrollToShow(l, this.offset.y, v.h, c.q);
    if (x !== this.offset.x || y !== this.offset.y) this.offset = { x, y };
    this.keyboardCursor = true;
    this.overMasked = false;
    this.hover = { ...c, x: l.left + (c.k + 0.5) * l.cell - x, y: l.top + (c.q + 0.5) * l.cell - y };
  }

  private onPointerMove = (e: PointerEvent) => {
    this.pointer = this.localPoint(e);
    this.hoverAt(this.pointer);
  };

  private onPointerLeave = () => {
    this.pointer = null;
    this.overMasked = false;
    if (!this.keyboardCursor) this.hover = null;
  };

  private onBlur = () => {
    if (this.keyboardCursor) this.hover = null;
    this.keyboardCursor = false;
  };

  private onScroll = () => {
    const s = this.scroller;
    if (!s) return;
    if (s.scrollLeft !== this.offset.x || s.scrollTop !== this.offset.y) {
      this.offset = { x: s.scrollLeft, y: s.scrollTop };
      this.hoverAt(this.pointer); // the cell under a still pointer changed
    }
  };

  private onClick = (e: MouseEvent) => {
    const pt = this.localPoint(e);
    const cell = pt && this.layout ? cellAt(this.layout, this.offset, this.visible, pt.x, pt.y) : null;
    if (!cell) return;
    const token = this.focusState.direction === 'from' ? cell.q : cell.k;
    dispatchFocus(this, { target: 'token', action: { type: 'lock', item: token } });
  };

  private onWheel = (e: WheelEvent) => {
    if (!(e.ctrlKey || e.metaKey)) return; // plain wheel scrolls (the viewport when zoomed, else the page)
    e.preventDefault();
    const pt = this.localPoint(e) ?? { x: 0, y: 0 };
    const unit = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? 16 : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? 400 : 1;
    this.zoomBy(Math.exp(-e.deltaY * unit * 0.004), pt);
  };

  private onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const p = this.inspection?.params;
    const l = this.layout;
    if (!p || !l) return;
    const n = p.tokens.length;
    if (e.key === '+' || e.key === '=') this.zoomBy(2);
    else if (e.key === '-' || e.key === '_') this.zoomBy(1 / 2);
    else if (e.key === '0') this.setZoom(1);
    else if ((e.key === 'Enter' || e.key === ' ') && this.hover) {
      const token = this.focusState.direction === 'from' ? this.hover.q : this.hover.k;
      dispatchFocus(this, { target: 'token', action: { type: 'lock', item: token } });
    } else if (e.key === 'Escape' && this.keyboardCursor) {
      this.hover = null;
      this.keyboardCursor = false;
    } else {
      // The cursor starts on the focused token's row, or the first row in view.
      const focused = activeToken(this.focusState);
      const start = this.hover ?? { q: focused ?? Math.min(n - 1, Math.floor(this.offset.y / l.cell)), k: 0 };
      const page = Math.max(1, Math.floor(this.visible.h / l.cell) - 1);
      const next = this.hover || !e.key.startsWith('Arrow') ? moveCell(start, e.key, n, page) : start;
      if (!next) return;
      this.cursorTo(next);
    }
    e.preventDefault();
  };

  private onSlider = (e: Event) => {
    const l = this.layout;
    const input = e.target;
    if (!l || !(input instanceof HTMLInputElement)) return;
    this.setZoom(Math.exp((Number(input.value) / SLIDER_STEPS) * Math.log(l.maxZoom)));
  };

  private setZoom(zoom: number): void {
    if (this.layout) this.zoomBy(zoom / this.layout.zoom);
  }

  /** Zooms by `factor` about a viewport point (default: the viewport's centre). */
  private zoomBy(factor: number, point?: { x: number; y: number }): void {
    const l = this.layout;
    if (!l) return;
    const v = this.visible;
    const z = zoomAbout(l, this.offset, v, point ?? { x: v.w / 2, y: v.h / 2 }, factor);
    this.zoom = z.zoom;
    this.offset = { x: z.x, y: z.y };
    if (this.pointer) void this.updateComplete.then(() => this.hoverAt(this.pointer));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-head-zoom': CiHeadZoom;
  }
}
