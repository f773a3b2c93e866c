import { consume } from '@lit/context';
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { SpecialTokenFinding, SpecialTokenHead } from '../../../src/shared/inspection.js';
import { focusContext, inspectionContext, type InspectionView } from '../../lib/context.js';
import { dispatchFocus } from '../../lib/events.js';
import { initialFocus, sameHead, type FocusState } from '../../lib/focus.js';
import { visibleText } from '../../lib/tokenText.js';
import { styles } from './ci-special-tokens.styles.js';

/**
 * Tokens that some heads treat specially (attend to much more, or much less, than to other
 * tokens of the same kind), strongest first, with the heads responsible. Clicking a head locks it
 * and focuses the token's first occurrence with direction "to", so the strip shows who attends
 * to it.
 *
 * @tag ci-special-tokens
 * @fires {FocusEvent} ci-focus - head lock + token lock + direction, as one batch
 */
@customElement('ci-special-tokens')
export class CiSpecialTokens extends LitElement {
  static override styles = styles;

  /** Heads listed per finding before "+N more". */
  @property({ type: Number, attribute: 'max-heads' }) maxHeads = 8;

  @consume({ context: inspectionContext, subscribe: true })
  @state()
  inspection?: InspectionView;

  @consume({ context: focusContext, subscribe: true })
  @state()
  focusState: FocusState = initialFocus();

  protected override render() {
    const p = this.inspection?.params;
    if (!p) return nothing;
    if (p.specialTokens.length === 0) {
      return html`<p class="empty muted">No head attends to a token here much more (or less) than to other tokens of the same kind.</p>`;
    }
    return html`<ol aria-label="Special-token findings">
      ${p.specialTokens.map((f) => this.renderFinding(f))}
    </ol>`;
  }

  private renderFinding(f: SpecialTokenFinding) {
    const p = this.inspection?.params;
    const watched = f.tokenIndices.some((i) => p?.tokens[i]?.isWatched);
    const shown = f.heads.slice(0, this.maxHeads);
    const more = f.heads.length - shown.length;
    return html`<li>
      <div class="line">
        <span class=${`token${watched ? ' watched' : ''}`} title=${`token id ${f.tokenId}`}>${visibleText(f.text)}</span>
        <span class="kind muted">${f.kind} · ${f.tokenIndices.length}× in prompt · vs ${f.comparedWith} others</span>
        <span class=${`dir-${f.direction}`}>${f.direction === 'more' ? '▲ attended more' : '▼ attended less'}</span>
      </div>
      <div class="message">${f.message}</div>
      <div class="heads" role="group" aria-label="Heads">
        ${shown.map((h) => this.renderHead(f, h))} ${more > 0 ? html`<span class="muted">+${more} more</span>` : nothing}
      </div>
    </li>`;
  }

  private renderHead(f: SpecialTokenFinding, h: SpecialTokenHead) {
    const locked = this.focusState.head.locked;
    const pressed = locked !== null && sameHead(locked, h) && this.focusState.token.locked === f.tokenIndices[0];
    const ratio = h.ratio >= 1 ? `${h.ratio.toFixed(1)}×` : `1/${(1 / h.ratio).toFixed(1)}×`;
    return html`<button
      aria-pressed=${pressed ? 'true' : 'false'}
      title=${`robust z ${h.robustZ.toFixed(1)}: show who attends to this token in head ${h.layer}.${h.head}`}
      @click=${() =>
        dispatchFocus(this, {
          target: 'batch',
          actions: [
            { target: 'head', action: { type: 'lock', item: { layer: h.layer, head: h.head } } },
            { target: 'token', action: { type: 'lock', item: f.tokenIndices[0] } },
            { target: 'direction', direction: 'to' },
          ],
        })}
    >
      ${h.layer}.${h.head} · ${ratio}
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-special-tokens': CiSpecialTokens;
  }
}
