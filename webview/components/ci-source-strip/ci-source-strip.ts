import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { visibleText, type PromptToken } from '../../../src/shared/tokens.js';
import { endsLine } from '../../lib/tokenText.js';
import { fmtLogit } from '../ci-dla/dlaView.js';
import { signedLevel } from './sourceLevels.js';
import { styles } from './ci-source-strip.styles.js';

/**
 * The prompt's tokens, each tinted by a signed value (one head's contribution through that key
 * position): red for positive, blue for negative, as the DLA heatmap. Tokens after `position`
 * cannot be sources and are dimmed; the token at `position` is outlined. Text is bound as text.
 *
 * @tag ci-source-strip
 * @cssprop --ci-patch-neg - colour of negative values
 * @cssprop --ci-patch-pos - colour of positive values
 * @csspart strip - the scrollable token list
 */
@customElement('ci-source-strip')
export class CiSourceStrip extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) tokens: readonly PromptToken[] = [];
  /** One value per token. */
  @property({ attribute: false }) values?: Float32Array;
  /** The position the values are read at (later tokens are dimmed). */
  @property({ type: Number }) position = -1;

  protected override render() {
    const v = this.values;
    if (!v) return nothing;
    let scale = 0;
    for (const x of v) scale = Math.max(scale, Math.abs(x));
    return html`<div class="strip" part="strip" role="list" aria-label="contribution through each source token">
        ${this.tokens.map((t, i) => {
          const after = this.position >= 0 && i > this.position;
          const cls = `tok${t.isBos ? ' bos' : ''}${after ? ' after' : ''}${i === this.position ? ' at' : ''}`;
          return html`<span class=${cls} role="listitem" data-i=${i} data-v=${signedLevel(v[i] ?? 0, scale)} title=${`#${i} · ${fmtLogit(v[i] ?? 0)}`}
              >${t.isBos ? 'BOS' : visibleText(t.text)}</span
            >${endsLine(t.text) ? html`<br />` : nothing}`;
        })}
      </div>
      <div class="key muted">
        <span class="sw neg"></span> lowers the answer's logit difference · <span class="sw pos"></span> raises it · outlined: the position read · dimmed: after
        it
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-source-strip': CiSourceStrip;
  }
}
