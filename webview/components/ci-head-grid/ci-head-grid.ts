import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { HeadRef } from '../../../src/shared/inspection.js';
import { heatIndex, heatLut, toCss } from '../../lib/color.js';
import { focusContext, inspectionContext, type InspectionView } from '../../lib/context.js';
import { DevicePixelRatioController } from '../../lib/devicePixelRatio.js';
import { dispatchFocus, type GridPaintDetail } from '../../lib/events.js';
import { activeHead, initialFocus, sameHead, type FocusState } from '../../lib/focus.js';
import { isPreview } from '../../lib/hoverLock.js';
import { ResizeWidthController } from '../../lib/resizeWidth.js';
import { ThemeController, readCanvasTheme, type CanvasTheme } from '../../lib/theme.js';
import { cellOrigin, fitCell, gridSize, headAt, moveCursor, type GridGeometry } from './gridGeometry.js';
import { styles } from './ci-head-grid.styles.js';

/**
 * The layer × head grid of attention thumbnails, drawn on one canvas. Hover previews a head,
 * click locks it (click again or Escape unlocks); arrow keys move a cursor that previews, Enter
 * locks. Thumbnails come from the inspection (max-pooled, ≤ 32×32), so the grid never needs a
 * full pattern. Thumbnails are sized from the element's width and the head count (24–96 px),
 * drawn at the device pixel ratio (redrawn when it changes); the geometry in use is reported as `data-cell` and `data-gap`.
 *
 * @tag ci-head-grid
 * @fires {FocusEvent} ci-focus - head hover/leave/click/lock/unlock actions for the panel root
 * @fires {GridPaintEvent} ci-grid-paint - once per inspection, after the first paint of the grid
 * @attr data-cell - the thumbnail side in use, CSS px
 * @attr data-gap - the space between thumbnails, CSS px
 * @cssprop --ci-cell - side of one thumbnail (set by the element)
 * @cssprop --ci-gap - space between thumbnails (default 4px)
 * @cssprop --ci-heat-color - colour of attention weight 1
 * @csspart canvas - the grid canvas
 */
@customElement('ci-head-grid')
export class CiHeadGrid extends LitElement {
  static override styles = styles;

  /** Side of one thumbnail in CSS px; 0 (the default) sizes the thumbnails to the element's width. */
  @property({ type: Number, attribute: 'cell-size' }) cellSize = 0;
  /** Space between thumbnails in CSS px. */
  @property({ type: Number }) gap = 4;

  @consume({ context: inspectionContext, subscribe: true })
  @state()
  inspection?: InspectionView;

  @consume({ context: focusContext, subscribe: true })
  @state()
  focusState: FocusState = initialFocus();

  @state() private cursor: HeadRef = { layer: 0, head: 0 };
  @state() private keyboard = false;
  /** Width available to the thumbnails, CSS px (from the ResizeObserver). */
  @state() private available = 0;

  @query('canvas') private canvas?: HTMLCanvasElement;

  private readonly theme = new ThemeController(this);
  private readonly dpr = new DevicePixelRatioController(this);
  private atlas?: HTMLCanvasElement;
  private atlasKey?: { thumbs: Float32Array; themeVersion: number };
  private colors?: CanvasTheme;
  private colorsVersion = -1;
  private reportedFor?: string;
  private readonly resize = new ResizeWidthController(
    this,
    (w) => (this.available = w),
    () => this.measure(),
  );

  /** Width for the canvas: the element's content width less the row labels and their gap. */
  private measure(): number | undefined {
    const rows = this.renderRoot.querySelector<HTMLElement>('.rows');
    const frame = this.renderRoot.querySelector<HTMLElement>('.frame');
    if (!rows || !frame) return undefined;
    const colGap = parseFloat(getComputedStyle(frame).columnGap) || 0;
    return Math.floor(this.clientWidth - rows.offsetWidth - colGap);
  }

  /** The thumbnail side in use, CSS px. */
  get cell(): number {
    const p = this.inspection?.params;
    if (this.cellSize > 0 || !p) return this.cellSize || 36;
    return fitCell(this.available, p.n_heads, this.gap);
  }

  private get geometry(): GridGeometry | undefined {
    const p = this.inspection?.params;
    return p && { nLayers: p.n_layers, nHeads: p.n_heads, cell: this.cell, gap: this.gap };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const p = this.inspection?.params;
    if (p && (changed.has('inspection') || changed.has('cellSize') || changed.has('gap') || (changed as Map<PropertyKey, unknown>).has('available'))) {
      // CSSOM, not a style attribute: allowed under the panel's CSP.
      this.style.setProperty('--ci-cols', String(p.n_heads));
      this.style.setProperty('--ci-rows', String(p.n_layers));
      this.style.setProperty('--ci-cell', `${this.cell}px`);
      this.style.setProperty('--ci-gap', `${this.gap}px`);
      this.dataset.cell = String(this.cell);
      this.dataset.gap = String(this.gap);
      if (this.cursor.layer >= p.n_layers || this.cursor.head >= p.n_heads) this.cursor = { layer: 0, head: 0 };
    }
  }

