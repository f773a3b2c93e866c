/**
 * The Compare Token Substitution webview panel: strict CSP with a per-load nonce, resources only
 * from dist/ and media/, the `ready` handshake, and typed messages (src/shared/patchingProtocol.ts).
 * It keeps the latest comparison, its tables and run state, and replays them on `ready` (a webview
 * that reloads shows the same thing). The session decides what to run.
 */
import * as vscode from 'vscode';
import {
  Comparison,
  HeadPatterns,
  isPatchWebviewToHost,
  PATCHING_PROTOCOL_VERSION,
  PatchRunState,
  PatchStale,
  PatchTables,
  type ComparisonParams,
  type ExportFormat,
  type HeadPatternsParams,
  type HeadPatternsRequestParams,
  type PatchHostToWebview,
  type PatchRunStateParams,
  type PatchTable,
} from './shared/protocol';
import { createPanel, panelColumn } from '../../platform/createPanel';
import { Disposable } from '../../platform/disposable';
import { webviewHtml } from '../../platform/webviewHtml';

export interface PatchingPanelHandlers {
  cancel(runId: string): void;
  exportTables(runId: string, format: ExportFormat): Promise<unknown>;
  exportPng(runId: string, name: string, dataUrl: string): Promise<void>;
  headPatterns(params: HeadPatternsRequestParams): Promise<HeadPatternsParams>;
  log(message: string): void;
}

/** The tables on screen: one per (sweep, direction); an exact table replaces an estimate, never the reverse. */
export class TableStore {
  private readonly map = new Map<string, PatchTable>();
  put(t: PatchTable): boolean {
    const key = `${t.sweep}/${t.direction}`;
    const old = this.map.get(key);
    if (old?.source === 'exact' && t.source === 'attribution') return false;
    this.map.set(key, t);
    return true;
  }
  clear(): void {
    this.map.clear();
  }
  get all(): PatchTable[] {
    return [...this.map.values()];
  }
}

export class PatchingPanel extends Disposable {
  static readonly viewType = 'circuitInspector.patching';
  private static current: PatchingPanel | undefined;

  private ready = false;
  private comparison: ComparisonParams | undefined;
  readonly tables = new TableStore();
  private runState: PatchRunStateParams | undefined;
  private staleReason: string | undefined;
  private readonly onDidDisposeEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.onDidDisposeEmitter.event;

  static get instance(): PatchingPanel | undefined {
    return PatchingPanel.current;
  }

  static createOrShow(extensionUri: vscode.Uri, handlers: PatchingPanelHandlers): PatchingPanel {
    const column = panelColumn();
    if (PatchingPanel.current) {
      PatchingPanel.current.handlers = handlers;
      PatchingPanel.current.panel.reveal(column, true);
      return PatchingPanel.current;
    }
    const panel = createPanel(PatchingPanel.viewType, 'Circuit Inspector: Token Substitution', extensionUri, true);
    PatchingPanel.current = new PatchingPanel(panel, extensionUri, handlers);
    return PatchingPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private handlers: PatchingPanelHandlers,
  ) {
    super();
    this._register(panel);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((msg: unknown) => this.onMessage(msg)));
    panel.webview.html = this.html();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (PatchingPanel.current === this) PatchingPanel.current = undefined;
    this.onDidDisposeEmitter.fire();
    super.dispose();
  }

  get currentComparison(): ComparisonParams | undefined {
    return this.comparison;
  }

  get currentRunState(): PatchRunStateParams | undefined {
    return this.runState;
  }

  /** A new comparison: previous tables, state and staleness go. */
  showComparison(c: ComparisonParams): void {
    this.comparison = c;
    this.tables.clear();
    this.runState = undefined;
    this.staleReason = undefined;
    this.post(Comparison.create(c));
  }

  showTables(runId: string, tables: readonly PatchTable[]): void {
    if (this.comparison?.runId !== runId) return;
    const shown = tables.filter((t) => this.tables.put(t));
    if (shown.length) this.post(PatchTables.create({ runId, tables: shown }));
  }

  showRunState(p: PatchRunStateParams): void {
    if (this.comparison?.runId !== p.runId) return;
    this.runState = p;
    this.post(PatchRunState.create(p));
  }

  showStale(runId: string, reason: string): void {
    if (this.comparison?.runId !== runId || this.staleReason) return;
    this.staleReason = reason;
    this.comparison = { ...this.comparison, stale: true };
    this.post(PatchStale.create({ runId, reason }));
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  private post(msg: PatchHostToWebview): void {
    if (!this.ready || this.isDisposed) return;
    void this.panel.webview.postMessage(msg).then(undefined, (e: unknown) => this.handlers.log(`postMessage failed: ${String(e)}`));
  }

  private onMessage(msg: unknown): void {
    if (!isPatchWebviewToHost(msg)) {
      this.handlers.log('patching panel: ignored a malformed message from the webview');
      return;
    }
    switch (msg.method) {
      case 'ready': {
        if (msg.params.protocolVersion !== PATCHING_PROTOCOL_VERSION) {
          this.handlers.log(`patching webview speaks protocol ${msg.params.protocolVersion}, host ${PATCHING_PROTOCOL_VERSION}`);
        }
        this.ready = true;
        const c = this.comparison;
        if (!c) return;
        this.post(Comparison.create(c));
        const all = this.tables.all;
        if (all.length) this.post(PatchTables.create({ runId: c.runId, tables: all }));
        if (this.runState) this.post(PatchRunState.create(this.runState));
        if (this.staleReason) this.post(PatchStale.create({ runId: c.runId, reason: this.staleReason }));
        return;
      }
      case 'cancelRun':
        this.handlers.cancel(msg.params.runId);
        return;
      case 'exportTables':
        void this.handlers.exportTables(msg.params.runId, msg.params.format).catch((e: unknown) => void vscode.window.showErrorMessage(`Export failed: ${errorText(e)}`));
        return;
      case 'exportPng':
        void this.handlers.exportPng(msg.params.runId, msg.params.name, msg.params.dataUrl).catch((e: unknown) => void vscode.window.showErrorMessage(`Export failed: ${errorText(e)}`));
        return;
      case 'requestHeadPatterns': {
        const { id, params } = msg;
        this.handlers.headPatterns(params).then(
          (p) => this.post(HeadPatterns.result(id, p)),
          (e: unknown) => this.post(HeadPatterns.error(id, errorText(e))),
        );
        return;
      }
    }
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.extensionUri, { title: 'Circuit Inspector: Token Substitution', rootElement: 'ci-patch-panel', script: 'patchingPanel.js' });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
