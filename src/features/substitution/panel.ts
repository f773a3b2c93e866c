/**
 * The Compare Token Substitution webview panel: it renders the session's results and forwards
 * what the webview asks (typed messages, src/features/substitution/shared/protocol.ts). It keeps
 * nothing: on a (re)load the webview is sent the session's current results.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../shared/errors';
import { FeaturePanel, PanelSlot, WebviewPanelHost } from '../../platform/webviewPanelHost';
import type { ResultsSnapshot } from './results';
import {
  Comparison,
  HeadPatterns,
  isSubstitutionWebviewToHost,
  PatchTables,
  SaeFeatures,
  SUBSTITUTION_PROTOCOL_VERSION,
  SubstitutionRunState,
  SubstitutionStale,
  TableCheck,
  type ComparisonParams,
  type ExportFormat,
  type HeadPatternsParams,
  type HeadPatternsRequestParams,
  type PatchTable,
  type SaeFeaturesParams,
  type SubstitutionHostToWebview,
  type SubstitutionRunStateParams,
  type SubstitutionWebviewToHost,
  type TableCheckParams,
  type TableRefParams,
} from './shared/protocol';

export interface SubstitutionPanelHandlers {
  cancel(runId: string): void;
  exportTables(runId: string, format: ExportFormat): Promise<unknown>;
  exportPng(runId: string, name: string, dataUrl: string): Promise<void>;
  headPatterns(params: HeadPatternsRequestParams): Promise<HeadPatternsParams>;
  cancelSaeFeatures(runId: string): void;
  /** Recomputes one table of an int8 comparison with the fp32 weights (its states arrive as `tableCheck`). */
  checkTable(p: TableRefParams): Promise<void>;
  cancelTableCheck(runId: string): void;
  /** Opens Inspect Features on `feature` (the comparison's prompt selected in its editor). */
  inspectFeature(runId: string, feature: number): Promise<unknown>;
  selectSae(): Promise<unknown>;
  /** The results a freshly loaded webview shows. */
  snapshot(): ResultsSnapshot | undefined;
  log(message: string): void;
}

const slot = new PanelSlot<SubstitutionPanel>();

export class SubstitutionPanel extends FeaturePanel<SubstitutionWebviewToHost, SubstitutionHostToWebview> {
  static readonly viewType = 'circuitInspector.substitution';

  static get instance(): SubstitutionPanel | undefined {
    return slot.current;
  }

  static createOrShow(extensionUri: vscode.Uri, handlers: SubstitutionPanelHandlers): SubstitutionPanel {
    return slot.open(
      () => new SubstitutionPanel(extensionUri, handlers),
      (p) => {
        p.handlers = handlers;
        p.host.reveal();
      },
    );
  }

  protected readonly host: WebviewPanelHost<SubstitutionWebviewToHost, SubstitutionHostToWebview>;

  private constructor(
    extensionUri: vscode.Uri,
    private handlers: SubstitutionPanelHandlers,
  ) {
    super();
    this.host = new WebviewPanelHost(
      extensionUri,
      {
        viewType: SubstitutionPanel.viewType,
        title: 'Circuit Inspector: Token Substitution',
        rootElement: 'ci-substitution-panel',
        script: 'substitution.js',
        protocolVersion: SUBSTITUTION_PROTOCOL_VERSION,
      },
      {
        isMessage: isSubstitutionWebviewToHost,
        onMessage: (m) => this.onMessage(m),
        replay: () => replay(this.handlers.snapshot()),
        log: (m) => this.handlers.log(m),
      },
    );
  }

  showComparison(c: ComparisonParams): void {
    this.host.post(Comparison.create(c));
  }

  showTables(runId: string, tables: readonly PatchTable[]): void {
    if (tables.length) this.host.post(PatchTables.create({ runId, tables }));
  }

  showRunState(p: SubstitutionRunStateParams): void {
    this.host.post(SubstitutionRunState.create(p));
  }

  showSaeFeatures(p: SaeFeaturesParams): void {
    this.host.post(SaeFeatures.create(p));
  }

  showTableCheck(p: TableCheckParams): void {
    this.host.post(TableCheck.create(p));
  }

  showStale(runId: string, reason: string): void {
    this.host.post(SubstitutionStale.create({ runId, reason }));
  }

  private onMessage(msg: SubstitutionWebviewToHost): void {
    switch (msg.method) {
      case 'ready':
        return; // the host answered it
      case 'cancelRun':
        this.handlers.cancel(msg.params.runId);
        return;
      case 'exportTables':
        void this.handlers
          .exportTables(msg.params.runId, msg.params.format)
          .catch((e: unknown) => void vscode.window.showErrorMessage(`Export failed: ${errorMessage(e)}`));
        return;
      case 'exportPng':
        void this.handlers
          .exportPng(msg.params.runId, msg.params.name, msg.params.dataUrl)
          .catch((e: unknown) => void vscode.window.showErrorMessage(`Export failed: ${errorMessage(e)}`));
        return;
      case 'cancelSaeFeatures':
        this.handlers.cancelSaeFeatures(msg.params.runId);
        return;
      case 'inspectFeature':
        void this.handlers
          .inspectFeature(msg.params.runId, msg.params.feature)
          .catch((e: unknown) => void vscode.window.showErrorMessage(`Inspect Features failed: ${errorMessage(e)}`));
        return;
      case 'checkTable':
        void this.handlers.checkTable(msg.params).catch((e: unknown) => void vscode.window.showErrorMessage(`Check against fp32: ${errorMessage(e)}`));
        return;
      case 'cancelTableCheck':
        this.handlers.cancelTableCheck(msg.params.runId);
        return;
      case 'selectSae':
        void this.handlers.selectSae().catch((e: unknown) => void vscode.window.showErrorMessage(`Select SAE failed: ${errorMessage(e)}`));
        return;
      case 'requestHeadPatterns': {
        const { id, params } = msg;
        this.handlers.headPatterns(params).then(
          (p) => this.host.post(HeadPatterns.result(id, p)),
          (e: unknown) => this.host.post(HeadPatterns.error(id, errorMessage(e))),
        );
        return;
      }
    }
  }
}

/** The messages that bring a freshly loaded webview to the results' state. */
function replay(s: ResultsSnapshot | undefined): SubstitutionHostToWebview[] {
  if (!s) return [];
  const runId = s.comparison.runId;
  const out: SubstitutionHostToWebview[] = [Comparison.create(s.comparison)];
  if (s.tables.length) out.push(PatchTables.create({ runId, tables: s.tables }));
  if (s.runState) out.push(SubstitutionRunState.create(s.runState));
  if (s.staleReason) out.push(SubstitutionStale.create({ runId, reason: s.staleReason }));
  if (s.saeFeatures) out.push(SaeFeatures.create(s.saeFeatures));
  for (const r of s.tableChecks) out.push(TableCheck.create(r.params));
  return out;
}
