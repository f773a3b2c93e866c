import '../ci-head-grid/index.js';
import '../ci-head-table/index.js';
import '../ci-head-zoom/index.js';
import '../ci-panel-header/index.js';
import '../ci-special-tokens/index.js';
import '../ci-token-strip/index.js';
import { provide } from '@lit/context';
import { LitElement, html, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  ClearFocus,
  ExportActivations,
  FocusChanged,
  OpenResidualStream,
  PROTOCOL_VERSION,
  Ready,
  RequestHeadPattern,
  Timing,
  isFocusToken,
  isHeadPattern,
  isHostToWebviewMessage,
  isInspection,
  isRunState,
  isStale,
  type FocusChangedParams,
} from '../../../src/features/attention/shared/protocol.js';
import { type HeadRef } from '../../../src/shared/inspection.js';
import { focusContext, inspectionContext, patternsContext, statusContext, type InspectionView, type PanelStatus } from '../../lib/context.js';
import type { FocusEvent, GridPaintEvent } from '../../lib/events.js';
import {
  activeHead,
  activeToken,
  clampFocus,
  focusForInspection,
  initialFocus,
  reduceFocus,
  tokenWeights,
  type FocusAction,
  type FocusState,
} from '../../lib/focus.js';
import { isPreview } from '../../lib/hoverLock.js';
import { PatternStore, type PatternView } from '../../lib/patternStore.js';
import type { HostChannel } from '../../lib/vscodeApi.js';
import { styles } from './ci-attention-panel.styles.js';

/** Hovering must rest this long on a head before its full pattern is requested. */
const PREVIEW_REQUEST_DELAY_MS = 60;
/** Focus reports to the host (editor decorations) are coalesced over this window. */
const FOCUS_REPORT_DELAY_MS = 80;

/**
 * The Inspect Attention panel: owns the state, talks to the host, lays out the views. Children
 * read state from contexts and send `ci-focus` actions up; this element reduces them, fetches
 * full head patterns on demand and reports focus changes to the host.
 *
 * @tag ci-attention-panel
 * @attr data-first-paint-ms - ms from receiving the latest `inspection` to the end of the first head-grid paint
 */
@customElement('ci-attention-panel')
export class CiAttentionPanel extends LitElement {
  static override styles = styles;

  /** The channel to the extension host (set by the entry script). */
  @property({ attribute: false }) channel?: HostChannel;

  @provide({ context: inspectionContext })
  @state()
  inspection?: InspectionView;

  @provide({ context: focusContext })
  @state()
  focusState: FocusState = initialFocus();

  @provide({ context: patternsContext })
  @state()
  patterns: PatternView;

  @provide({ context: statusContext })
  @state()
  status: PanelStatus = { runState: null, stale: false };

  /** The latest first-paint measurement, in ms (also reflected as `data-first-paint-ms`). */
  firstPaintMs?: number;

  private readonly store = new PatternStore();
  private readyPosted = false;
  private restoredLock?: HeadRef;
  private requestTimer?: ReturnType<typeof setTimeout>;
  private reportTimer?: ReturnType<typeof setTimeout>;
  private lastReport = '';

