import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '../ci-logit-lens/index.js';
import '../ci-norm-growth/index.js';
import '../ci-dla/index.js';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import {
  CancelRun,
  ClearHead,
  DocumentNorms,
  ExportPng,
  ExportResidual,
  FocusPosition,
  InputRejected,
  RESIDUAL_PROTOCOL_VERSION,
  ResidualReady,
  ResidualStream,
  RunState,
  SelectHead,
  SetAnswer,
  SetPosition,
  SetVariant,
  Stale,
  recordVariant,
  type DocumentNormsParams,
  type InputRejectedParams,
  type ResidualExportFormat,
  type ResidualStreamParams,
  type ResidualWebviewToHost,
  type RunStateKind,
  type RunStateParams,
} from '../../../src/features/residual/shared/protocol.js';
import type { LensVariant, ResidualNormsRecord } from '../../../src/shared/residualStream.js';
import { visibleText } from '../../../src/shared/tokens.js';
import type { CiDla, DlaHeadEvent } from '../ci-dla/ci-dla.js';
import type { CiLogitLens, LensPositionEvent } from '../ci-logit-lens/ci-logit-lens.js';
import type { LensColourBy, LensZoom } from '../ci-logit-lens/lensLayout.js';
import type { CiNormGrowth, NormPlotKind } from '../ci-norm-growth/ci-norm-growth.js';
import { growthSummary, type NormMode } from '../ci-norm-growth/normPlot.js';
import { answerOf, figureCaption, lensPending, mergeDocumentWindows } from './residualView.js';
import { styles } from './ci-residual-panel.styles.js';
import { PanelHostController } from '../../lib/panelHost.js';
import '../ci-model-name/index.js';

/** The view's own choices, kept across the webview being hidden and shown again (vscode.setState). */
export interface ResidualViewState {
  readonly colourBy: LensColourBy;
  readonly zoom: LensZoom;
  readonly normMode: NormMode;
}

export interface ResidualChannel {
  post(msg: ResidualWebviewToHost): void;
  getState?(): unknown;
  setState?(state: ResidualViewState): void;
}

/** The persisted state, if it is one (anything else is ignored). */
export function asViewState(v: unknown): Partial<ResidualViewState> {
  if (typeof v !== 'object' || v === null) return {};
  const out: { colourBy?: LensColourBy; zoom?: LensZoom; normMode?: NormMode } = {};
  if ('colourBy' in v && (v.colourBy === 'top' || v.colourBy === 'answer')) out.colourBy = v.colourBy;
  if ('zoom' in v && (v.zoom === 'fit' || v.zoom === 'read')) out.zoom = v.zoom;
  if ('normMode' in v && (v.normMode === 'raw' || v.normMode === 'centred')) out.normMode = v.normMode;
  return out;
}

const RUN_LABEL: Readonly<Record<RunStateKind, string>> = {
  loading: 'Loading model…',
  running: 'Running…',
  done: 'Done',
  error: 'Failed',
  cancelled: 'Cancelled',
};

const VARIANT_TEXT: Readonly<Record<LensVariant, { label: string; title: string }>> = {
  recompute: { label: 'ln_final recomputed', title: 'Each residual goes through ln_final with its own mean and variance (TransformerLens since PR#1180)' },
  'cached-scale': {
    label: "TransformerLens before PR#1180: final layer's cached scale",
    title: 'Each residual is centred and divided by the final layer’s cached LayerNorm scale: early layers look nearly uniform (TL#1076). For comparison only.',
  },
};

/**
 * The Inspect Residual Stream panel: the logit lens (boundary × position), the norm growth of
 * the residual stream and its sublayers, and direct logit attribution with a clicked head's
 * per-source decomposition. The answer, wrong token, lens variant and DLA position are inputs the
 * host recomputes from its cached forward; a document run shows only the norms. A record without
 * its lens (the lens is still being computed) draws the norms and DLA, and the lens section shows
 * the run's progress instead of a heatmap. Holds no result beyond the last message (the host's
 * session owns them).
 *
 * @tag ci-residual-panel
 */
@customElement('ci-residual-panel')
export class CiResidualPanel extends LitElement {
  static override styles = styles;

  /** The host; undefined outside a webview (the panel then renders what `receive` is given). */
  @property({ attribute: false }) channel?: ResidualChannel;

