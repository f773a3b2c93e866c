import { LitElement, html, svg, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { stripTicks, valueDomain, xOf } from '../ci-pair-distribution/distributionLayout.js';
import { styles } from './ci-pair-strip.styles.js';

const W = 240;
const H = 44;
const PAD = 4;
/** Ticks span these rows of the strip, CSS px. */
const TICK_TOP = 12;
const TICK_BOTTOM = 28;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return Number(v.toPrecision(3)).toString().replace('-', '−');
}

/**
 * A small per-pair strip for a hover: one tick per pair's value on a shared axis, the mean with its
 * ±1 standard-error band, and the set's mean clean and mean corrupt as reference marks. Drawn as
 * SVG coloured by classes (--vscode-* roles), so it follows the theme inside a tooltip.
 *
 * @tag ci-pair-strip
 * @cssprop --ci-strip-tick - colour of a pair's tick
 */
@customElement('ci-pair-strip')
export class CiPairStrip extends LitElement {
  static override styles = styles;

  /** One value per pair (the patched metric). */
  @property({ attribute: false }) values: ArrayLike<number> = [];
  @property({ type: Number }) mean = NaN;
  @property({ type: Number }) standardError = 0;
  /** The set's mean clean and mean corrupt metrics (reference marks); NaN leaves one out. */
  @property({ type: Number }) meanClean = NaN;
  @property({ type: Number }) meanCorrupt = NaN;

  protected override render() {
    const refs = [this.meanClean, this.meanCorrupt, this.mean].filter(Number.isFinite);
    const d = valueDomain(this.values, refs);
    const x = (v: number) => Math.round(xOf(d, PAD, W - 2 * PAD, v) * 2) / 2;
    const ticks = stripTicks(this.values, d, W, PAD);
    const se = Number.isFinite(this.standardError) ? this.standardError : 0;
    // Close reference labels part ways: the left one ends at its line, the right one starts there.
    const close = Math.abs(x(this.meanClean) - x(this.meanCorrupt)) < 56;
    const anchor = (v: number, other: number) => (!close || !Number.isFinite(other) ? 'middle' : v <= other ? 'end' : 'start');
    const ref = (v: number, other: number, cls: string, label: string) =>
      Number.isFinite(v)
        ? svg`<line class=${`ref ${cls}`} x1=${x(v)} x2=${x(v)} y1="8" y2=${TICK_BOTTOM + 3}></line><text class=${`ref-label ${cls}`} x=${x(v)} y="6" text-anchor=${anchor(v, other)}>${label}</text>`
        : nothing;
    return html`<svg
        width=${W}
        height=${H}
        viewBox=${`0 0 ${W} ${H}`}
        role="img"
        aria-label=${`${this.values.length} pairs from ${fmt(Math.min(...Array.from(this.values)))} to ${fmt(Math.max(...Array.from(this.values)))}; mean ${fmt(this.mean)} ± ${fmt(se)}`}
      >
        <line class="axis" x1=${PAD} x2=${W - PAD} y1=${TICK_BOTTOM} y2=${TICK_BOTTOM}></line>
        ${ref(this.meanCorrupt, this.meanClean, 'corrupt', 'corrupt')} ${ref(this.meanClean, this.meanCorrupt, 'clean', 'clean')}
        ${Number.isFinite(this.mean) && se > 0 ? svg`<rect class="se" x=${x(this.mean - se)} y=${TICK_TOP - 2} width=${Math.max(1, x(this.mean + se) - x(this.mean - se))} height=${TICK_BOTTOM - TICK_TOP + 4}></rect>` : nothing}
        ${ticks.map((t) => svg`<line class="tick" x1=${t} x2=${t} y1=${TICK_TOP} y2=${TICK_BOTTOM}></line>`)}
        ${Number.isFinite(this.mean) ? svg`<line class="mean" x1=${x(this.mean)} x2=${x(this.mean)} y1=${TICK_TOP - 3} y2=${TICK_BOTTOM + 3}></line>` : nothing}
        <text class="num" x=${PAD} y=${H - 2} text-anchor="start">${fmt(d[0])}</text>
        <text class="num" x=${W - PAD} y=${H - 2} text-anchor="end">${fmt(d[1])}</text>
      </svg>
      <div class="key muted">${this.values.length} pairs · <span class="k-mean">▮</span> mean ± SE</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-pair-strip': CiPairStrip;
  }
}
