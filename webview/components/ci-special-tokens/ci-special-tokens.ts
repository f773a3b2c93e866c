import { consume } from '@lit/context';
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { InspectionParams, SpecialTokenFinding, SpecialTokenHead } from '../../../src/shared/inspection.js';
import { focusContext, inspectionContext, type InspectionView } from '../../lib/context.js';
import { dispatchFocus } from '../../lib/events.js';
import { initialFocus, sameHead, type FocusState } from '../../lib/focus.js';
import { visibleText } from '../../lib/tokenText.js';
import { styles } from './ci-special-tokens.styles.js';

/** Ratios above this are shown as "over N×" (the analysis caps its messages the same way). */
const MAX_SHOWN_RATIO = 20;

/** Ratio as a multiplier for a head button: `8.1×`, `1/4.2×`, `>20×`, `1/>20×`. */
function shortRatio(r: number): string {
  const m = r >= 1 ? r : 1 / r;
  const s = m > MAX_SHOWN_RATIO ? `>${MAX_SHOWN_RATIO}×` : `${m.toFixed(1)}×`;
  return r >= 1 ? s : `1/${s}`;
}

/** A watch-list entry and what this prompt says about it. */
interface WatchedLine {
  readonly entry: string;
  /** Occurrences in the prompt (BOS excluded). */
  readonly count: number;
  readonly findings: readonly SpecialTokenFinding[];
}

/** One line per watch-list entry: its findings, or why there are none. */
export function watchedLines(p: InspectionParams): WatchedLine[] {
  return p.watchTokens.map((entry) => {
    const ids = new Set<number>();
    let count = 0;
    for (const t of p.tokens) {
      if (!t.isWatched || t.isBos || t.text.replace(/^[ Ġ]/, '') !== entry) continue;
      ids.add(t.id);
      count++;
    }
    return { entry, count, findings: p.specialTokens.filter((f) => ids.has(f.tokenId)) };
  });
}

/**
 * Tokens that some heads treat specially (attend to much more, or much less, than to other
 * whole-word tokens of the same kind), strongest first, with the heads responsible. Every
 * watch-list entry gets a line first, found or not. Clicking a head locks it and focuses the
 * token's first occurrence with direction "to", so the strip shows who attends to it.
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
    const watched = watchedLines(p);
    return html`${
        watched.length > 0
          ? html`<ul class="watched" aria-label="Watched tokens">
              ${watched.map((w) => this.renderWatched(w))}
            </ul>`
          : nothing
      }
      <p class="explain muted">
        Each ratio compares, within one head and the same query rows, the attention paid to the token with the mean attention paid to the other whole-word
        tokens of its kind, at keys two or more positions back that the head reaches, with the head's taste for near or far keys divided out; it is pooled over
        the (query, key) pairs each head shows (n). Subword pieces, tokens seen only once, and ratios resting on few pairs or few comparable tokens, are not
        reported.
      </p>
      ${
        p.specialTokens.length === 0
          ? html`<p class="empty muted">No head attends to a whole-word token here much more (or less) than to other tokens of the same kind.</p>`
          : html`<ol aria-label="Special-token findings">
              ${p.specialTokens.map((f) => this.renderFinding(f))}
            </ol>`
      }`;
  }

  private renderWatched(w: WatchedLine) {
    const quoted = html`<span class="token watched">${visibleText(w.entry)}</span>`;
    if (w.count === 0) return html`<li data-watched=${w.entry}>${quoted} <span class="muted">not in this prompt</span></li>`;
    if (w.findings.length === 0) {
      return html`<li data-watched=${w.entry}>${quoted} <span class="muted">(${w.count}× in prompt): no head treats it specially on this prompt</span></li>`;
    }
    return html`<li data-watched=${w.entry}>
      ${quoted}
      <span class="muted">(${w.count}× in prompt):</span>
      ${w.findings.map((f) => f.message).join('; ')}
    </li>`;
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
    const ratio = shortRatio(h.ratio);
    return html`<button
      aria-pressed=${pressed ? 'true' : 'false'}
      title=${`ratio ${h.ratio.toPrecision(3)} over ${h.support} (query, key) pairs, robust z ${h.robustZ.toFixed(1)}: show who attends to this token in head ${h.layer}.${h.head}`}
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
      ${h.layer}.${h.head} · ${ratio} · n=${h.support}
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-special-tokens': CiSpecialTokens;
  }
}