  @state() private stream?: ResidualStreamParams;
  @state() private doc?: { params: DocumentNormsParams; norms: ResidualNormsRecord };
  @state() private run?: RunStateParams;
  @state() private stale?: { reason?: string };
  @state() private rejected: Partial<Record<InputRejectedParams['field'], string>> = {};
  @state() private answer = '';
  @state() private wrong = '';
  @state() private colourBy: LensColourBy = 'top';
  @state() private zoom: LensZoom = 'fit';
  @state() private normMode: NormMode = 'raw';
  @state() private head: { layer: number; head: number } | null = null;
  @state() private focusColumn = -1;

  @query('ci-logit-lens') private lensEl?: CiLogitLens;
  @query('ci-norm-growth') private normsEl?: CiNormGrowth;
  @query('ci-dla') private dlaEl?: CiDla;
  /** The host's messages and the panel's width. */
  private readonly page = new PanelHostController(this, (msg) => this.receive(msg));

  protected override firstUpdated(_c: PropertyValues<this>): void {
    const saved = asViewState(this.channel?.getState?.());
    this.colourBy = saved.colourBy ?? this.colourBy;
    this.zoom = saved.zoom ?? this.zoom;
    this.normMode = saved.normMode ?? this.normMode;
    this.post(ResidualReady.create({ protocolVersion: RESIDUAL_PROTOCOL_VERSION }));
  }

  /** Applies a view choice and keeps it for when the webview is shown again. */
  private choose(patch: Partial<ResidualViewState>): void {
    this.colourBy = patch.colourBy ?? this.colourBy;
    this.zoom = patch.zoom ?? this.zoom;
    this.normMode = patch.normMode ?? this.normMode;
    this.channel?.setState?.({ colourBy: this.colourBy, zoom: this.zoom, normMode: this.normMode });
  }

  /** Host messages (the harness may call this directly). */
  receive(msg: unknown): void {
    if (ResidualStream.is(msg)) {
      const p = msg.params;
      const same = this.stream?.record.inspectionId === p.record.inspectionId;
      this.stream = p;
      this.doc = undefined;
      this.answer = p.answerText;
      this.wrong = p.wrongText;
      this.rejected = {};
      this.stale = p.stale ? {} : undefined;
      const h = this.head;
      if (!same || (h && (h.layer >= p.record.n_layers || h.head >= p.record.n_heads))) this.head = null;
      if (!same) this.focusColumn = -1;
    } else if (DocumentNorms.is(msg)) {
      this.doc = { params: msg.params, norms: mergeDocumentWindows(msg.params) };
      this.stream = undefined;
      this.head = null;
      this.stale = msg.params.stale ? {} : undefined;
    } else if (RunState.is(msg)) {
      this.run = msg.params;
    } else if (Stale.is(msg)) {
      this.stale = msg.params.stale ? { reason: msg.params.reason } : undefined;
    } else if (InputRejected.is(msg)) {
      if (msg.params.inspectionId === this.stream?.record.inspectionId) this.rejected = { ...this.rejected, [msg.params.field]: msg.params.message };
    } else if (FocusPosition.is(msg)) {
      if (msg.params.inspectionId !== this.stream?.record.inspectionId) return;
      this.focusColumn = msg.params.position;
      void this.updateComplete.then(() => {
        this.lensEl?.revealColumn(msg.params.position);
        this.lensEl?.scrollIntoView({ block: 'nearest' });
      });
    }
  }

  private post(msg: ResidualWebviewToHost): void {
    this.channel?.post(msg);
  }

