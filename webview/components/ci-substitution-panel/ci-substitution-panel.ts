import '@vscode-elements/elements/dist/vscode-button/index.js';
import '../ci-patch-heatmap/index.js';
import '../ci-patch-head-detail/index.js';
import '../ci-feature-attribution/index.js';
import '../ci-table-check/index.js';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, queryAll, state } from 'lit/decorators.js';
import {
  CancelRun,
  CancelSaeFeatures,
  CancelTableCheck,
  cellAddress,
  CheckTable,
  Comparison,
  DEFAULT_SIGNIFICANCE,
  ExportPng,
  ExportTables,
  formatValue,
  HeadPatterns,
  InspectFeature,
  PatchTables,
  positionLabels,
  RequestHeadPatterns,
  SaeFeatures,
  SelectSae,
  SUBSTITUTION_PROTOCOL_VERSION,
  SubstitutionReady,
  SubstitutionRunState,
  SubstitutionStale,
  SWEEP_LABELS,
  TableCheck,
  type ComparisonParams,
  type ExportFormat,
  type HeadPatternsParams,
  type PatchDirection,
  type PatchTable,
  type SaeFeaturesParams,
  type SubstitutionRunStateParams,
  type SubstitutionWebviewToHost,
  type SweepKind,
  type TableCheckParams,
  type ValueMode,
} from '../../../src/features/substitution/shared/protocol.js';
import { formatLogitsError, splitModelLabel } from '../../../src/shared/precision.js';
import { visibleText } from '../../../src/shared/tokens.js';
import type { CiPatchHeatmap, PatchCellEvent } from '../ci-patch-heatmap/ci-patch-heatmap.js';
import type { FeatureInspectEvent } from '../ci-feature-attribution/ci-feature-attribution.js';
import {
  availableModes,
  defaultMode,
  describeCell,
  heatmapView,
  sharedScale,
  HINT_TEXT,
  hintsFor,
  MODE_LABELS,
  MODE_LEGENDS,
  smallGap,
  smallGapText,
  sweepStatus,
} from './patchView.js';
import { formatTimeLeft, mergeTables, sweepFraction, sweepSecondsLeft, tableKey, type TableKey } from '../../../src/features/substitution/shared/tables.js';
import { styles } from './ci-substitution-panel.styles.js';
import { pct, readingAidIntro, sweepPicker, thresholdSelect } from '../../lib/patchControls.js';
import { PanelHostController } from '../../lib/panelHost.js';
import '../ci-model-name/index.js';

export interface SubstitutionChannel {
  post(msg: SubstitutionWebviewToHost): void;
}

const DIRECTION_TEXT: Readonly<Record<PatchDirection, { title: string; sub: string }>> = {
  denoise: { title: 'Denoising', sub: 'clean activations patched into the corrupt run: finds what is sufficient' },
  noise: { title: 'Noising', sub: 'corrupt activations patched into the clean run: finds what is necessary' },
};

/** Panel width from which the two directions sit side by side (below, stacked), CSS px. */
const SIDE_BY_SIDE_PX = 900;

const STATE_TEXT: Readonly<Record<SubstitutionRunStateParams['state'], string>> = {
  estimating: 'Estimating…',
  sweeping: 'Refining with exact sweeps…',
  done: 'Exact',
  cancelled: 'Cancelled',
  error: 'Failed',
};

/**
 * The Compare Token Substitution panel: the two prompts' token diff, the metric, then for the
 * chosen sweep the denoising and noising heatmaps side by side (AtP estimate first, exact when its
 * sweep finishes), the OR/AND reading aid, and a clicked head's clean/corrupt patterns.
 *
 * @tag ci-substitution-panel
 */
@customElement('ci-substitution-panel')
export class CiSubstitutionPanel extends LitElement {
  static override styles = styles;

  /** The host; undefined outside a webview (the panel then only renders what it is sent). */
  @property({ attribute: false }) channel?: SubstitutionChannel;

