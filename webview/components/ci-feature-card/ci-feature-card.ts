import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { FeatureCardParams, LensToken, ScanScope } from '../../../src/features/sae/shared/protocol.js';
import type { PositionToken } from '../../../src/shared/tokens.js';
import { visibleText } from '../../lib/tokenText.js';
import { fmtAct, peakPosition } from '../ci-feature-strip/featurePaint.js';
import { tokenLabel } from '../ci-feature-strip/ci-feature-strip.js';
import { fmtDensity } from '../ci-sae-panel/saeView.js';
import { styles } from './ci-feature-card.styles.js';

export interface AblateDetail {
  readonly feature: number;
  readonly position: number;
}
export interface ScanDetail {
  readonly feature: number;
  readonly scope: ScanScope;
}
export type AblateEvent = CustomEvent<AblateDetail>;
export type ScanEvent = CustomEvent<ScanDetail>;

const DENSITY_FROM: Readonly<Record<FeatureCardParams['densitySource'], string>> = {
  'sparsity file': "from the SAE's sparsity.safetensors",
  'workspace scan': 'from the workspace scan',
  unknown: 'no sparsity file: scan the workspace to measure it',
};

/**
 * A picked feature's card: its index, density (and where that number comes from), the largest
 * activation seen, where it fires on this prompt, its logit lens (the tokens W_dec[f] · W_U
 * promotes and suppresses, two lists with values), and the actions: ablate at a position, scan
 * the workspace (or a folder), clear the editor paint.
 *
 * @tag ci-feature-card
 * @fires ci-ablate - run the ablated text at `{ feature, position }`
 * @fires ci-scan - scan for examples (`{ feature, scope }`)
 * @fires ci-clear-paint - remove the feature's paint from the editor
 */
@customElement('ci-feature-card')
export class CiFeatureCard extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) card?: FeatureCardParams;
  @property({ attribute: false }) tokens: readonly PositionToken[] = [];
  /** The position to ablate at: the clicked token, else (−1) the feature's peak on the prompt. */
  @property({ type: Number }) position = -1;
  /** A scan is running (the scan buttons are disabled). */
  @property({ type: Boolean }) scanning = false;
  /** An ablation is running. */
  @property({ type: Boolean }) ablating = false;

  /** Where Ablate runs: the chosen position, else the peak outside BOS, else the last token. */
  ablatePosition(): number {
    const c = this.card;
    if (this.position >= 0 && this.position < this.tokens.length) return this.position;
    if (!c) return -1;
    const peak = peakPosition(c.acts_pos, (i) => this.tokens[i]?.isBos === true);
    return peak >= 0 ? peak : this.tokens.length - 1;
  }

  protected override render() {
    const c = this.card;
    if (!c) return nothing;
    let active = 0;
    for (const a of c.acts_pos) if (a > 0) active++;
    const peak = peakPosition(c.acts_pos);
    const at = this.ablatePosition();
    const atTok = this.tokens[at];
    return html`<section class="card" aria-label=${`feature ${c.feature}`}>
      <h2>
        Feature <span class="mono fid">#${c.feature}</span>
        <vscode-badge variant="counter" title="Fraction of tokens it is active on"
          >${c.density === null ? 'density ?' : fmtDensity(c.density).split(' ·')[0]}</vscode-badge
        >
      </h2>
      <dl class="facts">
        <dt>Density</dt>
        <dd class="density">${fmtDensity(c.density)} <span class="muted source">— ${DENSITY_FROM[c.densitySource]}</span></dd>
        <dt>Max activation</dt>
        <dd>
          ${fmtAct(c.maxAct)}
          <span class="muted">— ${c.maxActSource === 'prompt' ? 'on this prompt (scan the workspace for more)' : 'over the workspace scan'}</span>
        </dd>
        <dt>On this prompt</dt>
        <dd>
          ${
            active
              ? html`active at ${active} of ${c.acts_pos.length} tokens, peak ${fmtAct(c.acts_pos[peak])} at
                  <span class="mono">${this.tokens[peak] ? tokenLabel(this.tokens[peak], peak) : `#${peak}`}</span>`
              : html`<span class="muted">not active on any token</span>`
          }
        </dd>
      </dl>
      <div class="lens" aria-label="logit lens">
        ${this.renderLens('Promotes', 'top', c.logitLens.top)} ${this.renderLens('Suppresses', 'bottom', c.logitLens.bottom)}
      </div>
      <p class="muted basis">Logit lens: ${c.logitLens.basis}</p>
      <div class="actions">
        <vscode-button
          class="ablate"
          ?disabled=${at < 0 || this.ablating}
          title="For each earlier token j, the activation at this position with token j's embedding replaced by the mean embedding"
          @click=${() => this.fire<AblateDetail>('ci-ablate', { feature: c.feature, position: at })}
          >Ablate at ${atTok ? tokenLabel(atTok, at) : '…'}</vscode-button
        >
        <vscode-button
          class="scan"
          secondary
          ?disabled=${this.scanning}
          title="Scan the workspace's files of this language for contexts where the feature fires"
          @click=${() => this.fire<ScanDetail>('ci-scan', { feature: c.feature, scope: 'language' })}
          >Scan workspace</vscode-button
        >
        <button class="link scan-folder" ?disabled=${this.scanning} @click=${() => this.fire<ScanDetail>('ci-scan', { feature: c.feature, scope: 'folder' })}>
          Scan a folder…
        </button>
        <button class="link clear" @click=${() => this.fire('ci-clear-paint', {})}>Clear editor paint</button>
      </div>
      ${this.position < 0 ? html`<p class="muted hint">Click a token in the strip to ablate at another position.</p>` : nothing}
    </section>`;
  }

  private renderLens(title: string, cls: string, list: readonly LensToken[]) {
    return html`<div class=${`lens-list ${cls}`}>
      <h3>${title}</h3>
      <ol aria-label=${`tokens the feature ${title.toLowerCase()}`}>
        ${list.map((t) => html`<li><span class="mono tok" title=${`id ${t.id}`}>${visibleText(t.text)}</span><span class="val">${fmtAct(t.value)}</span></li>`)}
      </ol>
    </div>`;
  }

  private fire<D>(name: string, detail: D): void {
    this.dispatchEvent(new CustomEvent<D>(name, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-feature-card': CiFeatureCard;
  }
  interface HTMLElementEventMap {
    'ci-ablate': AblateEvent;
    'ci-scan': ScanEvent;
    'ci-clear-paint': CustomEvent<Record<string, never>>;
  }
}
