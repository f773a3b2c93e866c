import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import { consume } from '@lit/context';
import { LitElement, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { type AttentionDirection } from '../../../src/features/attention/shared/protocol.js';
import { headLabel, type TokenInfo } from '../../../src/shared/inspection.js';
import { focusContext, inspectionContext, patternsContext, type InspectionView } from '../../lib/context.js';
import { dispatchFocus } from '../../lib/events.js';
import { activeHead, activeToken, initialFocus, tokenWeights, type FocusState } from '../../lib/focus.js';
import type { PatternView } from '../../lib/patternStore.js';
import { endsLine, shortLabel, visibleText, weightLevel } from '../../lib/tokenText.js';
import { styles } from './ci-token-strip.styles.js';

/** The tooltip of a special token written in the text (`<|endoftext|>`), which the model reads as one token. */
export function specialTitle(t: Pick<TokenInfo, 'id' | 'text'>): string {
  return `special token ${t.text} (id ${t.id}), as TransformerLens reads it; circuitInspector.specialTokensInText off reads it as plain text`;
}

/**
 * The prompt's tokens exactly as tokenized: whitespace shown as ·, →, ⏎; BOS marked; a special
 * token written in the text (a literal `<|endoftext|>`) marked as one; watched
 * tokens underlined. With a head and a token focused, every token is coloured by the attention
 * from the focused token (direction "from") or to it ("to"). Hover previews a token, click locks
 * it; arrow keys move between tokens, Enter locks, Escape unlocks. Token text is bound as text,
 * so markup in a token stays inert.
 *
 * @tag ci-token-strip
 * @fires {FocusEvent} ci-focus - token hover/leave/click/lock/unlock and direction actions
 * @cssprop --ci-heat-color - colour of attention weight 1
 * @csspart strip - the scrollable token list
 */
@customElement('ci-token-strip')
export class CiTokenStrip extends LitElement {
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

  /** The token that takes Tab focus (roving tabindex). */
  @state() private cursor = 0;

  private weights(): Float32Array | undefined {
    const p = this.inspection?.params;
    const head = activeHead(this.focusState);
    const token = activeToken(this.focusState);
    if (!p || !head || token === null || token >= p.tokens.length) return undefined;
    const pattern = this.patterns?.get(head);
    return pattern ? tokenWeights(pattern, p.tokens.length, token, this.focusState.direction) : undefined;
  }

  protected override render() {
    const p = this.inspection?.params;
    if (!p) return nothing;
    const weights = this.weights();
    const active = activeToken(this.focusState);
    const locked = this.focusState.token.locked;
    const cursor = Math.min(this.cursor, p.tokens.length - 1);
    return html`
      <div class="toolbar">
        <vscode-radio-group aria-label="Attention direction" @change=${this.onDirection}>
          <vscode-radio name="direction" value="from" ?checked=${this.focusState.direction === 'from'}>from focused token</vscode-radio>
          <vscode-radio name="direction" value="to" ?checked=${this.focusState.direction === 'to'}>to focused token</vscode-radio>
        </vscode-radio-group>
        <span class="legend muted" aria-live="polite">${this.legend(p.tokens, weights !== undefined)}</span>
      </div>
      <div
        class="strip"
        part="strip"
        role="listbox"
        aria-label=${`${p.tokens.length} tokens`}
        @pointerover=${this.onPointerOver}
        @pointerleave=${this.onPointerLeave}
        @click=${this.onClick}
        @keydown=${this.onKeyDown}
        @focusout=${this.onFocusOut}
      >
        ${p.tokens.map((t, i) => {
          const w = weights ? weightLevel(weights[i]) : 0;
          const cls = `tok${t.isBos ? ' bos' : ''}${t.isSpecial ? ' special' : ''}${t.isWatched ? ' watched' : ''}${i === active ? ' active' : ''}${i === locked ? ' locked' : ''}`;
          const title = `#${i} · ${t.isSpecial ? specialTitle(t) : `id ${t.id}`}${t.isBos ? ' · BOS' : ''}${t.isWatched ? ' · watched' : ''}${weights ? ` · attention ${weights[i].toFixed(3)}` : ''}`;
          return html`<span
              class=${cls}
              data-i=${i}
              data-w=${w}
              role="option"
              aria-selected=${i === locked ? 'true' : 'false'}
              tabindex=${i === cursor ? 0 : -1}
              title=${title}
              >${visibleText(t.text)}</span
            >${endsLine(t.text) ? html`<br />` : nothing}`;
        })}
      </div>
    `;
  }

  private legend(tokens: readonly TokenInfo[], coloured: boolean): string {
    const head = activeHead(this.focusState);
    const token = activeToken(this.focusState);
    if (!head) return 'Pick a head in the grid, then hover or click a token to colour the others by its attention.';
    if (token === null) return `Hover or click a token to see head ${headLabel(head)}'s attention ${this.focusState.direction === 'from' ? 'from' : 'to'} it.`;
    const t = tokens[token];
    const label = t ? `${shortLabel(t.text, 20)} (#${token})` : `#${token}`;
    if (!coloured) return `Loading head ${headLabel(head)}…`;
    return this.focusState.direction === 'from'
      ? `Head ${headLabel(head)}: attention from ${label} to each earlier token.`
      : `Head ${headLabel(head)}: attention to ${label} from each later token.`;
  }

  private tokenIndexOf(e: Event): number | null {
    for (const el of e.composedPath()) {
      if (el instanceof HTMLElement && el.classList.contains('tok')) {
        const i = Number(el.dataset.i);
        return Number.isInteger(i) ? i : null;
      }
    }
    return null;
  }

  private onDirection = (e: Event) => {
    const target = e.target;
    if (!(target instanceof HTMLElement) || !('value' in target)) return;
    const v = target.value;
    if (v === 'from' || v === 'to') {
      const direction: AttentionDirection = v;
      dispatchFocus(this, { target: 'direction', direction });
    }
  };

  private onPointerOver = (e: PointerEvent) => {
    const i = this.tokenIndexOf(e);
    if (i !== null && this.focusState.token.hovered !== i) dispatchFocus(this, { target: 'token', action: { type: 'hover', item: i } });
  };

  private onPointerLeave = () => {
    if (this.focusState.token.hovered !== null) dispatchFocus(this, { target: 'token', action: { type: 'leave' } });
  };

  private onClick = (e: MouseEvent) => {
    const i = this.tokenIndexOf(e);
    if (i === null) return;
    this.cursor = i;
    dispatchFocus(this, { target: 'token', action: { type: 'click', item: i } });
  };

  private onFocusOut = (e: FocusEvent) => {
    const next = e.relatedTarget;
    const strip = e.currentTarget;
    if (next instanceof Node && strip instanceof Node && strip.contains(next)) return;
    if (this.focusState.token.hovered !== null) dispatchFocus(this, { target: 'token', action: { type: 'leave' } });
  };

  private onKeyDown = (e: KeyboardEvent) => {
    const p = this.inspection?.params;
    if (!p) return;
    const i = this.tokenIndexOf(e) ?? this.cursor;
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowLeft':
      case 'ArrowUp':
        next = Math.max(0, i - 1);
        break;
      case 'ArrowRight':
      case 'ArrowDown':
        next = Math.min(p.tokens.length - 1, i + 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = p.tokens.length - 1;
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        dispatchFocus(this, { target: 'token', action: { type: 'lock', item: i } });
        return;
      case 'Escape':
        if (this.focusState.token.locked === null && this.focusState.token.hovered === null) return;
        e.preventDefault();
        dispatchFocus(this, {
          target: 'batch',
          actions: [
            { target: 'token', action: { type: 'unlock' } },
            { target: 'token', action: { type: 'leave' } },
          ],
        });
        return;
      default:
        return;
    }
    e.preventDefault();
    this.cursor = next;
    dispatchFocus(this, { target: 'token', action: { type: 'hover', item: next } });
    void this.updateComplete.then(() => {
      const el = this.renderRoot.querySelector<HTMLElement>(`.tok[data-i="${next}"]`);
      el?.focus();
      el?.scrollIntoView({ block: 'nearest' });
    });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-token-strip': CiTokenStrip;
  }
}
