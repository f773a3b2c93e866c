import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { FeatureAct } from '../../../src/features/sae/shared/protocol.js';
import type { PositionToken } from '../../../src/shared/tokens.js';
import { endsLine, visibleText } from '../../lib/tokenText.js';
import { actLevel, fmtAct, paintScale, rovingIndex } from './featurePaint.js';
import { paintedTextPng } from './paintPng.js';
import { styles } from './ci-feature-strip.styles.js';

export type { StripMode } from '../ci-sae-panel/saeView.js';
import type { StripMode } from '../ci-sae-panel/saeView.js';

export interface TokenSelectDetail {
  readonly position: number;
}
export interface FeatureSelectDetail {
  readonly feature: number;
}
export type TokenSelectEvent = CustomEvent<TokenSelectDetail>;
export type FeatureSelectEvent = CustomEvent<FeatureSelectDetail>;

/** A token as the strip and the readout name it: "#12 ' open'" (BOS as BOS). */
export function tokenLabel(t: PositionToken, i: number): string {
  return `#${i} ${t.isBos ? 'BOS' : `'${visibleText(t.text)}'`}`;
}

/**
 * The prompt's tokens, each with its top features' chips under it (`chips`) or a compact marker
 * (`compact`: a bar as long as the top activation). Hover or focus a token to read its top-k in
 * the readout line; click it (or Enter) to ask for every feature active there; click a chip to
 * pick its feature. A picked feature's activation paints the tokens (`acts`). Arrow keys, Home
 * and End move between tokens (one tab stop).
 *
 * @tag ci-feature-strip
 * @fires ci-token-select - a token was clicked or Enter was pressed on it (`{ position }`)
 * @fires ci-feature-select - a feature chip was clicked (`{ feature }`)
 * @cssprop --ci-feature-act - the colour of a feature's activation
 * @csspart strip - the token list
 */
