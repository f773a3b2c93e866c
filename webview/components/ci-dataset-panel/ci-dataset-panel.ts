import '@vscode-elements/elements/dist/vscode-button/index.js';
import '../ci-model-name/index.js';
import '../ci-patch-heatmap/index.js';
import '../ci-pair-distribution/index.js';
import '../ci-pair-strip/index.js';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, queryAll, state } from 'lit/decorators.js';
import {
  CancelRun,
  cellPerPair,
  Dataset,
  DATASET_PROTOCOL_VERSION,
  DatasetReady,
  DatasetRunState,
  ExportPng,
  ExportTables,
  mergeTables,
  OpenPair,
  pairOfRow,
  partialText,
  progressText,
  Summary,
  tableKey,
  Tables,
  zeroGapNote,
  type DatasetParams,
  type DatasetRunStateParams,
  type DatasetTable,
  type DatasetWebviewToHost,
  type ExportFormat,
  type PatchDirection,
  type SummaryParams,
  type SweepKind,
  type TableKey,
} from '../../../src/features/dataset/shared/protocol.js';
import { DEFAULT_SIGNIFICANCE, formatValue, SWEEP_LABELS } from '../../../src/features/substitution/shared/protocol.js';
import { visibleText } from '../../../src/shared/tokens.js';
import type { CiPatchHeatmap, PatchCellEvent } from '../ci-patch-heatmap/ci-patch-heatmap.js';
import type { CiPairDistribution, PairPickEvent } from '../ci-pair-distribution/ci-pair-distribution.js';
import {
  availableDatasetModes,
  beatsText,
  cellLabel,
  DATASET_MODE_LABELS,
  DATASET_MODE_LEGENDS,
  defaultDatasetMode,
  describeMeanCell,
  describePairRow,
  gapView,
  isSmallMeanGap,
  lengthsText,
  meanGap,
  meanHeatmapView,
  meanHints,
  meanSweepStatus,
  MIN_PAIRS_FOR_READING,
  pairCount,
  pairLabel,
  resolution,
  rowMetrics,
  SE_MULTIPLE,
  sharedMeanScale,
  toldApart,
  type DatasetMode,
  type MeanHeatmapView,
} from './datasetView.js';
import { styles } from './ci-dataset-panel.styles.js';
import { pct, readingAidIntro, sweepPicker, thresholdSelect } from '../../lib/patchControls.js';
import { PanelHostController } from '../../lib/panelHost.js';

export interface DatasetChannel {
  post(msg: DatasetWebviewToHost): void;
}

const DIRECTION_TEXT: Readonly<Record<PatchDirection, { title: string; sub: string }>> = {
  denoise: { title: 'Denoising', sub: 'clean activations patched into each corrupt run: finds what is sufficient' },
  noise: { title: 'Noising', sub: 'corrupt activations patched into each clean run: finds what is necessary' },
};

const STATE_TEXT: Readonly<Record<DatasetRunStateParams['state'], string>> = {
  checking: 'Checking the set…',
  estimating: 'Estimating over the set…',
  sweeping: 'Exact sweeps over the set…',
  done: 'Exact',
  cancelled: 'Cancelled',
  error: 'Failed',
};

/** Panel width from which the two directions sit side by side, CSS px. */
const SIDE_BY_SIDE_PX = 900;

/**
 * The prompt-set panel: patching over a set of prompt pairs. The set (pairs, lengths, the mean
 * clean and corrupt metric, how often clean beats corrupt), the run's progress ("pair i of N,
 * table j of M") with Cancel, then for the chosen sweep the mean heatmaps of both directions
 * (attribution estimate first, exact tables replacing it), each cell's hover with its standard
 * error and a per-pair strip, a clicked cell's distribution over the pairs (click a pair to open it
 * as a single comparison), and the AND/OR reading where the standard errors allow it.
 *
 * @tag ci-dataset-panel
 */
@customElement('ci-dataset-panel')
export class CiDatasetPanel extends LitElement {
  static override styles = styles;

  /** The host; undefined outside a webview. */
  @property({ attribute: false }) channel?: DatasetChannel;