  @state() private comparison?: ComparisonParams;
  @state() private tables: ReadonlyMap<TableKey, PatchTable> = new Map();
  @state() private runState?: SubstitutionRunStateParams;
  @state() private staleReason?: string;
  @state() private saeFeatures?: SaeFeaturesParams;
  /** int8 runs: each table's check against fp32, as far as it got. */
  @state() private tableChecks: ReadonlyMap<TableKey, TableCheckParams> = new Map();
  @state() private sweep: SweepKind = 'z';
  @state() private mode: ValueMode = 'effect';
  /** Share of the gap a component must move to count as significant in a direction. */
  @state() private threshold = DEFAULT_SIGNIFICANCE;
  @state() private selected: { layer: number; head: number; index: number; direction: PatchDirection } | null = null;
  @state() private head: { params?: HeadPatternsParams; error?: string; loading: boolean } | null = null;

  @queryAll('ci-patch-heatmap') private heatmaps!: NodeListOf<CiPatchHeatmap>;

  private nextId = 1;
  private pendingHead = 0;
  /** The host's messages and the panel's width. */
  private readonly page = new PanelHostController(this, (msg) => this.receive(msg));

  protected override firstUpdated(_c: PropertyValues<this>): void {
    this.channel?.post(SubstitutionReady.create({ protocolVersion: SUBSTITUTION_PROTOCOL_VERSION }));
  }

  /** Host messages (also callable directly by the harness). */
  receive(msg: unknown): void {
    if (Comparison.is(msg)) {
      const c = msg.params;
      this.comparison = c;
      this.tables = new Map();
      this.runState = undefined;
      this.staleReason = c.stale ? 'The document changed after this comparison was taken.' : undefined;
      this.saeFeatures = undefined;
      this.tableChecks = new Map();
      this.selected = null;
      this.head = null;
      if (!c.sweeps.includes(this.sweep)) this.sweep = c.sweeps[0] ?? 'z';
      const modes = availableModes(c);
      const preferred = defaultMode(c);
      this.mode = modes.includes(preferred) ? preferred : modes[0];
      return;
    }
    const runId = this.comparison?.runId;
    if (PatchTables.is(msg)) {
      if (msg.params.runId === runId) this.tables = mergeTables(this.tables, msg.params.tables);
    } else if (SubstitutionRunState.is(msg)) {
      if (msg.params.runId === runId) this.runState = msg.params;
    } else if (SaeFeatures.is(msg)) {
      if (msg.params.runId === runId) this.saeFeatures = msg.params;
    } else if (TableCheck.is(msg)) {
      const p = msg.params;
      if (p.runId === runId) this.tableChecks = new Map(this.tableChecks).set(tableKey(p.sweep, p.direction), p);
    } else if (SubstitutionStale.is(msg)) {
      if (msg.params.runId === runId) this.staleReason = msg.params.reason;
    } else if (HeadPatterns.is(msg)) {
      if (msg.id !== this.pendingHead) return;
      this.head = msg.error !== undefined ? { error: msg.error, loading: false } : { params: msg.params, loading: false };
    }
  }

  private post(msg: SubstitutionWebviewToHost): void {
    this.channel?.post(msg);
  }

  protected override render() {
    const c = this.comparison;
    if (!c) {
      return html`<div class="empty muted">
        Select a prompt in the editor and run <strong>Circuit Inspector: Compare Token Substitution</strong> to patch a token's substitute in both directions.
      </div>`;
    }
    return html`
      ${this.renderHeader(c)}
      ${c.metric.clean !== c.metric.corrupt && smallGap(c) ? html`<div class="banner small-gap" role="alert"><strong>Small gap</strong> — ${smallGapText(c)}</div>` : nothing}
      ${this.staleReason ? html`<div class="banner" role="alert"><strong>Stale</strong> — ${this.staleReason}</div>` : nothing} ${this.renderPrompts(c)}
      ${this.renderControls(c)} ${this.renderPair(c)} ${this.renderHints(c)} ${this.renderHead(c)} ${this.renderFeatures(c)}
    `;
  }