  protected override render() {
    const p = this.inspection?.params;
    if (!p) return nothing;
    const active = activeHead(this.focusState);
    const layers = Array.from({ length: p.n_layers }, (_, l) => l);
    const heads = Array.from({ length: p.n_heads }, (_, h) => h);
    return html`
      <div class="frame">
        <div class="corner muted" aria-hidden="true">L\\H</div>
        <div class="cols" aria-hidden="true">${heads.map((h) => html`<span class=${active?.head === h ? 'active' : ''}>H${h}</span>`)}</div>
        <div class="rows" aria-hidden="true">${layers.map((l) => html`<span class=${active?.layer === l ? 'active' : ''}>L${l}</span>`)}</div>
        <canvas
          part="canvas"
          tabindex="0"
          role="img"
          aria-roledescription="attention head grid"
          aria-label=${`Attention patterns of ${p.n_layers} layers × ${p.n_heads} heads. Arrow keys move, Enter locks a head, Escape unlocks.`}
          aria-describedby="status"
          @pointermove=${this.onPointerMove}
          @pointerleave=${this.onPointerLeave}
          @click=${this.onClick}
          @keydown=${this.onKeyDown}
          @focus=${this.onFocus}
          @blur=${this.onBlur}
        ></canvas>
      </div>
      <div class="footer">
        <span class="legend muted" aria-hidden="true">0 <span class="ramp"></span> 1</span>
        <span class="status" id="status" aria-live="polite">${this.statusText()}</span>
      </div>
    `;
  }

