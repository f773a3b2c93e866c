import '@vscode-elements/elements/dist/vscode-button/index.js';
import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ComparisonParams, PatchDirection, SaeFeaturesParams } from '../../../src/features/substitution/shared/protocol.js';
import { directionTitles, featureRows, valuesCaption, VERDICT_TEXT, type FeatureCellView } from './featureView.js';
import { styles } from './ci-feature-attribution.styles.js';

export type FeatureInspectEvent = CustomEvent<{ feature: number }>;

const DIRECTIONS: readonly PatchDirection[] = ['denoise', 'noise'];

/**
 * The SAE features that carry a token substitution: each listed feature's attribution (estimate)
 * and exact patch in both directions, with a bar for each, where its attribution peaks, a verdict
 * where the data supports one, and notes where estimate and exact disagree. Without an SAE it is one
 * line with a Select SAE… link.
 *
 * @tag ci-feature-attribution
 * @fires ci-feature-inspect - a feature was clicked (detail: { feature })
 * @fires ci-feature-cancel - Cancel was pressed
 * @fires ci-select-sae - Select SAE… was pressed
 * @cssprop --ci-patch-neg - colour of negative bars
 * @cssprop --ci-patch-pos - colour of positive bars
 */
@customElement('ci-feature-attribution')
export class CiFeatureAttribution extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) comparison?: ComparisonParams;
  @property({ attribute: false }) features?: SaeFeaturesParams;

  protected override updated(): void {
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>('.bar')) {
      el.style.left = el.dataset.left ?? '50%';
      el.style.width = el.dataset.width ?? '0%';
    }
  }

  protected override render() {
    const c = this.comparison;
    const f = this.features;
    if (!c || !f) return nothing;
    if (f.state === 'no-sae') {
      return html`<p class="hint-line muted" role="note">
        <button class="link" @click=${this.selectSae}>Select SAE…</button> to see which SAE features carry this substitution.
        ${f.message ? html`<span class="why" title=${f.message} aria-label=${f.message}>why?</span>` : nothing}
      </p>`;
    }
    const busy = f.state === 'estimating' || f.state === 'exact';
    const rows = featureRows(c, f);
    const titles = directionTitles(c);
    return html`<section aria-label="SAE features that carry the substitution">
      <h2>
        Features that carry the substitution
        ${f.sae ? html`<span class="muted sae" title=${`${f.sae.hook}, ${f.sae.dSae} features, input ${f.sae.inputTransform}`}>${f.sae.label}</span>` : nothing}
      </h2>
      <div class="state" role="status" aria-live="polite">
        <span class=${`state-text ${f.state}`}>${f.message ?? ''}</span>
        ${f.progress && busy ? html`<progress max=${f.progress.total} .value=${f.progress.done} aria-label="exact patches"></progress>` : nothing}
        ${busy ? html`<vscode-button secondary @click=${this.cancel}>Cancel</vscode-button>` : nothing}
      </div>
      ${
        f.warnings.length
          ? html`<ul class="warnings">
              ${f.warnings.map((w) => html`<li>${w}</li>`)}
            </ul>`
          : nothing
      }
      ${
        rows.length
          ? html`<p class="muted caption">
                ${valuesCaption(c)}
                <span class="key"><span class="swatch est"></span> estimate (attribution) <span class="swatch exact"></span> exact patch</span>
              </p>
              <table>
                <thead>
                  <tr>
                    <th>feature</th>
                    <th>peaks at</th>
                    ${DIRECTIONS.map((d) => html`<th>${titles[d]}</th>`)}
                    <th>reading</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (r) =>
                      html`<tr>
                          <td>
                            <button
                              class="link mono"
                              title=${`Inspect feature ${r.feature} on this prompt (Inspect Features)`}
                              @click=${() => this.inspect(r.feature)}
                            >
                              #${r.feature}
                            </button>
                          </td>
                          <td class="mono peak">${r.peak ?? '—'}</td>
                          ${DIRECTIONS.map((d) => this.renderCell(r.cells[d], f.state))}
                          <td>
                            ${r.verdict ? html`<span class=${`verdict ${r.verdict}`} title=${VERDICT_TEXT[r.verdict].title}>${VERDICT_TEXT[r.verdict].label}</span>` : nothing}
                            ${r.notes.length ? html`<span class="warn" title=${r.notes.join('\n')}>⚠ sign differs</span>` : nothing}
                          </td>
                        </tr>
                        ${r.notes.map(
                          (n) =>
                            html`<tr class="note">
                              <td></td>
                              <td colspan="4" class="muted">${n}</td>
                            </tr>`,
                        )}`,
                  )}
                </tbody>
              </table>
              <p class="muted foot">
                Attribution: the activation difference × the metric's gradient, with the SAE spliced in and its error term kept (the model is unchanged). Exact:
                the feature's activations of the other run patched in at every position.
              </p>`
          : f.state === 'done'
            ? html`<p class="muted">No feature's activations differ between the two prompts.</p>`
            : nothing
      }
    </section>`;
  }

  private renderCell(x: FeatureCellView, state: SaeFeaturesParams['state']) {
    const exact = x.exactText !== undefined ? x.exactText : state === 'exact' || state === 'estimating' ? '…' : state === 'cancelled' ? 'not run' : '—';
    return html`<td class=${`cell${x.signDisagrees ? ' disagree' : ''}`}>
      <span class="num"
        ><span class="est-text" title="estimate (attribution)">≈ ${x.estimateText}</span><br /><span class="exact-text" title="exact patch"
          >${exact}</span
        ></span
      >
      <span class="bars">${bar(x.estimateBar, 'est')}${x.exactBar !== undefined ? bar(x.exactBar, 'exact') : bar(0, 'exact')}</span>
    </td>`;
  }

  private inspect(feature: number): void {
    this.dispatchEvent(new CustomEvent('ci-feature-inspect', { detail: { feature }, bubbles: true, composed: true }));
  }

  private cancel = () => this.dispatchEvent(new CustomEvent('ci-feature-cancel', { bubbles: true, composed: true }));
  private selectSae = () => this.dispatchEvent(new CustomEvent('ci-select-sae', { bubbles: true, composed: true }));
}

/**
 * A diverging bar: half the track each side of the centre line, length |v| ≤ 1. Its geometry rides
 * in data attributes and is applied through CSSOM in `updated` (the CSP refuses style attributes).
 */
function bar(v: number, kind: 'est' | 'exact') {
  const w = Math.abs(v) * 50;
  const left = v < 0 ? 50 - w : 50;
  return html`<div class=${`track ${kind}`}>
    <div class=${`bar ${v < 0 ? 'neg' : 'pos'}`} data-left=${`${left}%`} data-width=${`${w}%`}></div>
  </div>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-feature-attribution': CiFeatureAttribution;
  }
  interface HTMLElementEventMap {
    'ci-feature-inspect': FeatureInspectEvent;
  }
}
