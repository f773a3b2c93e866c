import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '../ci-feature-strip/index.js';
import '../ci-feature-card/index.js';
import '../ci-ablated-text/index.js';
import '../ci-feature-examples/index.js';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import {
  Ablation,
  Cancel,
  CancelScan,
  ClearEditorPaint,
  Export,
  FeatureCard,
  Features,
  OpenExample,
  PROTOCOL_VERSION,
  RunAblation,
  RunState,
  SaeReady,
  ScanProgress,
  ScanResult,
  ScanWorkspace,
  SelectFeature,
  SelectToken,
  Stale,
  TokenFeatures,
  type AblationParams,
  type FeatureCardParams,
  type FeaturesParams,
  type RunStateKind,
  type RunStateParams,
  type SaeWebviewToHost,
  type ScanProgressParams,
  type ScanResultParams,
  type TokenFeaturesParams,
} from '../../../src/features/sae/shared/protocol.js';
import type { CiAblatedText } from '../ci-ablated-text/ci-ablated-text.js';
import type { AblateEvent, ScanEvent } from '../ci-feature-card/ci-feature-card.js';
import type { OpenExampleEvent } from '../ci-feature-examples/ci-feature-examples.js';
import { tokenLabel, type CiFeatureStrip, type FeatureSelectEvent, type StripMode, type TokenSelectEvent } from '../ci-feature-strip/ci-feature-strip.js';
import { fmtAct } from '../ci-feature-strip/featurePaint.js';
import {
  QUALITY_THRESHOLDS,
  asSaeViewState,
  defaultDir,
  fmtDensity,
  lossRecovered,
  meanExcept,
  qualityVerdict,
  sortFeatures,
  worstPositions,
  type FeatureSortKey,
  type SaeViewState,
  type SortDir,
} from './saeView.js';
export type { SaeViewState } from './saeView.js';
import { styles } from './ci-sae-panel.styles.js';
import '../ci-model-name/index.js';
import { splitModelLabel } from '../../../src/shared/precision.js';

/** The SAE's label without the model name the header already shows. */
function saeLabelAfter(label: string, model: string): string {
  return label.startsWith(`${model} · `) ? label.slice(model.length + 3) : label;
}

export interface SaeChannel {
  post(msg: SaeWebviewToHost): void;
  getState?(): unknown;
  setState?(state: SaeViewState): void;
}