  @state() private set?: DatasetParams;
  @state() private summary?: SummaryParams;
  @state() private tables: ReadonlyMap<TableKey, DatasetTable> = new Map();
  @state() private runState?: DatasetRunStateParams;
  @state() private sweep: SweepKind = 'z';
  @state() private mode: DatasetMode = 'normalised';
  @state() private fade = false;
  @state() private threshold = DEFAULT_SIGNIFICANCE;
  @state() private selected: { direction: PatchDirection; index: number } | null = null;
  @state() private pickedRow = -1;
  @state() private opened?: string;

  @queryAll('ci-patch-heatmap') private heatmaps!: NodeListOf<CiPatchHeatmap>;

  /** The host's messages and the panel's width. */
  private readonly page = new PanelHostController(this, (msg) => this.receive(msg));

  protected override firstUpdated(_c: PropertyValues<this>): void {
    this.channel?.post(DatasetReady.create({ protocolVersion: DATASET_PROTOCOL_VERSION }));
  }

  /** Host messages (also callable directly by the harness). */
  receive(msg: unknown): void {
    if (Dataset.is(msg)) {
      const d = msg.params;
      this.set = d;
      this.summary = undefined;
      this.tables = new Map();
      this.runState = undefined;
      this.selected = null;
      this.pickedRow = -1;
      this.opened = undefined;
      if (!d.sweeps.includes(this.sweep)) this.sweep = d.sweeps.includes('z') ? 'z' : (d.sweeps[0] ?? 'z');
      return;
    }
    const runId = this.set?.runId;
    if (Summary.is(msg)) {
      if (msg.params.runId !== runId) return;
      const first = !this.summary;
      this.summary = msg.params;
      const modes = availableDatasetModes(msg.params.summary);
      if (first || !modes.includes(this.mode)) this.mode = defaultDatasetMode(msg.params.summary);
    } else if (Tables.is(msg)) {
      if (msg.params.runId === runId) this.tables = mergeTables(this.tables, msg.params.tables);
    } else if (DatasetRunState.is(msg)) {
      if (msg.params.runId === runId) this.runState = msg.params;
    }
  }

  private post(msg: DatasetWebviewToHost): void {
    this.channel?.post(msg);
  }

  /** Position labels of the set's columns: the first pair's token, with `*` where pairs differ (a slot). */
  private posLabels(): string[] {
    return (this.set?.positions ?? []).map((p) => `${visibleText(p.text)}${p.varies ? '*' : ''}`);
  }

  private slotColumns(): number[] {
    return (this.set?.positions ?? []).flatMap((p, i) => (p.varies ? [i] : []));
  }

  protected override render() {
    const d = this.set;
    if (!d) {
      return html`<div class="empty muted">
        Open a <span class="mono">*.prompts.jsonl</span> file and run <strong>Circuit Inspector: Run Prompt Set</strong>, or make one with
        <strong>Circuit Inspector: Generate Prompt Set</strong> from a selection, to patch over a set of prompt pairs.
      </div>`;
    }
    return html`${this.renderHeader(d)} ${this.renderBanners(d)} ${this.renderControls(d)} ${this.renderPair(d)} ${this.renderDistribution(d)}
    ${this.renderHints()}`;
  }

  private busy(): boolean {
    const s = this.runState?.state;
    return s === 'checking' || s === 'estimating' || s === 'sweeping';
  }

  private partial() {
    return this.summary?.partial ?? this.runState?.partial;
  }

  private renderHeader(d: DatasetParams) {
    const s = this.runState;
    const busy = this.busy();
    const p = s?.progress;
    const sum = this.summary?.summary;
    const partial = this.partial();
    const lengths = d.pairs.map((x) => x.n_tokens);
    return html`<header>
        <h1>Prompt set</h1>
        <span class="file mono">${d.fileName}</span>
        <ci-model-name class="model" .label=${d.modelName}></ci-model-name>
        <span class="muted"
          >${d.pairs.length} pairs${d.pairsInFile > d.pairs.length ? ` (of ${d.pairsInFile} in the file)` : ''} · ${lengthsText(lengths)} · ${d.n_layers} layers
          × ${d.n_heads} heads</span
        >
        ${
          s
            ? html`<span class=${`run ${s.state}`} role="status" aria-live="polite">
                ${STATE_TEXT[s.state]}${p ? html` <span class="progress-text muted">${progressText(p)}</span>` : nothing}
                ${busy && p ? html`<progress max="1" .value=${p.fraction} aria-label="progress over the set"></progress>` : nothing}
                ${busy ? html`<vscode-button secondary @click=${this.cancel}>Cancel</vscode-button>` : nothing}
              </span>`
            : nothing
        }
        ${partial ? html`<span class="partial-label" title="Cancelled: the tables cover the finished pairs only">${partialText(partial)}</span>` : nothing}
      </header>
      ${s?.message && !(p && s.message.includes(progressText(p))) ? html`<div class="state-message muted">${s.message}</div>` : nothing}
      <div class="metric">
        <span><strong>Metric</strong> logit difference (answer − wrong) at the last position, per pair, averaged</span>
        ${
          sum
            ? html`<span class="values"
                >mean clean <strong>${formatValue(sum.meanClean)}</strong> · mean corrupt <strong>${formatValue(sum.meanCorrupt)}</strong> ·
                <span class="gap">${gapView(sum).text}</span> · clean beats corrupt in <strong class="beats">${beatsText(sum)}</strong></span
              >`
            : html`<span class="muted">waiting for the set’s clean and corrupt runs…</span>`
        }
      </div>`;
  }

