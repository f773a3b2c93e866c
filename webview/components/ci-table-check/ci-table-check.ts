import '@vscode-elements/elements/dist/vscode-button/index.js';
import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TableCheckParams } from '../../../src/features/substitution/shared/protocol.js';
import { styles } from './ci-table-check.styles.js';
import { tableCheckView } from './tableCheckView.js';

/**
 * One patching table of an int8 run checked against fp32: the "Check against fp32" action, its
 * progress with Cancel, then how far the int8 table is from the fp32 one (max |Δ| of the metric,
 * as a share of the gap, and how many of the strongest cells both share, naming those that differ).
 *
 * @tag ci-table-check
 * @fires ci-table-check-run - the action was pressed
 * @fires ci-table-check-cancel - Cancel was pressed while the check ran
 * @csspart result - the finished check
 */
@customElement('ci-table-check')
export class CiTableCheck extends LitElement {
  static override styles = styles;

  /** The check of this table, as far as it got (absent: never run). */
  @property({ attribute: false }) check?: TableCheckParams;

  /** Why the action cannot run now (an estimate, sweeps running, another check); empty when it can. */
  @property() disabledReason = '';

  /** A cell's label by its index in the table (`L1 H2`, `L0 pos 5`). */
  @property({ attribute: false }) label: (index: number) => string = (i) => `cell ${i}`;

  protected override render() {
    const c = this.check;
    if (c?.state === 'running') {
      const p = c.progress ?? 0;
      return html`<div class="row" role="status" aria-live="polite">
        <span>Checking against fp32…</span>
        <progress max="1" .value=${p} aria-label="fp32 check progress"></progress>
        <span class="muted pct">${Math.round(p * 100)}%</span>
        <vscode-button secondary @click=${() => this.fire('ci-table-check-cancel')}>Cancel</vscode-button>
      </div>`;
    }
    if (c?.state === 'done' && c.check) return this.renderResult(c);
    return html`${c?.message ? html`<div class=${`message ${c.state}`} role=${c.state === 'error' ? 'alert' : 'status'}>${c.message}</div>` : nothing}
      <div class="row">
        <vscode-button
          secondary
          ?disabled=${this.disabledReason !== ''}
          title="Recompute this table with the fp32 weights of the same model (no second load) and compare it with the int8 table shown"
          @click=${() => this.disabledReason === '' && this.fire('ci-table-check-run')}
          >Check against fp32</vscode-button
        >
        <span class="muted">${this.disabledReason || 'how far this int8 table is from fp32'}</span>
      </div>`;
  }

  private renderResult(c: TableCheckParams) {
    const v = tableCheckView(c.check!, this.label);
    return html`<div class=${`result${v.notable ? ' notable' : ''}`} part="result" role="note" aria-label="int8 against fp32">
      <div class="line">
        <strong>int8 vs fp32</strong>
        <span class="num">${v.maxAbs}${v.share ? ` (${v.share})` : ''} · ${v.top}</span>
      </div>
      ${
        v.fp32Only.length || v.int8Only.length
          ? html`<div class="line muted">
              <span>strongest in fp32 only: <span class="mono">${v.fp32Only.join(', ') || 'none'}</span></span>
              <span>in int8 only: <span class="mono">${v.int8Only.join(', ') || 'none'}</span></span>
            </div>`
          : nothing
      }
      <div class="verdict">${v.verdict}</div>
      <div class="line muted num">${v.metrics}</div>
    </div>`;
  }

  private fire(name: 'ci-table-check-run' | 'ci-table-check-cancel'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-table-check': CiTableCheck;
  }
  interface HTMLElementEventMap {
    'ci-table-check-run': CustomEvent<void>;
    'ci-table-check-cancel': CustomEvent<void>;
  }
}