const RUN_LABEL: Readonly<Record<RunStateKind, string>> = {
  idle: '',
  loading: 'Loading…',
  running: 'Running…',
  done: 'Done',
  cancelled: 'Cancelled',
  error: 'Failed',
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The Inspect Features panel: which SAE features fire on the selected prompt (a token strip with
 * each token's top features), every feature active at a clicked token (a sortable table), a
 * picked feature's card with its activation painted over the strip, the ablated text, examples
 * from the workspace, and how well the SAE reconstructs this prompt. Holds no result beyond the
 * last messages (the host's session owns them); a failed run leaves what is on screen.
 *
 * @tag ci-sae-panel
 */
@customElement('ci-sae-panel')
export class CiSaePanel extends LitElement {
  static override styles = styles;

  /** The host; undefined outside a webview (the panel then renders what `receive` is given). */
  @property({ attribute: false }) channel?: SaeChannel;

  @state() private features?: FeaturesParams;
  @state() private card?: FeatureCardParams;
  @state() private tokenFeatures?: TokenFeaturesParams;
  @state() private ablation?: AblationParams;
  @state() private scan?: ScanResultParams;
  @state() private scanProgress?: ScanProgressParams;
  @state() private scanning = false;
  @state() private scanError = '';
  @state() private ablating = false;
  @state() private run?: RunStateParams;
  @state() private stale?: { reason?: string };
  /** The picked feature (−1: none) and the clicked token (−1: none). */
  @state() private feature = -1;
  @state() private position = -1;
  @state() private mode: StripMode = 'chips';
  @state() private sortKey: FeatureSortKey = 'act';
  @state() private sortDir: SortDir = 'desc';

  @query('ci-feature-strip') private stripEl?: CiFeatureStrip;
  @query('ci-ablated-text') private ablatedEl?: CiAblatedText;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onMessage);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
    super.disconnectedCallback();
  }

  protected override firstUpdated(_c: PropertyValues<this>): void {
    const saved = asSaeViewState(this.channel?.getState?.());
    this.mode = saved.mode ?? this.mode;
    this.sortKey = saved.sortKey ?? this.sortKey;
    this.sortDir = saved.sortDir ?? this.sortDir;
    this.post(SaeReady.create({ protocolVersion: PROTOCOL_VERSION }));
  }

  private keep(): void {
    this.channel?.setState?.({ mode: this.mode, sortKey: this.sortKey, sortDir: this.sortDir });
  }

  private get inspectionId(): string | undefined {
    return this.features?.inspectionId;
  }

  /** Host messages (the harness may call this directly). */
  receive(msg: unknown): void {
    if (Features.is(msg)) {
      const p = msg.params;
      if (p.inspectionId !== this.features?.inspectionId) {
        this.card = undefined;
        this.tokenFeatures = undefined;
        this.ablation = undefined;
        this.scan = undefined;
        this.scanProgress = undefined;
        this.scanning = false;
        this.scanError = '';
        this.ablating = false;
        this.feature = -1;
        this.position = -1;
      }
      this.features = p;
      this.stale = p.stale ? {} : undefined;
    } else if (RunState.is(msg)) {
      const r = msg.params;
      this.run = r;
      const busy = r.state === 'running' || r.state === 'loading';
      // The host reports each job's end in the run state: clear that job's "working" marks (a failed
      // or cancelled run of any job ends whatever the view was waiting for).
      if (!busy && (r.job === 'ablation' || r.job === undefined || r.state !== 'done')) this.ablating = false;
      if (r.job === 'scan') {
        this.scanning = busy;
        if (r.state === 'error') this.scanError = r.message ?? 'the scan failed';
      }
    } else if (FeatureCard.is(msg)) {
      if (msg.params.inspectionId !== this.inspectionId) return;
      this.card = msg.params;
      this.feature = msg.params.feature;
    } else if (TokenFeatures.is(msg)) {
      if (msg.params.inspectionId !== this.inspectionId) return;
      this.tokenFeatures = msg.params;
      this.position = msg.params.position;
    } else if (Ablation.is(msg)) {
      if (msg.params.inspectionId !== this.inspectionId) return;
      this.ablation = msg.params;
      this.ablating = false;
    } else if (ScanProgress.is(msg)) {
      this.scanProgress = msg.params;
      this.scanning = true;
    } else if (ScanResult.is(msg)) {
      if (msg.params.inspectionId !== this.inspectionId) return;
      this.scan = msg.params;
      this.scanning = false;
      this.scanProgress = undefined;
      this.scanError = '';
    } else if (Stale.is(msg)) {
      this.stale = msg.params.stale ? { reason: msg.params.reason } : undefined;
    }
  }

  private onMessage = (ev: MessageEvent) => this.receive(ev.data);

  private post(msg: SaeWebviewToHost): void {
    this.channel?.post(msg);
  }

  protected override render() {
    const f = this.features;
    if (!f) {
      return html`${this.run && this.run.state !== 'done' && this.run.state !== 'idle' ? html`<header>${this.renderRun()}</header>` : nothing}
        <div class="empty muted">
          Select code in the editor and run <strong>Circuit Inspector: Inspect Features</strong> to see which features of the sparse autoencoder fire on each
          token, and why.
        </div>`;
    }
    const cardForPrompt = this.card && this.card.acts_pos.length === f.tokens.length ? withScan(this.card, this.scan) : undefined;
    return html`
      <header>
        <h1>Features</h1>
        <ci-model-name class="model" .label=${f.modelName}></ci-model-name>
        <span class="muted sae-label">${saeLabelAfter(f.sae.label, splitModelLabel(f.modelName).name)}</span>
        ${this.renderRun()}
        <span class="exports" role="group" aria-label="export">
          <span class="muted">Export</span>
          <vscode-button secondary title="Top-k features per position, quality, the card and the ablation as JSON" @click=${() => this.exportData('json')}
            >JSON</vscode-button
          >
          <vscode-button secondary title="Activations per position as CSV" @click=${() => this.exportData('csv')}>CSV</vscode-button>
          <vscode-button
            secondary
            class="png"
            ?disabled=${!cardForPrompt}
            title=${cardForPrompt ? "The strip painted by the picked feature's activation, as PNG" : 'Pick a feature first'}
            @click=${this.exportStripPng}
            >PNG</vscode-button
          >
        </span>
      </header>
      ${this.renderBanners(f)}
      <p class="sae-info muted">
        <span>hook <span class="mono">${f.sae.hookName}</span></span>
        <span>${f.sae.architecture} · d_sae ${f.sae.d_sae.toLocaleString('en-US')} · d_in ${f.sae.d_in}</span>
        <span class="transform"
          >input transform: <strong>${f.sae.inputTransform === 'center' ? 'mean over d_model removed' : 'none'}</strong> — ${f.sae.inputTransformReason}</span
        >
      </p>
      ${this.renderQuality(f)}
      <section class="strip-section" aria-label="features per token">
        <h2>
          Tokens <span class="sub muted">each token's top features (index and activation); click a token for all of them, a chip to pick its feature</span>
          <span role="group" aria-label="strip display" class="seg-group">
            ${(['chips', 'compact'] as StripMode[]).map(
              (m) =>
                html`<button
                  class="seg"
                  data-mode=${m}
                  aria-pressed=${this.mode === m ? 'true' : 'false'}
                  @click=${() => {
                    this.mode = m;
                    this.keep();
                  }}
                >
                  ${m === 'chips' ? 'top features' : 'compact'}
                </button>`,
            )}
          </span>
        </h2>
        <ci-feature-strip
          .tokens=${f.tokens}
          .top=${f.top}
          .l0=${f.l0_pos}
          .acts=${cardForPrompt?.acts_pos}
          .feature=${this.feature}
          .selected=${this.position}
          .mode=${this.mode}
          @ci-token-select=${this.onToken}
          @ci-feature-select=${this.onFeature}
        ></ci-feature-strip>
      </section>
      <div class="columns">
        ${this.renderTokenFeatures(f)}
        <section class="card-section" aria-label="feature card">
          ${
            cardForPrompt
              ? html`<ci-feature-card
                  .card=${cardForPrompt}
                  .tokens=${f.tokens}
                  .position=${this.position}
                  .scanning=${this.scanning}
                  .ablating=${this.ablating}
                  @ci-ablate=${this.onAblate}
                  @ci-scan=${this.onScan}
                  @ci-clear-paint=${this.onClearPaint}
                ></ci-feature-card>`
              : html`<p class="muted placeholder">Pick a feature (a chip in the strip, or a row of the table) to see its card.</p>`
          }
        </section>
      </div>
      ${
        this.ablation || this.ablating
          ? html`<section class="ablation" aria-label="ablated text">
              <h2>
                Ablated text
                <span class="sub muted">which earlier tokens the activation depends on</span>
                ${this.ablation ? html`<button class="link" title="Save the ablated text as PNG" @click=${this.exportAblationPng}>PNG</button>` : nothing}
              </h2>
              ${this.ablating ? html`<p class="muted" role="status"><vscode-progress-ring aria-label="working"></vscode-progress-ring> Running the ablations…</p>` : nothing}
              ${this.ablation ? html`<ci-ablated-text .tokens=${f.tokens} .ablation=${this.ablation}></ci-ablated-text>` : nothing}
            </section>`
          : nothing
      }
      ${
        this.scan || this.scanning || this.scanError
          ? html`<section class="examples" aria-label="examples from the workspace">
              <h2>Examples from the workspace <span class="sub muted">feature #${this.scan?.feature ?? this.feature}</span></h2>
              <ci-feature-examples
                .result=${this.scan}
                .progress=${this.scanProgress}
                .running=${this.scanning}
                .error=${this.scanError}
                @ci-open-example=${this.onOpenExample}
                @ci-cancel-scan=${this.onCancelScan}
              ></ci-feature-examples>
            </section>`
          : nothing
      }
    `;
  }

  private renderRun() {
    const s = this.run;
    if (!s || s.state === 'idle') return nothing;
    const busy = s.state === 'loading' || s.state === 'running';
    const pctText = s.progress !== undefined ? ` ${Math.round(s.progress * 100)}%` : '';
    return html`<span class=${`run ${s.state}`} role=${s.state === 'error' ? 'alert' : 'status'} aria-live="polite">
      ${busy ? html`<vscode-progress-ring aria-label="working"></vscode-progress-ring>` : nothing} ${RUN_LABEL[s.state]}${busy ? pctText : ''}
      ${s.message ? html`<span class=${s.state === 'error' ? 'message' : 'muted message'}>— ${s.message}</span>` : nothing}
      ${
        busy && s.cancellable
          ? html`<vscode-button secondary class="cancel" @click=${() => this.post(s.job === 'scan' ? CancelScan.create({}) : Cancel.create({}))}
              >Cancel</vscode-button
            >`
          : nothing
      }
    </span>`;
  }

  private renderBanners(f: FeaturesParams) {
    return html`${f.warnings.map((w) => html`<div class="banner warning" role="alert">${w}</div>`)}
    ${
      this.stale
        ? html`<div class="banner" role="alert">
            <strong>Stale</strong> — ${this.stale.reason ?? 'the document changed since this ran'}. Run the command again to update it.
          </div>`
        : nothing
    }
    ${
      f.notes.length
        ? html`<ul class="notes">
            ${f.notes.map((n) => html`<li>${n}</li>`)}
          </ul>`
        : nothing
    }`;
  }

  private renderQuality(f: FeaturesParams) {
    const q = f.quality;
    if (!q) {
      return html`<section class="quality" aria-label="reconstruction quality">
        <h2>Reconstruction on this prompt</h2>
        <p class="muted">Not computed yet${this.run?.state === 'error' ? ' (see the error above)' : ''}.</p>
      </section>`;
    }
    const isBos = (i: number) => f.tokens[i]?.isBos === true;
    const v = qualityVerdict(q);
    const dCe = q.ceSpliced - q.ceClean;
    const rec = lossRecovered(q);
    const worst = worstPositions(q, isBos, 3);
    const t = QUALITY_THRESHOLDS;
    const ref = f.sae.reference;
    return html`<section class=${`quality ${v.level}`} aria-label="reconstruction quality">
      <h2>
        Reconstruction on this prompt
        <span class="sub muted"
          >how much of the hook's activation the features account for, and what splicing the reconstruction in does to the predictions</span
        >
      </h2>
      ${
        v.level === 'poor'
          ? html`<div class="verdict poor" role="alert">
              <strong>${v.headline}</strong>
              <ul>
                ${v.reasons.map((r) => html`<li>${r}</li>`)}
              </ul>
            </div>`
          : v.level === 'good'
            ? html`<p class="verdict good">✓ ${v.headline}</p>`
            : v.level === 'too-short'
              ? html`<p class="verdict short" role="note">${v.headline} The numbers below are for reference.</p>`
              : nothing
      }
      <dl class="nums">
        <div>
          <dt>variance explained</dt>
          <dd>
            ${pct(q.varianceExplained)}
            ${ref?.varianceExplained !== undefined ? html`<span class="muted ref" title=${`The SAE's own: ${ref.source}`}>typical ${pct(ref.varianceExplained)}</span>` : nothing}
          </dd>
        </div>
        <div>
          <dt>‖x − x̂‖ / ‖x‖</dt>
          <dd>${meanExcept(q.rel_error_pos, isBos).toFixed(2)} <span class="muted">mean</span></dd>
        </div>
        <div>
          <dt>next-token loss</dt>
          <dd>
            ${q.ceClean.toFixed(2)} → ${q.ceSpliced.toFixed(2)} nats <span class="muted">(${dCe >= 0 ? '+' : '−'}${Math.abs(dCe).toFixed(2)})</span>
            ${ref?.deltaCe !== undefined ? html`<span class="muted ref" title=${`The SAE's own: ${ref.source}`}>typical +${ref.deltaCe.toFixed(2)}</span>` : nothing}
          </dd>
        </div>
        ${
          rec !== undefined
            ? html`<div>
                <dt>loss recovered</dt>
                <dd>${pct(rec)}</dd>
              </div>`
            : nothing
        }
        <div>
          <dt>KL(clean ‖ spliced)</dt>
          <dd>${meanExcept(q.kl_pos, isBos).toFixed(3)} nats <span class="muted">mean</span></dd>
        </div>
        <div>
          <dt>top-1 kept</dt>
          <dd>${pct(q.top1Agreement)}</dd>
        </div>
        <div>
          <dt>positions</dt>
          <dd>${q.nScored} <span class="muted">scored</span></dd>
        </div>
      </dl>
      ${
        worst.length && worst[0].kl > 0
          ? html`<p class="worst muted">
              Moved most by splicing:
              ${worst.map(
                (w, i) =>
                  html`${i ? ', ' : ''}<button
                      class="link mono"
                      @click=${() => this.onToken(new CustomEvent('ci-token-select', { detail: { position: w.position } }))}
                    >
                      ${tokenLabel(f.tokens[w.position], w.position)}
                    </button>
                    KL ${w.kl.toFixed(2)}, error ${w.relError.toFixed(2)}`,
              )}
            </p>`
          : nothing
      }
      <details class="thresholds">
        <summary class="muted">How this is judged</summary>
        <p class="muted">
          Poor when under ${t.poorVarianceExplained * 100}% of the variance is explained, the loss rises by more than ${t.poorDeltaCe} nats, or the top
          prediction changes at over ${Math.round((1 - t.poorTop1) * 100)}% of positions; good at ${t.goodVarianceExplained * 100}% explained or more, a rise of
          at most ${t.goodDeltaCe} nats and ${t.goodTop1 * 100}% of top predictions kept (what SAEs reach on the text they were trained on). In between, no
          verdict. Fewer than ${t.minScored} positions: no verdict. BOS is not scored.${ref ? ` "Typical": the SAE's own numbers (${ref.source}).` : ''}
        </p>
      </details>
    </section>`;
  }

  private renderTokenFeatures(f: FeaturesParams) {
    const tf = this.tokenFeatures && this.tokenFeatures.position === this.position && this.position >= 0 ? this.tokenFeatures : undefined;
    if (!tf) {
      return html`<section class="token-features" aria-label="features at a token">
        <p class="muted placeholder">Click a token (or focus the strip and press Enter) to list every feature active there.</p>
      </section>`;
    }
    const rows = sortFeatures(tf.features, this.sortKey, this.sortDir);
    const t = f.tokens[tf.position];
    const header = (key: FeatureSortKey, label: string, numeric: boolean) => {
      const sorted = this.sortKey === key;
      return html`<th scope="col" class=${numeric ? 'num' : ''} aria-sort=${sorted ? (this.sortDir === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button class="sort" data-key=${key} @click=${() => this.sortBy(key)}>${label}${sorted ? (this.sortDir === 'asc' ? ' ▲' : ' ▼') : ''}</button>
      </th>`;
    };
    return html`<section class="token-features" aria-label="features at a token">
      <h2>
        Active at <span class="mono">${t ? tokenLabel(t, tf.position) : `#${tf.position}`}</span>
        <span class="sub muted"
          >${tf.features.length} feature${tf.features.length === 1 ? '' : 's'} · density
          ${tf.densitySource === 'unknown' ? 'unknown (no sparsity file)' : `from the ${tf.densitySource}`}</span
        >
      </h2>
      ${
        tf.features.length
          ? html`<div class="table-wrap">
              <table class="features" aria-label=${`features active at position ${tf.position}`}>
                <thead>
                  <tr>
                    ${header('feature', 'Feature', false)} ${header('act', 'Activation', true)} ${header('density', 'Density', true)}
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (r) =>
                      html`<tr class=${r.feature === this.feature ? 'picked' : ''} data-f=${r.feature}>
                        <td>
                          <button class="link mono pick" aria-label=${`pick feature ${r.feature}`} @click=${() => this.pick(r.feature)}>#${r.feature}</button>
                        </td>
                        <td class="num">${fmtAct(r.act)}</td>
                        <td class="num">${fmtDensity(r.density)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : html`<p class="muted">No feature is active at this token.</p>`
      }
    </section>`;
  }

  private sortBy(key: FeatureSortKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc';
    else {
      this.sortKey = key;
      this.sortDir = defaultDir(key);
    }
    this.keep();
  }

  private onToken = (e: TokenSelectEvent | CustomEvent<{ position: number }>) => {
    const id = this.inspectionId;
    if (!id) return;
    this.position = e.detail.position;
    this.post(SelectToken.create({ inspectionId: id, position: e.detail.position }));
  };

  private onFeature = (e: FeatureSelectEvent) => this.pick(e.detail.feature);

  private pick(feature: number): void {
    const id = this.inspectionId;
    if (!id) return;
    this.feature = feature;
    this.post(SelectFeature.create({ inspectionId: id, feature }));
  }

  private onAblate = (e: AblateEvent) => {
    const id = this.inspectionId;
    if (!id) return;
    this.ablating = true;
    this.post(RunAblation.create({ inspectionId: id, feature: e.detail.feature, position: e.detail.position }));
  };

  /** The scan shows as running once the host says so (a run state or progress): a cancelled folder picker sends nothing. */
  private onScan = (e: ScanEvent) => {
    const id = this.inspectionId;
    if (!id) return;
    this.scanError = '';
    this.scanProgress = undefined;
    this.post(ScanWorkspace.create({ inspectionId: id, feature: e.detail.feature, scope: e.detail.scope }));
  };

  private onCancelScan = () => this.post(CancelScan.create({}));

  private onOpenExample = (e: OpenExampleEvent) => this.post(OpenExample.create({ exampleId: e.detail.exampleId }));

  private onClearPaint = () => this.post(ClearEditorPaint.create({}));

  private exportData(format: 'json' | 'csv'): void {
    const id = this.inspectionId;
    if (id) this.post(Export.create({ inspectionId: id, format }));
  }

  private exportStripPng = () => {
    const id = this.inspectionId;
    const f = this.features;
    if (!id || !f || this.feature < 0) return;
    const url = this.stripEl?.toPng(`Feature ${this.feature} · ${f.sae.label}`);
    if (url) this.post(Export.create({ inspectionId: id, format: 'png', name: `feature-${this.feature}-strip`, dataUrl: url }));
  };

  private exportAblationPng = () => {
    const id = this.inspectionId;
    const a = this.ablation;
    const url = this.ablatedEl?.toPng();
    if (id && a && url) this.post(Export.create({ inspectionId: id, format: 'png', name: `feature-${a.feature}-ablated-at-${a.position}`, dataUrl: url }));
  };
}

/**
 * The card with what a scan of the same feature measured, where the card had nothing better: its
 * density when the SAE has no sparsity file, and its max when larger than the prompt's.
 */
function withScan(card: FeatureCardParams, scan: ScanResultParams | undefined): FeatureCardParams {
  if (!scan || scan.feature !== card.feature || scan.inspectionId !== card.inspectionId) return card;
  let out = card;
  if (card.densitySource === 'unknown') out = { ...out, density: scan.density, densitySource: 'workspace scan' };
  if (card.maxActSource === 'prompt' && scan.maxAct > card.maxAct) out = { ...out, maxAct: scan.maxAct, maxActSource: 'workspace scan' };
  return out;
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-sae-panel': CiSaePanel;
  }
}