  private renderBanners(d: DatasetParams) {
    const sum = this.summary?.summary;
    const partial = this.partial();
    const notes = [...new Set([...d.notes, ...(this.summary?.notes ?? [])])];
    if (sum?.zeroGap) notes.push(zeroGapNote(sum));
    const gap = sum ? gapView(sum) : undefined;
    return html`
      ${
        partial
          ? html`<div class="banner partial" role="alert">
              <strong>Partial: ${partial.done} of ${partial.total} pairs.</strong>
              ${this.busy() ? 'The run is still going;' : 'The run was cancelled;'} every mean, standard error and reading below is over the ${partial.done}
              finished pairs.
            </div>`
          : nothing
      }
      ${
        sum && !sum.zeroGap && sum.cleanBeatsCorrupt < 0.5
          ? html`<div class="banner reversed" role="alert">
              <strong>Clean beats corrupt in only ${beatsText(sum)}.</strong> On most pairs the model does not prefer the answer over the wrong token more in
              the clean prompt than in the corrupt one, so “restoring the clean behaviour” moves the metric ${meanGap(sum) < 0 ? 'down' : 'the other way'}:
              check the answer and wrong tokens before reading the maps as the circuit for the answer.
            </div>`
          : nothing
      }
      ${
        sum && !sum.zeroGap && isSmallMeanGap(sum)
          ? html`<div class="banner small-gap" role="alert">
              <strong>Small gap</strong> — the mean gap is ${formatValue(meanGap(sum))} nats: shares of it are dominated by noise, so the heatmaps open on the
              raw mean and no component is called AND-like or OR-like.
            </div>`
          : nothing
      }
      ${
        gap?.notes.length
          ? html`<ul class="gap-notes" aria-label="about the mean gap">
              ${gap.notes.map(
                (n) =>
                  html`<li class=${n.level}>
                    ${n.text}
                    ${
                      gap.noisy && this.mode !== 'raw' && n.level === 'warning'
                        ? html`<button class="link" @click=${() => (this.mode = 'raw')}>Show the raw mean</button>`
                        : nothing
                    }
                  </li>`,
              )}
            </ul>`
          : nothing
      }
      ${
        notes.length
          ? html`<ul class="notes">
              ${notes.map((n) => html`<li>${n}</li>`)}
            </ul>`
          : nothing
      }
    `;
  }

  private renderControls(d: DatasetParams) {
    const modes = this.summary ? availableDatasetModes(this.summary.summary) : (['raw'] as DatasetMode[]);
    return html`<div class="controls">
      ${sweepPicker(
        d.sweeps,
        this.sweep,
        (s) => meanSweepStatus(s, this.tables),
        (s) => this.pickSweep(s),
        'not computed yet',
      )}
      <div class="modes" role="group" aria-label="values">
        ${modes.map(
          (m) =>
            html`<button class="seg" aria-pressed=${this.mode === m ? 'true' : 'false'} title=${DATASET_MODE_LEGENDS[m]} @click=${() => (this.mode = m)}>
              ${DATASET_MODE_LABELS[m]}
            </button>`,
        )}
      </div>
      <label class="fade" title=${`Draw a cell neutral when its mean is within ${SE_MULTIPLE} standard errors of the unpatched value`}
        ><input type="checkbox" .checked=${this.fade} @change=${(e: Event) => (this.fade = (e.target as HTMLInputElement).checked)} /> Fade cells within
        ${SE_MULTIPLE} SE of no effect</label
      >
      <div class="exports" role="group" aria-label="export">
        <span class="muted">Export</span>
        ${(['json', 'csv'] as ExportFormat[]).map(
          (f) =>
            html`<vscode-button
              secondary
              title=${`Save the mean, standard-error and per-pair tables as ${f.toUpperCase()}`}
              @click=${() => this.exportTables(f)}
              >${f.toUpperCase()}</vscode-button
            >`,
        )}
      </div>
    </div>`;
  }

