import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ScanExample, ScanProgressParams, ScanResultParams } from '../../../src/features/sae/shared/protocol.js';
import { visibleText } from '../../lib/tokenText.js';
import { actLevel, fmtAct } from '../ci-feature-strip/featurePaint.js';
import { fmtDensity } from '../ci-sae-panel/saeView.js';
import { fmtCount, groupByDecile } from './quantiles.js';
import { styles } from './ci-feature-examples.styles.js';

export interface OpenExampleDetail {
  readonly exampleId: string;
}
export type OpenExampleEvent = CustomEvent<OpenExampleDetail>;

/**
 * A feature's examples from the user's workspace: the top-activating contexts and uniform samples
 * from the activation quantiles, each a snippet with the feature painted and its peak outlined;
 * click one to open it in the editor. While the scan runs: progress (files, tokens, tokens/s) and
 * Cancel. A scan cancelled midway says it is partial; one served from the cache says so.
 *
 * @tag ci-feature-examples
 * @fires ci-open-example - an example was clicked (`{ exampleId }`)
 * @fires ci-cancel-scan - Cancel was clicked
 * @cssprop --ci-feature-act - the colour of a feature's activation
 */
@customElement('ci-feature-examples')
export class CiFeatureExamples extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) result?: ScanResultParams;
  @property({ attribute: false }) progress?: ScanProgressParams;
  @property({ type: Boolean }) running = false;
  /** Why the last scan failed (shown in place; the previous examples stay). */
  @property() error = '';

  protected override render() {
    const r = this.result;
    return html`${this.running ? this.renderProgress() : nothing}
    ${this.error ? html`<div class="error" role="alert">Scan failed: ${this.error}</div>` : nothing} ${r ? this.renderResult(r) : nothing}
    ${!r && !this.running && !this.error ? html`<p class="muted">No scan yet: <em>Scan workspace</em> on the feature card finds where it fires in your code.</p>` : nothing}`;
  }

  private renderProgress() {
    const p = this.progress;
    const frac = p && p.filesTotal > 0 ? p.filesDone / p.filesTotal : undefined;
    return html`<div class="progress" role="status" aria-live="polite">
      <vscode-progress-bar aria-label="scan progress" ?indeterminate=${frac === undefined} .value=${frac ?? 0} .max=${1}></vscode-progress-bar>
      <span class="stats">
        ${
          p
            ? html`Scanning: ${fmtCount(p.filesDone)} of ${fmtCount(p.filesTotal)} files · ${fmtCount(p.tokens)} tokens · ${fmtCount(p.tokensPerSecond)}
              tokens/s`
            : 'Scanning: listing files…'
        }
      </span>
      <vscode-button secondary class="cancel" @click=${() => this.dispatchEvent(new CustomEvent('ci-cancel-scan', { bubbles: true, composed: true }))}
        >Cancel</vscode-button
      >
    </div>`;
  }

  private renderResult(r: ScanResultParams) {
    const groups = groupByDecile(r.uniform);
    return html`<p class="summary">
        <span>${r.scope}: ${fmtCount(r.filesScanned)} of ${fmtCount(r.filesTotal)} files · ${fmtCount(r.tokensScanned)} tokens</span>
        <span>density ${fmtDensity(r.density)}</span>
        <span>max ${fmtAct(r.maxAct)}</span>
        ${r.cached ? html`<span class="cached muted" title="Same model, SAE and file versions as an earlier scan">from the cache</span>` : nothing}
      </p>
      ${
        r.partial
          ? html`<div class="banner partial" role="status">
              <strong>Partial</strong> — the scan stopped after ${fmtCount(r.filesScanned)} of ${fmtCount(r.filesTotal)} files; these examples, the density and
              the max come from those files only.
            </div>`
          : nothing
      }
      <h3>Top activations</h3>
      ${
        r.top.length
          ? html`<ol class="examples top">
              ${r.top.map((e) => this.renderExample(e, r.maxAct))}
            </ol>`
          : html`<p class="muted">The feature never fired in the scanned files.</p>`
      }
      <h3>Uniform examples <span class="muted sub">drawn from each band of its nonzero activations, highest first</span></h3>
      ${
        groups.length
          ? groups.map(
              (g) =>
                html`<div class="band">
                  <div class="band-label muted" title="Quantile band of the feature's nonzero activations">${g.label}</div>
                  <ol class="examples uniform">
                    ${g.examples.map((e) => this.renderExample(e, r.maxAct))}
                  </ol>
                </div>`,
            )
          : html`<p class="muted">None.</p>`
      }`;
  }

  private renderExample(e: ScanExample, max: number) {
    return html`<li>
      <button
        class="ex"
        data-id=${e.exampleId}
        title=${`Open ${e.file}:${e.line} with the feature painted`}
        aria-label=${`${e.file} line ${e.line}, activation ${fmtAct(e.act)}: open in the editor`}
        @click=${() => this.dispatchEvent(new CustomEvent<OpenExampleDetail>('ci-open-example', { detail: { exampleId: e.exampleId }, bubbles: true, composed: true }))}
      >
        <span class="where"><span class="act">${fmtAct(e.act)}</span><span class="file">${e.file}:${e.line}</span></span>
        <span class="painted snippet"
          >${e.tokens.map(
            (t, i) => html`<span class=${`ptok${i === e.peak ? ' peak' : ''}`} data-level=${actLevel(t.act, max)}>${visibleText(t.text)}</span>`,
          )}</span
        >
      </button>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-feature-examples': CiFeatureExamples;
  }
  interface HTMLElementEventMap {
    'ci-open-example': OpenExampleEvent;
    'ci-cancel-scan': CustomEvent<undefined>;
  }
}