  private renderHeader(c: ComparisonParams) {
    const s = this.runState;
    const busy = s?.state === 'sweeping' || s?.state === 'estimating';
    const p = s?.progress;
    const frac = p ? sweepFraction(p, c.n_layers) : undefined;
    const left = busy && p ? sweepSecondsLeft(p) : undefined;
    const { clean, corrupt } = c.metric;
    return html`<header>
        <h1>Token substitution</h1>
        <ci-model-name class="model" .label=${c.modelName} .precisionError=${c.precisionError}></ci-model-name>
        <span class="muted">${c.clean.tokens.length} tokens · ${c.n_layers} layers × ${c.n_heads} heads</span>
        ${
          s
            ? html`<span class=${`run ${s.state}`} role="status" aria-live="polite">
                ${STATE_TEXT[s.state]}${p ? html` <span class="muted">${p.sweep} (${p.direction}), table ${p.tablesDone + 1} of ${p.tablesTotal}</span>` : nothing}
                ${busy && frac !== undefined ? html`<progress max="1" .value=${frac} aria-label="sweep progress"></progress>` : nothing}
                ${left !== undefined ? html`<span class="muted time-left">${formatTimeLeft(left)}</span>` : nothing}
                ${busy ? html`<vscode-button secondary @click=${this.cancel}>Cancel</vscode-button>` : nothing}
              </span>`
            : nothing
        }
      </header>
      ${s?.message ? html`<div class="state-message muted">${s.message}</div>` : nothing}
      ${
        c.precisionError
          ? html`<p class="precision" role="note">
              ${formatLogitsError(c.precisionError)}, on the clean prompt. The metric and every table below are int8 too: check a table against fp32 under its
              heatmap.
            </p>`
          : nothing
      }
      <div class="metric">
        <span><strong>Metric</strong> <span class="mono">${c.metric.label}</span></span>
        <span class="values"
          >clean <strong>${formatValue(clean)}</strong> · corrupt <strong>${formatValue(corrupt)}</strong> · gap ${formatValue(clean - corrupt)}</span
        >
      </div>
      ${
        c.notes.length
          ? html`<ul class="notes">
              ${c.notes.map((n) => html`<li>${n}</li>`)}
            </ul>`
          : nothing
      }`;
  }

  private renderPrompts(c: ComparisonParams) {
    const differ = new Set(c.diff.differingPositions);
    const row = (name: string, tokens: ComparisonParams['clean']['tokens']) =>
      html`<div class="row">
        <span class="who muted">${name}</span
        ><span class="tokens mono"
          >${tokens.map(
            (t, i) =>
              html`<span
                class=${`tok${differ.has(i) ? ' diff' : ''}${t.isBos ? ' bos' : ''}${t.isSpecial ? ' special' : ''}`}
                title=${t.isSpecial ? `${i}: special token ${t.text} (id ${t.id}), read as one token as TransformerLens does` : `${i}: ${visibleText(t.text)} (id ${t.id})`}
                >${t.isBos ? 'BOS' : visibleText(t.text)}</span
              >`,
          )}</span
        >
      </div>`;
    return html`<section class="prompts" aria-label="token diff">${row('clean', c.clean.tokens)}${row('corrupt', c.corrupt.tokens)}</section>`;
  }

  private renderControls(c: ComparisonParams) {
    const modes = availableModes(c);
    return html`<div class="controls">
      ${sweepPicker(
        c.sweeps,
        this.sweep,
        (s) => sweepStatus(s, this.tables),
        (s) => this.pickSweep(s),
        'not computed',
      )}
      <div class="modes" role="group" aria-label="values">
        ${modes.map((m) => html`<button class="seg" aria-pressed=${this.mode === m ? 'true' : 'false'} title=${MODE_LEGENDS[m]} @click=${() => (this.mode = m)}>${MODE_LABELS[m]}</button>`)}
      </div>
      <div class="exports" role="group" aria-label="export">
        <span class="muted">Export</span>
        ${(['json', 'csv', 'html'] as ExportFormat[]).map((f) => html`<vscode-button secondary @click=${() => this.exportTables(f)}>${f.toUpperCase()}</vscode-button>`)}
      </div>
    </div>`;
  }