  protected override render() {
    if (this.doc) return this.renderDocument(this.doc.params, this.doc.norms);
    const s = this.stream;
    if (!s) {
      // Nothing shown yet: only a run in progress or one that failed is worth a line ("Done" with nothing is not).
      return html`${this.run && this.run.state !== 'done' ? html`<header>${this.renderRun()}</header>` : nothing}
        <div class="empty muted">
          Select a prompt in the editor and run <strong>Circuit Inspector: Inspect Residual Stream</strong> to see what each layer predicts, how the residual
          stream grows, and which heads write the answer.
        </div>`;
    }
    const r = s.record;
    const w = Math.max(320, this.page.width);
    const caption = figureCaption(r);
    const variant = recordVariant(r);
    return html`
      <header>
        <h1>Residual stream</h1>
        <ci-model-name class="model" .label=${r.modelName}></ci-model-name>
        <span class="muted">${r.tokens.length} tokens · ${r.n_layers} layers × ${r.n_heads} heads</span>
        ${this.renderRun()}
        <span class="exports" role="group" aria-label="export">
          <span class="muted">Export</span>
          ${(['json', 'csv', 'safetensors'] as ResidualExportFormat[]).map(
            (f) =>
              html`<vscode-button
                secondary
                ?disabled=${!r.lens}
                title=${r.lens ? EXPORT_TITLES[f] : 'Available once the logit lens is computed'}
                @click=${() => this.post(ExportResidual.create({ inspectionId: r.inspectionId, format: f }))}
                >${f === 'safetensors' ? 'safetensors' : f.toUpperCase()}</vscode-button
              >`,
          )}
        </span>
      </header>
      ${this.renderBanners(s.notes)} ${this.renderInputs(s)}

      <section class="lens" aria-label="logit lens">
        <h2>
          Logit lens <span class="sub muted">what the residual stream predicts as the next token, read through ln_final and W_U at every layer</span>
          ${
            r.lens
              ? html`<button class="link" title="Save the logit lens as PNG" @click=${() => this.exportPng('logit-lens', this.lensEl?.toPng())}>PNG</button>`
              : nothing
          }
        </h2>
        <div class="controls">
          <div role="group" aria-label="lens variant" class="seg-group">
            <span class="muted">ln_final</span>
            ${(['recompute', 'cached-scale'] as LensVariant[]).map(
              (v) =>
                html`<button
                  class=${`seg${v === 'cached-scale' ? ' legacy' : ''}`}
                  data-variant=${v}
                  aria-pressed=${variant === v ? 'true' : 'false'}
                  title=${VARIANT_TEXT[v].title}
                  @click=${() => this.setVariant(v)}
                >
                  ${VARIANT_TEXT[v].label}
                </button>`,
            )}
          </div>
          <div role="group" aria-label="colour by" class="seg-group">
            <span class="muted">Colour</span>
            ${(['top', 'answer'] as LensColourBy[]).map(
              (c) =>
                html`<button class="seg" data-colour=${c} aria-pressed=${this.colourBy === c ? 'true' : 'false'} @click=${() => this.choose({ colourBy: c })}>
                  ${c === 'top' ? 'top token’s probability' : `answer’s probability`}
                </button>`,
            )}
          </div>
          <div role="group" aria-label="zoom" class="seg-group">
            <span class="muted">Cells</span>
            ${(['fit', 'read'] as LensZoom[]).map(
              (z) =>
                html`<button
                  class="seg"
                  data-zoom=${z}
                  aria-pressed=${this.zoom === z ? 'true' : 'false'}
                  title=${z === 'fit' ? 'Every position in the panel’s width' : 'Wide enough to read each top token; scroll sideways'}
                  @click=${() => this.choose({ zoom: z })}
                >
                  ${z === 'fit' ? 'fit width' : 'readable (scroll)'}
                </button>`,
            )}
          </div>
        </div>
        ${
          variant === 'cached-scale'
            ? html`<p class="legacy-note" role="note">
                Showing TransformerLens's logit lens before PR#1180: every layer divided by the <em>final</em> layer's cached LayerNorm scale. Early layers look
                nearly uniform because of that, not because they predict nothing.
              </p>`
            : nothing
        }
        <ci-logit-lens
          .lens=${r.lens}
          .tokens=${r.tokens}
          .nLayers=${r.n_layers}
          .colourBy=${this.colourBy}
          .zoom=${this.zoom}
          .maxWidth=${w}
          .caption=${caption}
          .position=${r.dla.position}
          .focusColumn=${this.focusColumn}
          .pending=${r.lens ? undefined : lensPending(this.run)}
          @ci-lens-position=${this.onLensPosition}
        ></ci-logit-lens>
        ${
          r.lens
            ? html`<p class="hint muted">
                Hover a cell for its top ${Math.min(5, r.lens.k)}, entropy and the answer's rank; click a column to read DLA at that position.
              </p>`
            : nothing
        }
      </section>

      ${this.renderNorms(r.norms, w, caption)}

      <section class="dla" aria-label="direct logit attribution">
        <h2>
          Direct logit attribution
          <span class="sub muted">each component's direct effect on the answer's logit${r.dla.direction.wrong ? ' difference' : ''}</span>
          <button class="link" title="Save the head heatmap as PNG" @click=${() => this.exportPng('dla-heads', this.dlaEl?.toPng('heads'))}>PNG heads</button>
          <button class="link" title="Save the bar chart as PNG" @click=${() => this.exportPng('dla-components', this.dlaEl?.toPng('bars'))}>PNG bars</button>
        </h2>
        <ci-dla .dla=${r.dla} .tokens=${r.tokens} .selected=${this.head} .maxWidth=${w} .caption=${caption} @ci-dla-head=${this.onHead}></ci-dla>
        ${
          this.head
            ? html`<p class="muted">
                The same contributions are painted over the prompt in the editor.
                <button class="link" @click=${this.clearHead}>Clear head ${this.head.layer}.${this.head.head}</button>
              </p>`
            : nothing
        }
      </section>
    `;
  }