  private statusText(): string {
    const { head } = this.focusState;
    const active = activeHead(this.focusState);
    if (!active) return 'Hover a head to preview it, click to lock.';
    const label = `L${active.layer} H${active.head}`;
    const summary = this.inspection?.params.headSummaries[active.layer * (this.inspection?.params.n_heads ?? 0) + active.head];
    const scores = summary
      ? ` · prev ${summary.prevToken.toFixed(2)} · ind ${summary.induction === null ? '—' : summary.induction.toFixed(2)} · BOS ${summary.bos.toFixed(2)}`
      : '';
    if (isPreview(head, sameHead)) {
      return `Previewing ${label}${scores}${head.locked ? ` (locked: L${head.locked.layer} H${head.locked.head})` : ''}`;
    }
    return `Locked ${label}${scores} · Esc unlocks`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('inspection')) this.measure(); // the row labels' width depends on the layer count
    this.draw();
    const view = this.inspection;
    if (view && changed.has('inspection') && this.reportedFor !== view.params.inspectionId) {
      this.reportedFor = view.params.inspectionId;
      // The canvas is drawn; the frame that shows it is painted before the next task after rAF.
      requestAnimationFrame(() =>
        setTimeout(() => {
          const detail: GridPaintDetail = { inspectionId: view.params.inspectionId, ms: performance.now() - view.receivedAt };
          this.dispatchEvent(new CustomEvent('ci-grid-paint', { detail, bubbles: true, composed: true }));
        }),
      );
    }
  }

  private themeColors(): CanvasTheme {
    if (!this.colors || this.colorsVersion !== this.theme.version) {
      this.colors = readCanvasTheme(this);
      this.colorsVersion = this.theme.version;
    }
    return this.colors;
  }

  /** All thumbnails at native resolution, [layer rows] × [head columns], coloured once. */
  private buildAtlas(colors: CanvasTheme): HTMLCanvasElement | undefined {
    const p = this.inspection?.params;
    if (!p) return undefined;
    const thumbs = p.thumbnails_layer_head_q_k;
    if (this.atlas && this.atlasKey?.thumbs === thumbs && this.atlasKey.themeVersion === this.theme.version) return this.atlas;
    const s = p.thumbSize;
    const w = p.n_heads * s;
    const h = p.n_layers * s;
    const atlas = this.atlas ?? document.createElement('canvas');
    atlas.width = w;
    atlas.height = h;
    const ctx = atlas.getContext('2d');
    if (!ctx) return undefined;
    const img = ctx.createImageData(w, h);
    const px = new Uint32Array(img.data.buffer);
    const lut = heatLut(colors.background, colors.heat);
    for (let l = 0; l < p.n_layers; l++) {
      for (let hd = 0; hd < p.n_heads; hd++) {
        const src = (l * p.n_heads + hd) * s * s;
        for (let r = 0; r < s; r++) {
          const dst = (l * s + r) * w + hd * s;
          for (let c = 0; c < s; c++) px[dst + c] = lut[heatIndex(thumbs[src + r * s + c])];
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    this.atlas = atlas;
    this.atlasKey = { thumbs, themeVersion: this.theme.version };
    return atlas;
  }

  private draw(): void {
    const p = this.inspection?.params;
    const g = this.geometry;
    const canvas = this.canvas;
    if (!p || !g || !canvas) return;
    const colors = this.themeColors();
    const { width, height } = gridSize(g);
    const dpr = this.dpr.value;
    const bw = Math.round(width * dpr);
    const bh = Math.round(height * dpr);
    if (canvas.width !== bw || canvas.height !== bh) {
      canvas.width = bw;
      canvas.height = bh;
    }
    const ctx = canvas.getContext('2d');
    const atlas = this.buildAtlas(colors);
    if (!ctx || !atlas) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = false;
    const s = p.thumbSize;
    ctx.lineWidth = 1;
    // High-contrast borders are loud: keep the frames quieter than the data they frame.
    ctx.strokeStyle = toCss(colors.highContrast ? { ...colors.border, a: 0.5 } : colors.border);
    for (let l = 0; l < p.n_layers; l++) {
      for (let h = 0; h < p.n_heads; h++) {
        const { x, y } = cellOrigin(g, { layer: l, head: h });
        ctx.drawImage(atlas, h * s, l * s, s, s, x, y, g.cell, g.cell);
        // Frame in the gap, outside the thumbnail: the BOS column is its first pixel column.
        ctx.strokeRect(x - 0.5, y - 0.5, g.cell + 1, g.cell + 1);
      }
    }
    const { hovered, locked } = this.focusState.head;
    const ring = (h: HeadRef, color: string, widthPx: number, dash: number[]) => {
      const { x, y } = cellOrigin(g, h);
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = widthPx;
      ctx.setLineDash(dash);
      const o = widthPx / 2 + 1.5;
      ctx.strokeRect(x - o, y - o, g.cell + 2 * o, g.cell + 2 * o);
      ctx.restore();
    };
    if (this.keyboard) ring(this.cursor, toCss(colors.focus), 1, [2, 2]);
    if (locked) ring(locked, toCss(colors.focus), colors.highContrast ? 3 : 2, []);
    if (hovered && !(locked && sameHead(hovered, locked))) ring(hovered, toCss(colors.hover), 2, [4, 2]);
  }

  private pointerHead(e: MouseEvent): HeadRef | null {
    const g = this.geometry;
    const canvas = this.canvas;
    if (!g || !canvas) return null;
    const r = canvas.getBoundingClientRect();
    return headAt(g, e.clientX - r.left, e.clientY - r.top);
  }

  private onPointerMove = (e: PointerEvent) => {
    const h = this.pointerHead(e);
    if (!h) return this.onPointerLeave();
    const cur = this.focusState.head.hovered;
    if (!cur || !sameHead(cur, h)) dispatchFocus(this, { target: 'head', action: { type: 'hover', item: h } });
  };

  private onPointerLeave = () => {
    if (this.focusState.head.hovered) dispatchFocus(this, { target: 'head', action: { type: 'leave' } });
  };

  private onClick = (e: MouseEvent) => {
    const h = this.pointerHead(e);
    if (!h) return;
    this.cursor = h;
    dispatchFocus(this, { target: 'head', action: { type: 'click', item: h } });
  };

  private onKeyDown = (e: KeyboardEvent) => {
    const p = this.inspection?.params;
    if (!p) return;
    if (e.key === 'Escape') {
      if (!this.focusState.head.locked && !this.focusState.head.hovered) return; // let it bubble
      e.preventDefault();
      dispatchFocus(this, {
        target: 'batch',
        actions: [
          { target: 'head', action: { type: 'unlock' } },
          { target: 'head', action: { type: 'leave' } },
        ],
      });
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      dispatchFocus(this, { target: 'head', action: { type: 'lock', item: this.cursor } });
      return;
    }
    const next = moveCursor(this.cursor, e.key, p.n_layers, p.n_heads);
    if (!next) return;
    e.preventDefault();
    this.keyboard = true;
    this.cursor = next;
    dispatchFocus(this, { target: 'head', action: { type: 'hover', item: next } });
  };

  private onFocus = () => {
    if (!this.canvas?.matches(':focus-visible')) return; // focused by a click, not the keyboard
    this.keyboard = true;
    const locked = this.focusState.head.locked;
    if (locked) this.cursor = locked;
  };

  private onBlur = () => {
    this.keyboard = false;
    if (this.focusState.head.hovered) dispatchFocus(this, { target: 'head', action: { type: 'leave' } });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-head-grid': CiHeadGrid;
  }
}
