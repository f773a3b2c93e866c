import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AblationParams } from '../../../src/features/sae/shared/protocol.js';
import type { PositionToken } from '../../../src/shared/tokens.js';
import { endsLine, visibleText } from '../../lib/tokenText.js';
import { signedLevel } from '../ci-source-strip/sourceLevels.js';
import { fmtAct, rovingIndex } from '../ci-feature-strip/featurePaint.js';
import { tokenLabel } from '../ci-feature-strip/ci-feature-strip.js';
import { paintedTextPng } from '../ci-feature-strip/paintPng.js';
import { ablationDeltas, ablationReadout, ablationScale, fmtSigned, legendTicks } from './ablation.js';
import { styles } from './ci-ablated-text.styles.js';

/**
 * The ablated text: the prompt up to position p, each token j painted by how the feature's
 * activation at p changes when token j's embedding is replaced by the mean token embedding
 * (ablated − clean): blue where ablating lowers it (the feature reads that token), red where it
 * raises it. The target position is outlined, later tokens are dimmed, a legend gives the scale,
 * and hovering or focusing a token reads its numbers out.
 *
 * @tag ci-ablated-text
 * @cssprop --ci-patch-neg - colour of a drop in activation
 * @cssprop --ci-patch-pos - colour of a rise
 */
@customElement('ci-ablated-text')
export class CiAblatedText extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) tokens: readonly PositionToken[] = [];
  @property({ attribute: false }) ablation?: AblationParams;

  @state() private hovered = -1;
  @state() private cursor = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('ablation')) {
      this.hovered = -1;
      this.cursor = this.ablation?.position ?? 0;
    }
  }

  protected override render() {
    const a = this.ablation;
    if (!a) return nothing;
    const d = ablationDeltas(a);
    const scale = ablationScale(d, a.clean);
    const p = a.position;
    const target = this.tokens[p];
    return html`<div class="head">
        <span
          >Feature <strong class="mono">#${a.feature}</strong> at <strong class="mono">${target ? tokenLabel(target, p) : `#${p}`}</strong>: clean activation
          <strong>${fmtAct(a.clean)}</strong></span
        >
      </div>
      ${
        a.clean === 0
          ? html`<p class="note" role="note">The feature is not active at this position, so ablating earlier tokens can only raise it.</p>`
          : nothing
      }
      <div
        class="painted text"
        role="listbox"
        aria-label="ablated text: arrows move between tokens"
        @keydown=${this.onKey}
        @mouseleave=${() => (this.hovered = -1)}
      >
        ${this.tokens.map((t, j) => {
          const after = j > p;
          const v = after ? 0 : signedLevel(d[j], scale);
          const cls = `ptok${t.isBos ? ' bos' : ''}${t.isSpecial ? ' special' : ''}${after ? ' after' : ''}${j === p ? ' at' : ''}`;
          return html`<span
              class=${cls}
              data-j=${j}
              data-v=${v}
              role="option"
              tabindex=${!after && j === this.cursor ? 0 : -1}
              aria-disabled=${after ? 'true' : 'false'}
              aria-selected=${j === p ? 'true' : 'false'}
              aria-label=${after ? `${tokenLabel(t, j)}: after the target` : ablationReadout(a, j, tokenLabel(t, j))}
              @mouseenter=${() => (this.hovered = after ? -1 : j)}
              @focus=${() => {
                this.cursor = j;
                this.hovered = j;
              }}
              >${t.isBos ? 'BOS' : visibleText(t.text)}</span
            >${endsLine(t.text) ? html`<br />` : nothing}`;
        })}
      </div>
      <div class="readout" aria-live="polite">
        ${
          this.hovered >= 0 && this.hovered <= p
            ? ablationReadout(a, this.hovered, tokenLabel(this.tokens[this.hovered], this.hovered))
            : html`<span class="muted">Hover a token: the activation at the outlined token when it is ablated.</span>`
        }
      </div>
      <div class="legend" aria-label="colour scale">
        <div class="scale">
          ${legendTicks(scale).map(
            (v) => html`<span class="step"><span class="sw" data-v=${signedLevel(v, scale)}></span><span class="tick">${fmtSigned(v)}</span></span>`,
          )}
        </div>
        <span class="muted"
          >change in the activation at the outlined token when each token is ablated (${a.method}). <span class="key neg">Blue</span>: ablating it lowers the
          activation, the feature reads that token. <span class="key pos">Red</span>: raises it. Dimmed: after the target.</span
        >
      </div>`;
  }

  private onKey = (e: KeyboardEvent) => {
    const p = this.ablation?.position ?? 0;
    const next = rovingIndex(e.key, this.cursor, p + 1);
    if (next === undefined) return;
    e.preventDefault();
    this.cursor = next;
    this.hovered = next;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-j="${next}"]`)?.focus());
  };

  /** The ablated text as a PNG data URL ('' without an ablation). */
  toPng(): string {
    const a = this.ablation;
    if (!a) return '';
    const d = ablationDeltas(a);
    const scale = ablationScale(d, a.clean);
    const target = this.tokens[a.position];
    return paintedTextPng(
      this.tokens.slice(0, a.position + 1).map((t, j) => ({ text: t.text, value: d[j], bos: t.isBos })),
      {
        title: `Ablated text: feature ${a.feature} at ${target ? tokenLabel(target, a.position) : a.position} (clean ${fmtAct(a.clean)})`,
        legend: `blue: ablating the token lowers the activation; red: raises it; scale ±${fmtAct(scale)} (${a.method})`,
        signed: true,
        scale,
        outline: a.position,
      },
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-ablated-text': CiAblatedText;
  }
}