  private renderPair(c: ComparisonParams) {
    const pair = (['denoise', 'noise'] as PatchDirection[]).map((d) => this.tables.get(tableKey(this.sweep, d)));
    const views = pair.map((t) => (t ? heatmapView(c, t, this.mode) : undefined));
    const scale = sharedScale(
      views.filter((v) => v !== undefined),
      this.mode,
    );
    const caption = figureCaption(c);
    // Side by side when each half still gets a useful plot; each heatmap fills its own width.
    const side = this.page.width >= SIDE_BY_SIDE_PX;
    const int8 = splitModelLabel(c.modelName).int8;
    return html`<div class=${`pair${side ? ' side' : ''}`}>
      ${(['denoise', 'noise'] as PatchDirection[]).map((d, i) => {
        const v = views[i];
        const text = DIRECTION_TEXT[d];
        return html`<figure>
          <figcaption>
            <span class="sub muted">${text.sub}</span>
            ${v ? html`<button class="link" title="Save this heatmap as PNG" @click=${() => this.exportPng(d)}>PNG</button>` : nothing}
          </figcaption>
          ${
            v
              ? html`<ci-patch-heatmap
                  data-direction=${d}
                  .grid=${v.grid}
                  .values=${v.values}
                  .scale=${scale}
                  .centre=${v.centre}
                  .heading=${`${text.title} · ${SWEEP_LABELS[this.sweep]}`}
                  .badge=${v.table.source === 'exact' ? 'exact' : 'estimate (AtP)'}
                  .legend=${MODE_LEGENDS[this.mode]}
                  .caption=${caption}
                  .describe=${(index: number) => describeCell(c, v.table, index)}
                  .selected=${this.selected?.direction === d ? this.selected.index : -1}
                  .emphasis=${v.grid.colTitle === 'position' ? c.diff.differingPositions : []}
                  @ci-patch-cell=${(e: PatchCellEvent) => this.onCell(d, v.table, e.detail.index)}
                ></ci-patch-heatmap>`
              : html`<div class="pending muted">${text.title}: not computed yet.</div>`
          }
          ${v && int8 ? this.renderCheck(v.table) : nothing}
        </figure>`;
      })}
    </div>`;
  }

  /** int8 runs: the table's "Check against fp32" action and, once run, how far it is from fp32. */
  private renderCheck(t: PatchTable) {
    const key = tableKey(t.sweep, t.direction);
    const check = this.tableChecks.get(key);
    const state = this.runState?.state;
    const otherRunning = [...this.tableChecks.entries()].some(([k, p]) => k !== key && p.state === 'running');
    const reason =
      t.source !== 'exact'
        ? 'available once the exact sweep has replaced this estimate'
        : state === 'sweeping' || state === 'estimating'
          ? 'available when the exact sweeps finish'
          : otherRunning
            ? 'another table is being checked'
            : '';
    const runId = this.comparison?.runId ?? '';
    return html`<ci-table-check
      data-direction=${t.direction}
      .check=${check}
      .disabledReason=${reason}
      .label=${(i: number) => cellLabel(t, i)}
      @ci-table-check-run=${() => this.post(CheckTable.create({ runId, sweep: t.sweep, direction: t.direction }))}
      @ci-table-check-cancel=${() => this.post(CancelTableCheck.create({ runId }))}
    ></ci-table-check>`;
  }