  private renderRun() {
    const s = this.run;
    if (!s) return nothing;
    const busy = s.state === 'loading' || s.state === 'running';
    const pct = s.progress !== undefined ? ` ${Math.round(s.progress * 100)}%` : '';
    return html`<span class=${`run ${s.state}`} role="status" aria-live="polite">
      ${busy ? html`<vscode-progress-ring aria-label="working"></vscode-progress-ring>` : nothing} ${RUN_LABEL[s.state]}${busy ? pct : ''}
      ${s.message ? html`<span class="muted">— ${s.message}</span>` : nothing}
      ${busy && s.cancellable ? html`<vscode-button secondary @click=${() => this.post(CancelRun.create({}))}>Cancel</vscode-button>` : nothing}
    </span>`;
  }

  private renderBanners(notes: readonly string[]) {
    return html`${
      this.stale
        ? html`<div class="banner" role="alert">
            <strong>Stale</strong> — ${this.stale.reason ?? 'the document changed since this ran'}. Run the command again to update it.
          </div>`
        : nothing
    }
    ${
      notes.length
        ? html`<ul class="notes">
            ${notes.map((n) => html`<li>${n}</li>`)}
          </ul>`
        : nothing
    }`;
  }

  private renderInputs(s: ResidualStreamParams) {
    const r = s.record;
    const err = this.rejected;
    const last = r.tokens[r.tokens.length - 1];
    return html`<form class="inputs" @submit=${this.applyAnswer} aria-label="answer and wrong token">
      <label
        >Answer
        <vscode-textfield
          name="answer"
          aria-label="answer token"
          placeholder=${`default: '${visibleText(answerOf(r).text)}'`}
          title="Token text exactly, leading space included (· or a space), or #ID for a token by id (the lens hover shows ids). Empty: the model's top token at the last position."
          .value=${this.answer}
          ?invalid=${err.answer !== undefined}
          @input=${(e: Event) => (this.answer = fieldValue(e))}
          @keydown=${this.onFieldKey}
        ></vscode-textfield
      ></label>
      <label
        >Wrong
        <vscode-textfield
          name="wrong"
          aria-label="wrong token"
          placeholder="none"
          title="A competing token (text, or #ID): DLA then attributes logit(answer) − logit(wrong). Empty: the answer's logit alone."
          .value=${this.wrong}
          ?invalid=${err.wrong !== undefined}
          @input=${(e: Event) => (this.wrong = fieldValue(e))}
          @keydown=${this.onFieldKey}
        ></vscode-textfield
      ></label>
      <vscode-button @click=${this.applyAnswer}>Apply</vscode-button>
      <span class="muted">
        DLA at position ${r.dla.position}
        <span class="mono">'${r.tokens[r.dla.position]?.isBos ? 'BOS' : visibleText(r.tokens[r.dla.position]?.text ?? '')}'</span>
        ${
          last && r.dla.position !== r.tokens.length - 1
            ? html`· <button class="link" @click=${() => this.setPosition(r.tokens.length - 1)}>back to the last token</button>`
            : nothing
        }
      </span>
      ${(['answer', 'wrong', 'position', 'variant'] as const).map((f) => (err[f] ? html`<div class="error" role="alert" data-field=${f}>${err[f]}</div>` : nothing))}
    </form>`;
  }