  private views(d: DatasetParams): { views: (MeanHeatmapView | undefined)[]; scale: number } {
    const sum = this.summary?.summary;
    const views = d.directions.map((dir) => {
      const t = this.tables.get(tableKey(this.sweep, dir));
      return t && sum ? meanHeatmapView(sum, t, this.mode, this.posLabels(), this.fade) : undefined;
    });
    return {
      views,
      scale: sharedMeanScale(
        views.filter((v) => v !== undefined),
        this.mode,
      ),
    };
  }

  private renderPair(d: DatasetParams) {
    const sum = this.summary?.summary;
    const { views, scale } = this.views(d);
    const side = this.page.width >= SIDE_BY_SIDE_PX && d.directions.length > 1;
    const shown = views.filter((v) => v !== undefined);
    const n = shown.length ? Math.min(...shown.map((v) => pairCount(v.table))) : 0;
    const res = shown.length ? resolution(shown, scale, n, this.mode) : undefined;
    // An exported heatmap carries its standard errors, so the PNG claims no more than the view does.
    const caption = `${this.figureCaption(d)}${res && Number.isFinite(res.medianSe) ? ` · SE per cell: median ±${formatValue(res.medianSe)}, largest ±${formatValue(res.maxSe)}` : ''}`;
    return html`<div class=${`pair${side ? ' side' : ''}`}>
        ${d.directions.map((dir, i) => {
          const v = views[i];
          const text = DIRECTION_TEXT[dir];
          return html`<figure>
            <figcaption>
              <span class="sub muted">${text.sub}</span>
              ${v ? html`<button class="link" title="Save this heatmap as PNG" @click=${() => this.exportPng(dir)}>PNG</button>` : nothing}
            </figcaption>
            ${
              v && sum
                ? html`<ci-patch-heatmap
                    data-direction=${dir}
                    .grid=${v.grid}
                    .values=${v.values}
                    .scale=${scale}
                    .centre=${v.centre}
                    .heading=${`${text.title} · ${SWEEP_LABELS[this.sweep]} · mean over ${pairCount(v.table)} pairs`}
                    .badge=${v.table.source === 'exact' ? 'exact' : 'estimate (AtP)'}
                    .legend=${`${DATASET_MODE_LEGENDS[this.mode]}${this.fade ? `; cells within ${SE_MULTIPLE} SE of no effect drawn neutral` : ''}`}
                    .caption=${caption}
                    .describe=${(index: number) => describeMeanCell(sum, v.table, index, this.posLabels())}
                    .detail=${(index: number) =>
                      html`<ci-pair-strip
                        .values=${cellPerPair(v.table, index)}
                        .mean=${v.table.mean[index]}
                        .standardError=${v.table.standardError[index]}
                        .meanClean=${sum.meanClean}
                        .meanCorrupt=${sum.meanCorrupt}
                      ></ci-pair-strip>`}
                    .selected=${this.selected?.direction === dir ? this.selected.index : -1}
                    .emphasis=${v.grid.colTitle === 'position' ? this.slotColumns() : []}
                    @ci-patch-cell=${(e: PatchCellEvent) => this.onCell(dir, e.detail.index)}
                  ></ci-patch-heatmap>`
                : html`<div class="pending muted">${text.title}: ${this.pendingText()}</div>`
            }
          </figure>`;
        })}
      </div>
      ${
        res
          ? html`<p class="resolution" aria-label="standard errors">
              ${res.text}
              ${!this.fade && shown.some((v) => v.unclear > 0) ? html`<span class="muted">“Fade cells within ${SE_MULTIPLE} SE of no effect” draws those neutral.</span>` : nothing}
              ${this.slotColumns().length && shown[0]?.grid.colTitle === 'position' ? html`<span class="muted">Columns marked * are slots: their tokens differ across pairs.</span>` : nothing}
            </p>`
          : nothing
      }`;
  }