  constructor() {
    super();
    this.patterns = this.store.view();
    this.addEventListener('ci-focus', this.onFocusAction);
    this.addEventListener('ci-grid-paint', this.onGridPaint);
    this.addEventListener('ci-export-activations', (e) => this.channel?.post(ExportActivations.create({ inspectionId: e.detail })));
    this.addEventListener('ci-open-residual-stream', (e) => this.channel?.post(OpenResidualStream.create({ inspectionId: e.detail })));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onMessage);
    this.postReady();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('message', this.onMessage);
    clearTimeout(this.requestTimer);
    clearTimeout(this.reportTimer);
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('channel')) this.postReady();
  }

  private postReady(): void {
    if (this.readyPosted || !this.channel || !this.isConnected) return;
    const saved = this.channel.getState();
    if (saved?.direction) this.focusState = { ...this.focusState, direction: saved.direction };
    this.restoredLock = saved?.lockedHead;
    this.readyPosted = true;
    this.channel.post(Ready.create({ protocolVersion: PROTOCOL_VERSION }));
  }

  protected override render() {
    if (!this.inspection) {
      const busy = this.status.runState === 'loading' || this.status.runState === 'running';
      return html`<ci-panel-header></ci-panel-header>
        <p class="empty muted">
          ${busy ? 'Computing the attention patterns…' : 'No inspection yet. Select text in an editor and run “Circuit Inspector: Inspect Attention”.'}
        </p>`;
    }
    return html`
      <ci-panel-header></ci-panel-header>
      <section aria-labelledby="tokens-h">
        <h2 id="tokens-h">Tokens</h2>
        <ci-token-strip></ci-token-strip>
      </section>
      <div class="heads">
        <section class="grid" aria-labelledby="grid-h">
          <h2 id="grid-h">Heads · layer × head</h2>
          <ci-head-grid></ci-head-grid>
        </section>
        <section class="zoom" aria-labelledby="zoom-h">
          <h2 id="zoom-h">Pattern · query × key</h2>
          <ci-head-zoom></ci-head-zoom>
        </section>
      </div>
      <div class="lower">
        <section aria-labelledby="special-h">
          <h2 id="special-h">Special tokens</h2>
          <ci-special-tokens></ci-special-tokens>
        </section>
        <section aria-labelledby="table-h">
          <h2 id="table-h">Head scores on this prompt</h2>
          <ci-head-table></ci-head-table>
        </section>
      </div>
    `;
  }

  // --- host → webview --------------------------------------------------------------------------

  private onMessage = (e: MessageEvent) => {
    const receivedAt = performance.now();
    const msg: unknown = e.data;
    if (!isHostToWebviewMessage(msg)) {
      console.warn('[circuit-inspector] ignoring an unexpected message', msg);
      return;
    }
    if (isInspection(msg)) {
      const p = msg.params;
      this.store.reset(p.inspectionId);
      this.patterns = this.store.view();
      let focus = focusForInspection(this.focusState, this.inspection?.params, p);
      if (this.restoredLock && !focus.head.locked) {
        focus = clampFocus(reduceFocus(focus, { target: 'head', action: { type: 'lock', item: this.restoredLock } }), p.n_layers, p.n_heads, p.tokens.length);
        this.restoredLock = undefined;
      }
      this.focusState = focus;
      const isNew = p.inspectionId !== this.inspection?.params.inspectionId;
      this.inspection = { params: p, receivedAt };
      this.style.setProperty('--ci-heads', String(p.n_heads)); // CSSOM, allowed by the CSP
      // A new inspection starts at the top, where its header (model, prompt, state) is.
      if (isNew) window.scrollTo({ top: 0, left: 0, behavior: 'instant' });
      this.status = { ...this.status, stale: p.stale, staleReason: undefined };
      this.lastReport = '';
      this.afterFocusChange();
    } else if (isHeadPattern(msg)) {
      const n = this.inspection?.params.tokens.length;
      const head =
        msg.error !== undefined
          ? this.store.complete(msg.id, undefined, { error: msg.error })
          : msg.params.n_tokens !== n
            ? this.store.complete(msg.id, undefined, { error: `pattern has ${msg.params.n_tokens} tokens, the inspection ${n}` })
            : this.store.complete(msg.id, msg.params.inspectionId, { pattern: msg.params.pattern_q_k });
      this.patterns = this.store.view();
      if (head) this.scheduleReport();
    } else if (isFocusToken(msg)) {
      const { tokenIndex, direction, layer, head } = msg.params;
      const n = this.inspection?.params.tokens.length ?? 0;
      if (tokenIndex >= n) return;
      const actions: FocusAction[] = [{ target: 'token', action: { type: 'lock', item: tokenIndex } }];
      if (direction) actions.push({ target: 'direction', direction });
      if (layer !== undefined && head !== undefined) actions.push({ target: 'head', action: { type: 'lock', item: { layer, head } } });
      this.applyFocus({ target: 'batch', actions });
    } else if (isStale(msg)) {
      this.status = { ...this.status, stale: msg.params.stale, staleReason: msg.params.reason };
    } else if (isRunState(msg)) {
      const { state, message, progress } = msg.params;
      this.status = { ...this.status, runState: state, message, progress };
    }
  };

  // --- focus -----------------------------------------------------------------------------------

  private onFocusAction = (e: FocusEvent) => {
    e.stopPropagation();
    this.applyFocus(e.detail);
  };

  private applyFocus(action: FocusAction): void {
    const next = reduceFocus(this.focusState, action);
    if (next === this.focusState) return;
    const p = this.inspection?.params;
    this.focusState = p ? this.validFocus(next, p.n_layers, p.n_heads, p.tokens.length) : next;
    this.afterFocusChange();
  }

  private validFocus(f: FocusState, nLayers: number, nHeads: number, nTokens: number): FocusState {
    const okHead = (h: HeadRef | null) => h === null || (h.layer < nLayers && h.head < nHeads);
    const okToken = (t: number | null) => t === null || t < nTokens;
    return okHead(f.head.hovered) && okHead(f.head.locked) && okToken(f.token.hovered) && okToken(f.token.locked) ? f : clampFocus(f, nLayers, nHeads, nTokens);
  }

  private afterFocusChange(): void {
    this.channel?.setState({ lockedHead: this.focusState.head.locked ?? undefined, direction: this.focusState.direction });
    this.requestPatterns();
    this.scheduleReport();
  }

  /** Requests the active head's pattern (after a short rest when it is only a preview) and the locked one's. */
  private requestPatterns(): void {
    clearTimeout(this.requestTimer);
    const locked = this.focusState.head.locked;
    if (locked) this.request(locked);
    const active = activeHead(this.focusState);
    if (!active) return;
    if (!isPreview(this.focusState.head, (a, b) => a.layer === b.layer && a.head === b.head)) this.request(active);
    else if (this.store.needs(active)) {
      this.requestTimer = setTimeout(() => {
        const still = activeHead(this.focusState);
        if (still && still.layer === active.layer && still.head === active.head) this.request(active);
      }, PREVIEW_REQUEST_DELAY_MS);
    }
  }

  private request(head: HeadRef): void {
    const inspectionId = this.inspection?.params.inspectionId;
    if (!inspectionId || !this.channel || !this.store.needs(head)) return;
    const id = this.store.begin(head);
    this.patterns = this.store.view();
    this.channel.post(RequestHeadPattern.create(id, { inspectionId, layer: head.layer, head: head.head }));
  }

  private scheduleReport(): void {
    clearTimeout(this.reportTimer);
    this.reportTimer = setTimeout(() => this.report(), FOCUS_REPORT_DELAY_MS);
  }

  /** Tells the host what is focused, so it can paint editor decorations. */
  private report(): void {
    const p = this.inspection?.params;
    if (!p || !this.channel) return;
    const head = activeHead(this.focusState);
    if (!head) {
      if (this.lastReport !== 'none') this.channel.post(ClearFocus.create({}));
      this.lastReport = 'none';
      return;
    }
    const token = activeToken(this.focusState);
    const pattern = this.store.view().get(head);
    const locked = !isPreview(this.focusState.head, (a, b) => a.layer === b.layer && a.head === b.head);
    const key = `${head.layer}.${head.head}|${token}|${this.focusState.direction}|${locked}|${pattern ? 1 : 0}`;
    if (key === this.lastReport) return;
    this.lastReport = key;
    const params: FocusChangedParams = {
      inspectionId: p.inspectionId,
      layer: head.layer,
      head: head.head,
      direction: this.focusState.direction,
      locked,
      ...(token !== null ? { tokenIndex: token } : {}),
      ...(token !== null && pattern ? { weights_token: Array.from(tokenWeights(pattern, p.tokens.length, token, this.focusState.direction)) } : {}),
    };
    this.channel.post(FocusChanged.create(params));
  }

  // --- timing ----------------------------------------------------------------------------------

  private onGridPaint = (e: GridPaintEvent) => {
    const { inspectionId, ms } = e.detail;
    if (inspectionId !== this.inspection?.params.inspectionId) return;
    this.firstPaintMs = ms;
    this.dataset.firstPaintMs = ms.toFixed(1);
    this.channel?.post(Timing.create({ inspectionId, name: 'gridFirstPaint', ms }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'ci-attention-panel': CiAttentionPanel;
  }
}