  private renderNorms(norms: ResidualNormsRecord, w: number, caption: string) {
    const summary = growthSummary(norms, this.normMode);
    return html`<section class="norms" aria-label="norm growth">
      <h2>
        Norm growth <span class="sub muted">how large the residual stream is at each layer</span>
        <button class="link" title="Save the residual-norm plot as PNG" @click=${() => this.exportNormPng('resid')}>PNG norms</button>
        <button class="link" title="Save the sublayer plot as PNG" @click=${() => this.exportNormPng('sublayers')}>PNG sublayers</button>
      </h2>
      <div class="controls">
        <div role="group" aria-label="norm" class="seg-group">
          ${(['raw', 'centred'] as NormMode[]).map(
            (m) =>
              html`<button
                class="seg"
                data-norm=${m}
                aria-pressed=${this.normMode === m ? 'true' : 'false'}
                title=${m === 'raw' ? 'The L2 norm as it is' : 'The L2 norm after subtracting the mean over d_model (an unprocessed GPT-2 stream is not zero-mean)'}
                @click=${() => this.choose({ normMode: m })}
              >
                ${m}
              </button>`,
          )}
        </div>
        <span class="growth"><strong>${summary.legend}</strong></span>
      </div>
      ${
        summary.notes.length
          ? html`<ul class="verdicts">
              ${summary.notes.map((n) => html`<li>${n}</li>`)}
            </ul>`
          : nothing
      }
      <ci-norm-growth .norms=${norms} .mode=${this.normMode} .maxWidth=${w} .caption=${caption}></ci-norm-growth>
    </section>`;
  }

  private renderDocument(d: DocumentNormsParams, norms: ResidualNormsRecord) {
    const w = Math.max(320, this.page.width);
    const caption = `${d.modelName} · ${d.source} · ${d.totalTokens} tokens in ${d.windows.length} window${d.windows.length === 1 ? '' : 's'} of ≤ ${d.windowTokens}`;
    return html`<header>
        <h1>Residual norms</h1>
        <ci-model-name class="model" .label=${d.modelName}></ci-model-name>
        <span class="muted"
          >${d.source} · ${d.totalTokens} tokens in ${d.windows.length} window${d.windows.length === 1 ? '' : 's'} of ≤ ${d.windowTokens}</span
        >
        ${this.renderRun()}
      </header>
      ${this.renderBanners(d.notes)} ${this.renderNorms(norms, w, caption)}`;
  }

  private onFieldKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter') this.applyAnswer(e);
  };

  private applyAnswer = (e?: Event) => {
    e?.preventDefault();
    const r = this.stream?.record;
    if (!r) return;
    this.rejected = {};
    this.post(SetAnswer.create({ inspectionId: r.inspectionId, answer: fromShown(this.answer), wrong: fromShown(this.wrong) }));
  };

  private setVariant(v: LensVariant): void {
    const r = this.stream?.record;
    if (!r || recordVariant(r) === v) return;
    this.post(SetVariant.create({ inspectionId: r.inspectionId, variant: v }));
  }

  private setPosition(position: number): void {
    const r = this.stream?.record;
    if (!r || r.dla.position === position) return;
    this.post(SetPosition.create({ inspectionId: r.inspectionId, position }));
  }

  private onLensPosition = (e: LensPositionEvent) => this.setPosition(e.detail.position);

  private onHead = (e: DlaHeadEvent) => {
    const r = this.stream?.record;
    if (!r) return;
    const { layer, head } = e.detail;
    if (this.head?.layer === layer && this.head.head === head) {
      this.clearHead();
      return;
    }
    this.head = { layer, head };
    this.post(SelectHead.create({ inspectionId: r.inspectionId, layer, head }));
  };

  private clearHead = () => {
    this.head = null;
    this.post(ClearHead.create({}));
  };

  private exportNormPng(kind: NormPlotKind): void {
    this.exportPng(kind === 'resid' ? 'residual-norms' : 'sublayer-norms', this.normsEl?.toPng(kind));
  }

  private exportPng(name: string, dataUrl: string | undefined): void {
    const id = this.stream?.record.inspectionId ?? this.doc?.params.runId;
    if (dataUrl && id) this.post(ExportPng.create({ inspectionId: id, name, dataUrl }));
  }
}

const EXPORT_TITLES: Readonly<Record<ResidualExportFormat, string>> = {
  json: 'The whole record (logit lens top-k, norms, DLA with per-source decomposition) as JSON',
  csv: 'The DLA table and the logit lens’s top-1 grid as CSV',
  safetensors: 'The residual stream itself under TransformerLens hook names, to load in Python',
};

function fieldValue(e: Event): string {
  const t = e.target;
  return t instanceof HTMLElement && 'value' in t && typeof t.value === 'string' ? t.value : '';
}

/** A typed '·' stands for a space (the view shows spaces as ·), so ·param means ' param'. */
function fromShown(s: string): string {
  return s.replace(/·/g, ' ');
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-residual-panel': CiResidualPanel;
  }
}