@customElement('ci-feature-strip')
export class CiFeatureStrip extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) tokens: readonly PositionToken[] = [];
  /** Per position, the top-k features, descending. */
  @property({ attribute: false }) top: readonly (readonly FeatureAct[])[] = [];
  /** Active features per position (L0). */
  @property({ attribute: false }) l0?: Float32Array;
  /** The picked feature's activation per position: paints the tokens. */
  @property({ attribute: false }) acts?: Float32Array;
  /** The picked feature (its chips are marked). */
  @property({ type: Number }) feature = -1;
  /** The locked position (outlined). */
  @property({ type: Number }) selected = -1;
  @property() mode: StripMode = 'chips';
  /** Chips shown under each token in `chips` mode. */
  @property({ type: Number }) chips = 2;

  @state() private hovered = -1;
  @state() private cursor = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('tokens') && this.cursor >= this.tokens.length) this.cursor = 0;
    if (changed.has('selected') && this.selected >= 0) this.cursor = this.selected;
  }

  protected override render() {
    const acts = this.acts;
    const scale = acts ? paintScale(acts, (i) => this.tokens[i]?.isBos === true) : 0;
    const nonBosTop = this.top.reduce((m, row, i) => (this.tokens[i]?.isBos ? m : Math.max(m, row[0]?.act ?? 0)), 0);
    return html`<div
        class=${`strip mode-${this.mode}`}
        part="strip"
        role="listbox"
        aria-label="tokens: arrows move, Enter lists every feature active at the token"
        @keydown=${this.onKey}
        @mouseleave=${() => (this.hovered = -1)}
      >
        ${this.tokens.map((t, i) => {
          const row = this.top[i] ?? [];
          const level = acts ? actLevel(acts[i], scale) : 0;
          const cls = `tok${t.isBos ? ' bos' : ''}${t.isSpecial ? ' special' : ''}${i === this.selected ? ' locked' : ''}${i === this.hovered ? ' hovered' : ''}`;
          const label = `${tokenLabel(t, i)}${acts ? `, feature ${this.feature} ${fmtAct(acts[i])}` : ''}; top: ${
            row.length ? row.map((f) => `${f.feature} ${fmtAct(f.act)}`).join(', ') : 'none'
          }`;
          return html`<div
              class=${cls}
              role="option"
              id=${`t${i}`}
              data-i=${i}
              tabindex=${i === this.cursor ? 0 : -1}
              aria-selected=${i === this.selected ? 'true' : 'false'}
              aria-label=${label}
              @click=${() => this.select(i)}
              @mouseenter=${() => (this.hovered = i)}
              @focus=${() => {
                this.cursor = i;
                this.hovered = i;
              }}
            >
              <span class="text" data-level=${level}>${t.isBos ? 'BOS' : visibleText(t.text)}</span>
              ${this.mode === 'chips' ? this.renderChips(row) : this.renderMarker(row, t.isBos ? (row[0]?.act ?? 0) : nonBosTop)}
            </div>
            ${endsLine(t.text) ? html`<div class="br" aria-hidden="true"></div>` : nothing}`;
        })}
      </div>
      ${this.renderReadout()} ${acts ? this.renderKey(scale) : nothing}`;
  }

  /** What the tint means: the picked feature's activation, and the scale it is drawn on. */
  private renderKey(scale: number) {
    return html`<div class="key muted" aria-label="colour key">
      <span class="steps" aria-hidden="true">${[1, 3, 6].map((l) => html`<span class="sw" data-level=${l}></span>`)}</span>
      tint: feature ${this.feature}'s activation, from 0 to
      ${fmtAct(scale)}${this.tokens[0]?.isBos && this.acts && this.acts[0] > scale ? html` (BOS, ${fmtAct(this.acts[0])}, is off the scale)` : nothing}
    </div>`;
  }

  private renderChips(row: readonly FeatureAct[]) {
    return html`<span class="chips" aria-hidden="true"
      >${row.slice(0, this.chips).map(
        (f) =>
          html`<span
            class=${`chip${f.feature === this.feature ? ' picked' : ''}`}
            data-f=${f.feature}
            title=${`Pick feature ${f.feature}`}
            @click=${(e: Event) => {
              e.stopPropagation();
              this.pick(f.feature);
            }}
            >${f.feature}<span class="act">${fmtAct(f.act)}</span></span
          >`,
      )}${row.length === 0 ? html`<span class="chip none">—</span>` : nothing}</span
    >`;
  }

  /** Compact: a bar whose length is the top activation (relative to the largest outside BOS). */
  private renderMarker(row: readonly FeatureAct[], max: number) {
    const lvl = actLevel(row[0]?.act ?? 0, max);
    return html`<span class="marker" aria-hidden="true" data-bar=${lvl}></span>`;
  }

  private renderReadout() {
    const i = this.hovered >= 0 ? this.hovered : this.selected;
    const t = this.tokens[i];
    if (!t) {
      return html`<div class="readout muted" aria-live="polite">Hover a token for its top features; click it for every feature active there.</div>`;
    }
    const row = this.top[i] ?? [];
    const l0 = this.l0?.[i];
    return html`<div class="readout" aria-live="polite">
      <strong class="mono">${tokenLabel(t, i)}</strong>
      ${this.acts ? html`<span>feature ${this.feature}: <strong>${fmtAct(this.acts[i])}</strong></span>` : nothing}
      ${l0 !== undefined ? html`<span class="muted">${l0} active</span>` : nothing}
      <span class="muted">top ${row.length}:</span>
      ${
        row.length
          ? row.map((f) => html`<span class="pair"><span class="mono">#${f.feature}</span> ${fmtAct(f.act)}</span>`)
          : html`<span class="muted">no feature active</span>`
      }
    </div>`;
  }

  private onKey = (e: KeyboardEvent) => {
    const next = rovingIndex(e.key, this.cursor, this.tokens.length);
    if (next !== undefined) {
      e.preventDefault();
      this.cursor = next;
      this.hovered = next;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#t${next}`)?.focus());
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.select(this.cursor);
    }
  };

  private select(position: number): void {
    this.cursor = position;
    this.dispatchEvent(new CustomEvent<TokenSelectDetail>('ci-token-select', { detail: { position }, bubbles: true, composed: true }));
  }

  private pick(feature: number): void {
    this.dispatchEvent(new CustomEvent<FeatureSelectDetail>('ci-feature-select', { detail: { feature }, bubbles: true, composed: true }));
  }

  /** The strip painted by the picked feature, as a PNG data URL ('' without a feature). */
  toPng(title: string): string {
    const acts = this.acts;
    if (!acts) return '';
    const scale = paintScale(acts, (i) => this.tokens[i]?.isBos === true);
    return paintedTextPng(
      this.tokens.map((t, i) => ({ text: t.text, value: acts[i], bos: t.isBos })),
      { title, legend: `orange: the feature's activation, 0 to ${fmtAct(scale)}`, signed: false, scale },
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-feature-strip': CiFeatureStrip;
  }
  interface HTMLElementEventMap {
    'ci-token-select': TokenSelectEvent;
    'ci-feature-select': FeatureSelectEvent;
  }
}