  private pendingText(): string {
    if (!this.summary) return 'waiting for the set’s first pass.';
    if (!this.set?.sweeps.includes(this.sweep)) return 'this sweep is not run for this set.';
    return 'not computed yet.';
  }

  private renderDistribution(d: DatasetParams) {
    const sel = this.selected;
    const sum = this.summary?.summary;
    if (!sel || !sum) return nothing;
    const t = this.tables.get(tableKey(this.sweep, sel.direction));
    if (!t) return nothing;
    const rows = pairCount(t);
    const values = cellPerPair(t, sel.index);
    const metrics = Array.from({ length: rows }, (_, r) => rowMetrics(sum, this.summary?.pairIndex, t, r));
    const labels = Array.from({ length: rows }, (_, r) => {
      const p = d.pairs[pairOfRow(t, r)];
      return p ? pairLabel(p) : `pair ${pairOfRow(t, r) + 1}`;
    });
    const where = cellLabel(t, sel.index, this.posLabels());
    const heading = `${where[0].toUpperCase()}${where.slice(1)} · ${DIRECTION_TEXT[sel.direction].title.toLowerCase()} · ${rows} pairs`;
    return html`<section class="distribution" aria-label="distribution over pairs">
      <h2>
        Over the pairs
        <span class="sub muted"
          >${where} (${DIRECTION_TEXT[sel.direction].title.toLowerCase()}): each pair’s patched logit difference; click a pair to open it as a single
          comparison</span
        >
        <button class="link" title="Save this plot as PNG" @click=${this.exportDistributionPng}>PNG</button>
        <button class="link" title="Close the distribution" @click=${() => (this.selected = null)}>Close</button>
      </h2>
      ${rows < MIN_PAIRS_FOR_READING ? html`<p class="muted">Only ${rows} pairs: too few to read a distribution from.</p>` : nothing}
      <ci-pair-distribution
        .values=${values}
        .clean=${metrics.map((m) => m.clean)}
        .corrupt=${metrics.map((m) => m.corrupt)}
        .labels=${labels}
        .describe=${(row: number) => {
          const pi = pairOfRow(t, row);
          return describePairRow(d.pairs[pi], pi, d.pairs.length, values[row], metrics[row].clean, metrics[row].corrupt, t.direction);
        }}
        .mean=${t.mean[sel.index]}
        .standardError=${t.standardError[sel.index]}
        .meanClean=${sum.meanClean}
        .meanCorrupt=${sum.meanCorrupt}
        .heading=${heading}
        .badge=${t.source === 'exact' ? 'exact' : 'estimate (AtP)'}
        .caption=${this.figureCaption(d)}
        .selected=${this.pickedRow}
        @ci-pair-pick=${(e: PairPickEvent) => this.openPair(t, e.detail.row)}
      ></ci-pair-distribution>
      ${this.opened ? html`<p class="opened" role="status">${this.opened}</p>` : nothing}
    </section>`;
  }

