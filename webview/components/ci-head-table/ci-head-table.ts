import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { consume } from '@lit/context';
import { LitElement, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { HeadRef, HeadSummary } from '../../../src/shared/inspection.js';
import { focusContext, inspectionContext, type InspectionView } from '../../lib/context.js';
import { dispatchFocus } from '../../lib/events.js';
import { activeHead, initialFocus, sameHead, type FocusState } from '../../lib/focus.js';
import { DEFAULT_SORT, nextSort, parseHeadFilter, sortHeads, type SortKey, type SortState } from './headTableModel.js';
import { styles } from './ci-head-table.styles.js';

const COLUMNS: readonly { key: SortKey; label: string; title: string }[] = [
  { key: 'head', label: 'Head', title: 'layer.head' },
  { key: 'prevToken', label: 'Prev-token', title: 'mean attention from each token to the one before it' },
  { key: 'induction', label: 'Induction', title: 'mean attention to the token after an earlier occurrence of the current token' },
  { key: 'bos', label: 'BOS', title: 'mean attention to the first (BOS) token' },
  { key: 'entropy', label: 'Entropy', title: 'mean entropy of the attention rows, in nats' },
];

/**
 * Sortable, filterable table of per-head scores on this prompt. Hovering a row previews the head,
 * clicking locks it.
 *
 * @tag ci-head-table
 * @fires {FocusEvent} ci-focus - head hover/leave/click actions
 */
@customElement('ci-head-table')
export class CiHeadTable extends LitElement {
  static override styles = styles;

  @consume({ context: inspectionContext, subscribe: true })
  @state()
  inspection?: InspectionView;

  @consume({ context: focusContext, subscribe: true })
  @state()
  focusState: FocusState = initialFocus();

  @state() sort: SortState = DEFAULT_SORT;
  @state() filter = '';

  protected override render() {
    const p = this.inspection?.params;
    if (!p) return nothing;
    const parsed = parseHeadFilter(this.filter);
    const rows = sortHeads(parsed.ok ? p.headSummaries.filter(parsed.test) : p.headSummaries, this.sort);
    const active = activeHead(this.focusState);
    const locked = this.focusState.head.locked;
    return html`
      <div class="toolbar">
        <vscode-textfield
          placeholder="Filter: L3, H5, 3.5, ind>0.3, bos<0.2"
          aria-label="Filter heads"
          .value=${this.filter}
          @input=${this.onFilter}
        ></vscode-textfield>
        <span class=${parsed.ok ? 'muted' : 'error'} aria-live="polite">${parsed.ok ? `${rows.length} of ${p.headSummaries.length} heads` : parsed.error}</span>
      </div>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              ${COLUMNS.map((c) => {
                const sorted = this.sort.key === c.key;
                return html`<th scope="col" aria-sort=${sorted ? this.sort.direction : 'none'} title=${c.title}>
                  <button data-sort=${c.key} @click=${() => (this.sort = nextSort(this.sort, c.key))}>
                    ${c.label}<span class="arrow" aria-hidden="true">${sorted ? (this.sort.direction === 'ascending' ? '▲' : '▼') : ''}</span>
                  </button>
                </th>`;
              })}
            </tr>
          </thead>
          <tbody @pointerleave=${this.onLeave}>
            ${rows.map((r) => this.renderRow(r, active, locked))}
          </tbody>
        </table>
      </div>
    `;
  }

  private renderRow(r: HeadSummary, active: HeadRef | null, locked: HeadRef | null) {
    const isLocked = locked !== null && sameHead(locked, r);
    const cls = `${active && sameHead(active, r) ? 'active' : ''}${isLocked ? ' locked' : ''}`;
    const head = { layer: r.layer, head: r.head };
    return html`<tr
      class=${cls}
      data-head=${`${r.layer}.${r.head}`}
      @pointerenter=${() => dispatchFocus(this, { target: 'head', action: { type: 'hover', item: head } })}
      @click=${() => dispatchFocus(this, { target: 'head', action: { type: 'click', item: head } })}
    >
      <td><button class="head" aria-pressed=${isLocked ? 'true' : 'false'} title="Lock this head">${r.layer}.${r.head}</button></td>
      <td>${r.prevToken.toFixed(3)}</td>
      <td>${r.induction === null ? html`<span class="none" title="no token repeats in this prompt">—</span>` : r.induction.toFixed(3)}</td>
      <td>${r.bos.toFixed(3)}</td>
      <td>${r.entropy.toFixed(2)}</td>
    </tr>`;
  }

  private onFilter = (e: Event) => {
    const t = e.target;
    if (t instanceof HTMLElement && 'value' in t && typeof t.value === 'string') this.filter = t.value;
  };

  private onLeave = () => {
    if (this.focusState.head.hovered) dispatchFocus(this, { target: 'head', action: { type: 'leave' } });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-head-table': CiHeadTable;
  }
}
