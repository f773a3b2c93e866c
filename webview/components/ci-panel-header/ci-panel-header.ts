import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { consume } from '@lit/context';
import { LitElement, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { RunStateKind } from '../../../src/features/attention/shared/protocol.js';
import { formatLogitsError } from '../../../src/shared/precision.js';
import '../ci-model-name/index.js';
import { inspectionContext, statusContext, type InspectionView, type PanelStatus } from '../../lib/context.js';
import { styles } from './ci-panel-header.styles.js';

const RUN_LABEL: Readonly<Record<RunStateKind, string>> = {
  loading: 'Loading model…',
  running: 'Running…',
  done: 'Done',
  error: 'Failed',
  cancelled: 'Cancelled',
};

/**
 * The panel header: model name (with an "int8 approximate" badge, and a line giving the logits error
 * against fp32, for an int8 run), token count, model size, run state, an Export button (the run's
 * activations as safetensors, for Python), and a banner when the document changed after the
 * inspection ran.
 *
 * @tag ci-panel-header
 * @fires ci-export-activations - the Export button was pressed (detail: the inspection id)
 * @fires ci-open-residual-stream - the Residual Stream button was pressed (detail: the inspection id)
 */
@customElement('ci-panel-header')
export class CiPanelHeader extends LitElement {
  static override styles = styles;

  @consume({ context: inspectionContext, subscribe: true })
  @state()
  inspection?: InspectionView;

  @consume({ context: statusContext, subscribe: true })
  @state()
  status: PanelStatus = { runState: null, stale: false };

  protected override render() {
    const p = this.inspection?.params;
    const { runState, message, progress } = this.status;
    const stale = this.status.stale || p?.stale === true;
    const busy = runState === 'loading' || runState === 'running';
    const pct = progress !== undefined ? ` ${Math.round(progress * 100)}%` : '';
    return html`
      <header>
        <h1>Inspect Attention</h1>
        ${
          p
            ? html`<ci-model-name class="model" .label=${p.modelName} .precisionError=${p.precisionError}></ci-model-name>
                <span class="facts muted">${p.tokens.length} tokens · ${p.n_layers} layers × ${p.n_heads} heads</span>`
            : nothing
        }
        ${
          runState
            ? html`<span class=${`run ${runState}`} role="status" aria-live="polite">
                ${busy ? html`<vscode-progress-ring aria-label="working"></vscode-progress-ring>` : nothing}
                ${RUN_LABEL[runState]}${busy ? pct : ''}${message ? html` <span class="muted">— ${message}</span>` : nothing}
              </span>`
            : nothing
        }
        ${
          p
            ? html`<vscode-button
                  class="export"
                  secondary
                  ?disabled=${busy}
                  title="Save every TransformerLens hook of this run, with its tokens, as one .safetensors file to load in Python"
                  @click=${() => this.dispatchEvent(new CustomEvent<string>('ci-export-activations', { detail: p.inspectionId, bubbles: true, composed: true }))}
                  >Export for Python</vscode-button
                >
                <vscode-button
                  class="residual"
                  secondary
                  ?disabled=${busy}
                  title="Inspect Residual Stream on this prompt: logit lens, norm growth and direct logit attribution, from this run's forward"
                  @click=${() => this.dispatchEvent(new CustomEvent<string>('ci-open-residual-stream', { detail: p.inspectionId, bubbles: true, composed: true }))}
                  >Residual Stream</vscode-button
                >`
            : nothing
        }
      </header>
      ${
        p?.precisionError
          ? html`<p class="precision" role="note">
              ${formatLogitsError(p.precisionError)}. Hook values are approximate too: they differ from Hugging Face and TransformerLens.
            </p>`
          : nothing
      }
      ${
        stale
          ? html`<div class="banner" role="alert">
              <strong>Stale</strong>
              <span
                >— the document changed since this inspection ran${this.status.staleReason ? ` (${this.status.staleReason})` : ''}. Run Inspect Attention again
                to update it.</span
              >
            </div>`
          : nothing
      }
    `;
  }
}

export type ExportActivationsEvent = CustomEvent<string>;

declare global {
  interface HTMLElementTagNameMap {
    'ci-panel-header': CiPanelHeader;
  }
  interface HTMLElementEventMap {
    'ci-export-activations': ExportActivationsEvent;
    'ci-open-residual-stream': CustomEvent<string>;
  }
}