  private renderHints() {
    const sum = this.summary?.summary;
    const dn = this.tables.get(tableKey(this.sweep, 'denoise'));
    const ns = this.tables.get(tableKey(this.sweep, 'noise'));
    if (!sum || !dn || !ns || dn.dims.length !== 2) return nothing;
    const h = meanHints(sum, dn, ns, this.threshold, this.posLabels());
    const estimate = dn.source !== 'exact' || ns.source !== 'exact';
    const pm = (v: number, se: number) => html`${pct(v)} <span class="muted">± ${pct(se)}</span>`;
    return html`<section class="hints" aria-label="reading aid">
      <h2>
        Reading both directions
        <span class="sub muted"
          >on the means over ${Math.min(pairCount(dn), pairCount(ns))} pairs${estimate ? ' (from the estimate; exact sweep pending)' : ''}</span
        >
      </h2>
      ${readingAidIntro}
      <p class="threshold">${thresholdSelect(this.threshold, (v) => (this.threshold = v), 'mean gap')}</p>
      <p class="rule muted">${h.rule}</p>
      ${
        h.withheld
          ? html`<p class="withheld"><strong>No readings.</strong> ${h.withheld}</p>`
          : html`${
              h.rows.length
                ? html`<table>
                      <thead>
                        <tr>
                          <th>component</th>
                          <th>denoising restores</th>
                          <th>noising removes</th>
                          <th>reading</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${h.rows.slice(0, 12).map((r, i, all) => {
                          const next = all[i + 1];
                          const tied =
                            next &&
                            !toldApart(
                              Math.max(Math.abs(r.denoiseShare), Math.abs(r.noiseShare)),
                              Math.abs(r.denoiseShare) >= Math.abs(r.noiseShare) ? r.denoiseSe : r.noiseSe,
                              Math.max(Math.abs(next.denoiseShare), Math.abs(next.noiseShare)),
                              Math.abs(next.denoiseShare) >= Math.abs(next.noiseShare) ? next.denoiseSe : next.noiseSe,
                            );
                          return html`<tr>
                            <td class="mono">
                              ${r.label}${tied ? html` <span class="muted" title="not told apart from the next row by the standard errors">≈</span>` : nothing}
                            </td>
                            <td class="num">${pm(r.denoiseShare, r.denoiseSe)}</td>
                            <td class="num">${pm(r.noiseShare, r.noiseSe)}</td>
                            <td><span class=${`hint ${r.hint}`}>${r.hint === 'both' ? 'both' : r.hint === 'and-like' ? 'AND-like' : 'OR-like'}</span></td>
                          </tr>`;
                        })}
                      </tbody>
                    </table>
                    <p class="muted">Ordered by the larger mean share; ≈ marks a row the standard errors do not tell apart from the next.</p>`
                : html`<p class="muted">No component is decided significant in one direction and not in the other.</p>`
            }
            ${
              h.unsure.length
                ? html`<p class="unsure">
                    <strong>SE too large to tell</strong> for ${h.unsure.length} component${h.unsure.length === 1 ? '' : 's'} near the threshold:
                    <span class="mono"
                      >${h.unsure
                        .slice(0, 8)
                        .map((u) => `${u.label} (${pct(u.denoiseShare)} ± ${pct(u.denoiseSe)} / ${pct(u.noiseShare)} ± ${pct(u.noiseSe)})`)
                        .join(', ')}${h.unsure.length > 8 ? ', …' : ''}</span
                    >
                  </p>`
                : nothing
            }`
      }
    </section>`;
  }

  private pickSweep(s: SweepKind): void {
    this.sweep = s;
    this.selected = null;
    this.pickedRow = -1;
  }

  private onCell(direction: PatchDirection, index: number): void {
    this.selected = { direction, index };
    this.pickedRow = -1;
    this.opened = undefined;
  }

  private openPair(t: DatasetTable, row: number): void {
    const d = this.set;
    if (!d) return;
    const pair = pairOfRow(t, row);
    this.pickedRow = row;
    const p = d.pairs[pair];
    this.opened = `Opening ${p ? `line ${p.line}` : `pair ${pair + 1}`} as a single comparison (Compare Token Substitution)…`;
    this.post(OpenPair.create({ runId: d.runId, pair }));
  }

  private cancel = () => {
    if (this.set) this.post(CancelRun.create({ runId: this.set.runId }));
  };

  private exportTables(format: ExportFormat): void {
    if (this.set) this.post(ExportTables.create({ runId: this.set.runId, format }));
  }

  private exportPng(direction: PatchDirection): void {
    const el = [...this.heatmaps].find((h) => h.dataset.direction === direction);
    const url = el?.toPng();
    if (url && this.set) this.post(ExportPng.create({ runId: this.set.runId, name: `${this.sweep}-${direction}-mean`, dataUrl: url }));
  }

  private exportDistributionPng = () => {
    const el = this.renderRoot.querySelector<CiPairDistribution>('ci-pair-distribution');
    const url = el?.toPng();
    const s = this.selected;
    if (url && this.set && s) this.post(ExportPng.create({ runId: this.set.runId, name: `${this.sweep}-${s.direction}-cell${s.index}-pairs`, dataUrl: url }));
  };

  /** The exported figure's second line: model, set, pairs and the mean metrics, so a PNG stands alone. */
  private figureCaption(d: DatasetParams): string {
    const sum = this.summary?.summary;
    const partial = this.partial();
    const metric = sum ? ` · logit diff: mean clean ${formatValue(sum.meanClean)}, mean corrupt ${formatValue(sum.meanCorrupt)}` : '';
    return `${d.modelName} · ${d.fileName} · ${sum?.pairs ?? d.pairs.length} pairs${partial ? ` (${partialText(partial)})` : ''}${metric}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-dataset-panel': CiDatasetPanel;
  }
}
