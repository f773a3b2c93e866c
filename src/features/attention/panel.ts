/**
 * The Inspect Attention webview panel: strict CSP with a per-load nonce, resources only from
 * dist/ and media/, the `ready` handshake, and typed messages (src/shared/protocol.ts). The panel
 * shows what it is given; the session decides what to run and answers requests.
 */
import * as vscode from 'vscode';
import {
  FocusToken,
  HeadPattern,
  Inspection,
  isWebviewToHostMessage,
  PROTOCOL_VERSION,
  RunState,
  Stale,
  type FocusChangedParams,
  type FocusTokenParams,
  type HeadPatternParams,
  type HeadPatternRequestParams,
  type HostToWebviewMessage,
  type InspectionParams,
  type RunStateParams,
  type StaleParams,
} from './shared/protocol';
import { createPanel, panelColumn } from '../../platform/createPanel';
import { Disposable } from '../../platform/disposable';
import { webviewHtml } from '../../platform/webviewHtml';

/** What the panel asks of its owner. */
export interface PanelHandlers {
  headPattern(params: HeadPatternRequestParams): Promise<HeadPatternParams>;
  focusChanged(params: FocusChangedParams): void;
  clearFocus(): void;
  log(message: string): void;
}

export class AttentionPanel extends Disposable {
  static readonly viewType = 'circuitInspector.attention';
  private static current: AttentionPanel | undefined;

  private ready = false;
  private lastRunState: RunStateParams | undefined;
  private lastInspection: InspectionParams | undefined;
  private readonly onDidDisposeEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.onDidDisposeEmitter.event;

  /** The open panel, if any. */
  static get instance(): AttentionPanel | undefined {
    return AttentionPanel.current;
  }

  /** Reveals the panel (beside the editor), creating it when none is open. */
  static createOrShow(extensionUri: vscode.Uri, handlers: PanelHandlers, preserveFocus = true): AttentionPanel {
    const column = panelColumn();
    if (AttentionPanel.current) {
      AttentionPanel.current.panel.reveal(column, preserveFocus);
      return AttentionPanel.current;
    }
    const panel = createPanel(AttentionPanel.viewType, 'Circuit Inspector: Attention', extensionUri, preserveFocus);
    AttentionPanel.current = new AttentionPanel(panel, extensionUri, handlers);
    return AttentionPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: PanelHandlers,
  ) {
    super();
    this._register(panel);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((msg: unknown) => this.onMessage(msg)));
    panel.webview.html = this.html();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (AttentionPanel.current === this) AttentionPanel.current = undefined;
    this.onDidDisposeEmitter.fire();
    super.dispose();
  }

  showRunState(params: RunStateParams): void {
    this.lastRunState = params;
    this.post(RunState.create(params));
  }

  showInspection(params: InspectionParams): void {
    this.lastInspection = params;
    this.post(Inspection.create(params));
  }

  showStale(params: StaleParams): void {
    if (this.lastInspection) this.lastInspection = { ...this.lastInspection, stale: params.stale };
    this.post(Stale.create(params));
  }

  focusToken(params: FocusTokenParams): void {
    this.panel.reveal(undefined, true);
    this.post(FocusToken.create(params));
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  private post(msg: HostToWebviewMessage): void {
    // Before `ready` the webview would drop messages; it gets the latest state on `ready`.
    if (!this.ready || this.isDisposed) return;
    void this.panel.webview.postMessage(msg).then(undefined, (e: unknown) => this.handlers.log(`postMessage failed: ${String(e)}`));
  }

  private onMessage(msg: unknown): void {
    if (!isWebviewToHostMessage(msg)) {
      this.handlers.log(`ignored a malformed message from the webview: ${describe(msg)}`);
      return;
    }
    switch (msg.method) {
      case 'ready':
        if (msg.params.protocolVersion !== PROTOCOL_VERSION) {
          this.handlers.log(`webview speaks protocol ${msg.params.protocolVersion}, host ${PROTOCOL_VERSION}`);
        }
        this.ready = true;
        if (this.lastRunState) this.post(RunState.create(this.lastRunState));
        if (this.lastInspection) this.post(Inspection.create(this.lastInspection));
        return;
      case 'requestHeadPattern': {
        const { id, params } = msg;
        this.handlers.headPattern(params).then(
          (p) => this.post(HeadPattern.result(id, p)),
          (e: unknown) => this.post(HeadPattern.error(id, e instanceof Error ? e.message : String(e))),
        );
        return;
      }
      case 'focusChanged':
        this.handlers.focusChanged(msg.params);
        return;
      case 'clearFocus':
        this.handlers.clearFocus();
        return;
      case 'timing':
        this.handlers.log(`webview timing ${msg.params.name}: ${msg.params.ms.toFixed(1)} ms (${msg.params.inspectionId})`);
        return;
    }
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.extensionUri, { title: 'Circuit Inspector: Attention', rootElement: 'ci-attention-panel', script: 'attentionPanel.js' });
  }
}

function describe(msg: unknown): string {
  if (typeof msg === 'object' && msg !== null && 'method' in msg) return `method ${String(msg.method)}`;
  return typeof msg;
}
