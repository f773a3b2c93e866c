import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { INT8_LABEL, INT8_NOTE, formatLogitsError, splitModelLabel, type LogitsError } from '../../../src/shared/precision.js';
import { styles } from './ci-model-name.styles.js';

/**
 * A model's name as every panel header shows it: the name, and for an int8 run (a name ending in
 * "· int8 approximate", see `labelModelName`) a badge saying so, whose tooltip says what that means
 * and, when the run measured it, how far its logits are from fp32.
 *
 * @tag ci-model-name
 * @csspart badge - the "int8 approximate" badge
 */
@customElement('ci-model-name')
export class CiModelName extends LitElement {
  static override styles = styles;

  /** The spec's display name (labelled for int8 runs). */
  @property() label = '';

  /** The run's logits error against fp32, when measured (Inspect Attention). */
  @property({ attribute: false }) precisionError?: LogitsError;

  protected override render() {
    const { name, int8 } = splitModelLabel(this.label);
    const tip = [INT8_NOTE, this.precisionError ? `On this prompt, ${formatLogitsError(this.precisionError)}.` : ''].filter(Boolean).join('\n');
    return html`<span class="name" title="model">${name}</span>${
        int8 ? html`<span class="badge" part="badge" role="note" title=${tip} aria-label=${`${INT8_LABEL}: ${tip}`}>${INT8_LABEL}</span>` : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-model-name': CiModelName;
  }
}