  private renderHints(c: ComparisonParams) {
    const hints = hintsFor(c, this.sweep, this.tables, this.threshold);
    if (hints === undefined) return nothing;
    const estimate = [...this.tables.values()].some((t) => t.sweep === this.sweep && t.source !== 'exact');
    const share = pct(this.threshold);
    const equal = c.metric.clean === c.metric.corrupt;
    return html`<section class="hints" aria-label="reading aid">
      <h2>Reading both directions${estimate ? html` <span class="muted">(from the estimate; exact sweep pending)</span>` : nothing}</h2>
      ${readingAidIntro}
      <p class="threshold">
        ${thresholdSelect(this.threshold, (v) => (this.threshold = v), 'clean–corrupt gap')}
        <span class="muted">(restored by denoising, removed by noising; default ${pct(DEFAULT_SIGNIFICANCE)})</span>
      </p>
      ${
        equal
          ? html`<p class="muted">The clean and corrupt metrics are equal, so there is no gap to read shares of.</p>`
          : smallGap(c)
            ? html`<p class="muted">No AND-like or OR-like readings: the gap is too small to read shares of (see above).</p>`
            : hints.length === 0
              ? html`<p class="muted">No component moves ${share} of the gap in either direction.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th>component</th>
                      <th>denoising restores</th>
                      <th>noising removes</th>
                      <th>reading</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${hints.slice(0, 12).map(
                      (h) =>
                        html`<tr>
                          <td class="mono">${h.label}</td>
                          <td class="num">${pct(h.denoiseShare)}</td>
                          <td class="num">${pct(h.noiseShare)}</td>
                          <td>
                            <span class=${`hint ${h.hint}`}>${h.hint === 'both' ? 'both' : h.hint === 'and-like' ? 'AND-like' : 'OR-like'}</span>
                            <span class="muted">${HINT_TEXT[h.hint]}</span>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
      }
    </section>`;
  }

  private renderHead(c: ComparisonParams) {
    const s = this.selected;
    if (!s || !this.head) return nothing;
    return html`<section class="head" aria-label="head patterns">
      <h2>
        Head ${s.layer}.${s.head} <span class="muted">attention in both runs</span>
        ${this.head.params ? html`<button class="link" @click=${this.exportHeadPng}>PNG</button>` : nothing}
      </h2>
      <ci-patch-head-detail
        .patterns=${this.head.params}
        .labels=${positionLabels(c)}
        .error=${this.head.error ?? ''}
        .loading=${this.head.loading}
        .emphasis=${c.diff.differingPositions}
        .caption=${figureCaption(c)}
      ></ci-patch-head-detail>
    </section>`;
  }

  private renderFeatures(c: ComparisonParams) {
    if (!this.saeFeatures) return nothing;
    const runId = c.runId;
    return html`<ci-feature-attribution
      .comparison=${c}
      .features=${this.saeFeatures}
      @ci-feature-inspect=${(e: FeatureInspectEvent) => this.post(InspectFeature.create({ runId, feature: e.detail.feature }))}
      @ci-feature-cancel=${() => this.post(CancelSaeFeatures.create({ runId }))}
      @ci-select-sae=${() => this.post(SelectSae.create({ runId }))}
    ></ci-feature-attribution>`;
  }

  private pickSweep(s: SweepKind): void {
    this.sweep = s;
    this.selected = null;
    this.head = null;
  }

  private onCell(direction: PatchDirection, t: PatchTable, index: number): void {
    const a = cellAddress(t, index);
    if (a.head === undefined || !this.comparison) return;
    this.selected = { layer: a.layer, head: a.head, index, direction };
    const id = this.nextId++;
    this.pendingHead = id;
    this.head = { loading: true };
    this.post(RequestHeadPatterns.create(id, { runId: this.comparison.runId, layer: a.layer, head: a.head }));
  }

  private cancel = () => {
    if (this.comparison) this.post(CancelRun.create({ runId: this.comparison.runId }));
  };

  private exportTables(format: ExportFormat): void {
    if (this.comparison) this.post(ExportTables.create({ runId: this.comparison.runId, format }));
  }

  private exportPng(direction: PatchDirection): void {
    const el = [...this.heatmaps].find((h) => h.dataset.direction === direction);
    const url = el?.toPng();
    if (url && this.comparison) this.post(ExportPng.create({ runId: this.comparison.runId, name: `${this.sweep}-${direction}`, dataUrl: url }));
  }

  private exportHeadPng = () => {
    const el = this.renderRoot.querySelector('ci-patch-head-detail');
    const url = el?.toPng();
    if (url && this.comparison && this.selected)
      this.post(ExportPng.create({ runId: this.comparison.runId, name: `head-${this.selected.layer}.${this.selected.head}-patterns`, dataUrl: url }));
  };
}

/** A cell's short label: `L1 H2`, `L0 pos 5`, `L1 H2 pos 5`. */
function cellLabel(t: PatchTable, index: number): string {
  const a = cellAddress(t, index);
  return [`L${a.layer}`, a.head !== undefined ? `H${a.head}` : '', a.pos !== undefined ? `pos ${a.pos}` : ''].filter(Boolean).join(' ');
}

/** The exported figure's second title line: model, substitution and metric, so a PNG stands alone. */
function figureCaption(c: ComparisonParams): string {
  const subst = c.diff.differingPositions
    .slice(0, 3)
    .map((i) => `${visibleText(c.clean.tokens[i]?.text ?? '')} → ${visibleText(c.corrupt.tokens[i]?.text ?? '')}`)
    .join(', ');
  const { clean, corrupt, label } = c.metric;
  return `${c.modelName} · ${subst ? `${subst} · ` : ''}${label}: clean ${formatValue(clean)}, corrupt ${formatValue(corrupt)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-substitution-panel': CiSubstitutionPanel;
    'ci-patch-heatmap': CiPatchHeatmap;
  }
}
